using System.Text;
using LoraPS.Formats.Images;
using LoraPS.Formats.Images.Drawing;

namespace LoraPS.Tests.Preview;

/// <summary>Measuring, drawing (with clipping) and wrapping text in the built-in font.</summary>
public sealed class TextRendererTests
{
    [Theory]
    [InlineData("", 1, 0, 0)]
    [InlineData("a", 1, 6, 10)]
    [InlineData("abc", 2, 36, 20)]
    [InlineData("ab\ncde", 1, 18, 20)]
    [InlineData("ab\r\ncd", 3, 36, 60)]
    [InlineData("a\n", 1, 6, 20)]
    [InlineData("a\U0001F600b", 1, 18, 10)] // a surrogate pair is one cell
    [InlineData("\t", 2, 12, 20)]
    public void Measure_counts_cells_and_lines(string text, int scale, int width, int height) =>
        Assert.Equal((width, height), TextRenderer.Measure(text, scale));

    [Theory]
    [InlineData("Hello, world!", 1)]
    [InlineData("mylora:0.8", 2)]
    [InlineData("gjpqy|_", 3)]
    [InlineData("two\nlines here", 2)]
    [InlineData("   leading spaces", 1)]
    public void Draw_touches_only_pixels_inside_the_measured_box(string text, int scale)
    {
        const int x = 7, y = 5;
        var (width, height) = TextRenderer.Measure(text, scale);
        var image = Ink.Blank(width + 20, height + 20);
        TextRenderer.Draw(image, text, x, y, scale, 0, 0, 0);
        var box = Ink.Box(image);
        Assert.NotNull(box);
        var (left, top, right, bottom) = box.Value;
        Assert.True(left >= x && top >= y, $"ink starts at ({left}, {top}), before ({x}, {y})");
        // The last font column and row of the box are spacing: never inked.
        Assert.True(right <= x + width - scale - 1 && bottom <= y + height - scale - 1,
            $"ink ends at ({right}, {bottom}), in the spacing of the {width}×{height} box at ({x}, {y})");
    }

    [Theory]
    [InlineData("é", 1)]
    [InlineData("éa bé", 2)]
    [InlineData("é\nMM\nxxé", 3)]
    public void The_measured_box_is_exactly_the_ink_plus_one_font_pixel_of_spacing(string text, int scale)
    {
        // The replacement box fills its glyph area, so text that starts and ends with it inks the box's corners.
        const int x = 3, y = 4;
        var (width, height) = TextRenderer.Measure(text, scale);
        var image = Ink.Blank(width + 10, height + 10);
        TextRenderer.Draw(image, text, x, y, scale, 0, 0, 0);
        Assert.Equal((x, y, x + width - scale - 1, y + height - scale - 1), Ink.Box(image));
    }

    [Theory]
    [InlineData('A', 1)]
    [InlineData('g', 3)]
    [InlineData('@', 4)]
    public void Each_font_pixel_becomes_a_scale_by_scale_block_of_the_colour(char c, int scale)
    {
        var image = Ink.Blank(BitmapFont.CellWidth * scale, BitmapFont.CellHeight * scale, 128);
        TextRenderer.Draw(image, c.ToString(), 0, 0, scale, 10, 20, 30);
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
            {
                bool inked = BitmapFont.IsInked(new Rune(c), x / scale, y / scale);
                Assert.Equal(inked ? new byte[] { 10, 20, 30, 255 } : new byte[] { 128, 128, 128, 128 }, Ink.Pixel(image, x, y));
            }
    }

    [Fact]
    public void Tab_is_drawn_as_space_and_carriage_return_takes_no_cell()
    {
        var withTab = Ink.Blank(40, 12);
        var withSpace = Ink.Blank(40, 12);
        TextRenderer.Draw(withTab, "a\tb\r", 0, 0, 1, 0, 0, 0);
        TextRenderer.Draw(withSpace, "a b", 0, 0, 1, 0, 0, 0);
        Assert.Equal(withSpace.Pixels, withTab.Pixels);
    }

    [Theory]
    [InlineData(-3, -4)]
    [InlineData(-40, 2)]
    [InlineData(15, 12)]
    [InlineData(-7, 14)]
    [InlineData(19, -9)]
    [InlineData(25, 25)]
    [InlineData(-100, -100)]
    public void Draw_over_the_edges_clips_exactly(int x, int y)
    {
        const string text = "éMg\nW_é";
        const int scale = 2, margin = 64;
        var direct = Ink.Blank(20, 16);
        TextRenderer.Draw(direct, text, x, y, scale, 200, 0, 0);
        // The same text drawn on a larger canvas and cropped is what clipping must give.
        var large = Ink.Blank(20 + 2 * margin, 16 + 2 * margin);
        TextRenderer.Draw(large, text, x + margin, y + margin, scale, 200, 0, 0);
        Assert.Equal(Ink.Crop(large, margin, margin, 20, 16).Pixels, direct.Pixels);
    }

    [Theory]
    [InlineData(int.MinValue, int.MinValue)]
    [InlineData(int.MaxValue, int.MaxValue)]
    [InlineData(int.MaxValue - 3, 0)]
    [InlineData(0, int.MaxValue - 3)]
    [InlineData(int.MinValue + 1, 0)]
    public void Draw_far_outside_changes_nothing_and_does_not_throw(int x, int y)
    {
        var image = Ink.Blank(8, 8);
        TextRenderer.Draw(image, new string('W', 300) + "\nmore", x, y, 1000, 0, 0, 0);
        Assert.Null(Ink.Box(image));
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TextRenderer.Measure("a", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => TextRenderer.Draw(Ink.Blank(4, 4), "a", 0, 0, 0, 0, 0, 0));
        Assert.Throws<ArgumentNullException>(() => TextRenderer.Draw(null!, "a", 0, 0, 1, 0, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => TextRenderer.Wrap("a", 10, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => TextRenderer.Wrap("a", -1));
    }

    public static TheoryData<string, int, int, string[]> WrapCases() => new()
    {
        { "", 60, int.MaxValue, [] },
        { "hello world", 66, int.MaxValue, ["hello world"] },
        { "hello world", 60, int.MaxValue, ["hello", "world"] },
        { "a bb ccc dddd", 36, int.MaxValue, ["a bb", "ccc", "dddd"] },
        { "a    b", 60, int.MaxValue, ["a b"] },
        { "  a  ", 60, int.MaxValue, ["a"] },
        { "abcdefghijkl", 30, int.MaxValue, ["abcde", "fghij", "kl"] },
        { "ab abcdefghijkl", 30, int.MaxValue, ["ab", "abcde", "fghij", "kl"] },
        { "a\n\nb", 60, int.MaxValue, ["a", "", "b"] },
        { "a\r\nb", 60, int.MaxValue, ["a", "b"] },
        { "one two three four", 30, 2, ["one", "tw..."] },
        { "aaa bbb ccc ddd eee", 60, 2, ["aaa bbb", "ccc ddd..."] },
        { "aaa bbb\nccc\nddd", 60, 2, ["aaa bbb", "ccc..."] },
        { "abcdefghijklmnop", 30, 1, ["ab..."] },
        { "exactly fits", 72, 1, ["exactly fits"] },
        { "abc", 0, int.MaxValue, ["a", "b", "c"] },
        { "abcd", 12, 1, [".."] },
        { "\U0001F600\U0001F600\U0001F600", 12, int.MaxValue, ["\U0001F600\U0001F600", "\U0001F600"] },
    };

    [Theory]
    [MemberData(nameof(WrapCases))]
    public void Wrap_breaks_at_spaces_cuts_long_words_and_marks_cut_text(string text, int width, int maxLines, string[] expected) =>
        Assert.Equal(expected, TextRenderer.Wrap(text, width, 1, maxLines));

    [Fact]
    public void Wrap_at_scale_2_needs_twice_the_width()
    {
        const string text = "the quick brown fox jumps over the lazy dog";
        Assert.Equal(TextRenderer.Wrap(text, 60), TextRenderer.Wrap(text, 120, 2));
        Assert.NotEqual(TextRenderer.Wrap(text, 60), TextRenderer.Wrap(text, 60, 2));
    }

    [Fact]
    public void Wrapped_lines_fit_the_width_and_keep_every_word_in_order()
    {
        var rng = new Random(11);
        for (int trial = 0; trial < 300; trial++)
        {
            var words = Enumerable.Range(0, rng.Next(1, 15)).Select(_ => new string((char)rng.Next('a', 'z' + 1), rng.Next(1, 9))).ToArray();
            int scale = rng.Next(1, 4), width = rng.Next(BitmapFont.CellWidth * scale, 200);
            var lines = TextRenderer.Wrap(string.Join(' ', words), width, scale);
            foreach (var line in lines) Assert.True(TextRenderer.Measure(line, scale).Width <= width, $"'{line}' is wider than {width}");
            // Without cut words (each fits a line), the lines are the words regrouped.
            if (words.All(w => w.Length * BitmapFont.CellWidth * scale <= width))
                Assert.Equal(string.Join(' ', words), string.Join(' ', lines));
            else
                Assert.Equal(string.Concat(words), string.Concat(lines).Replace(" ", "", StringComparison.Ordinal));
        }
    }
}
