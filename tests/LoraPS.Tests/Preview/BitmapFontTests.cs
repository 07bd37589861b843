using System.Text;
using LoraPS.Formats.Images.Drawing;

namespace LoraPS.Tests.Preview;

/// <summary>The built-in font: every printable ASCII character has its own visible glyph.</summary>
public sealed class BitmapFontTests
{
    private static IEnumerable<Rune> Printable() =>
        Enumerable.Range(BitmapFont.FirstCharacter, BitmapFont.LastCharacter - BitmapFont.FirstCharacter + 1).Select(c => new Rune(c));

    private static string Key(ReadOnlySpan<byte> rows) => Convert.ToHexString(rows);

    [Fact]
    public void Cells_are_6_by_10_with_a_5_by_9_glyph_area()
    {
        Assert.Equal(6, BitmapFont.CellWidth);
        Assert.Equal(10, BitmapFont.CellHeight);
        Assert.True(BitmapFont.GlyphWidth < BitmapFont.CellWidth && BitmapFont.GlyphHeight < BitmapFont.CellHeight);
    }

    [Fact]
    public void Every_printable_glyph_except_space_has_ink_and_space_has_none()
    {
        Assert.Equal(95, Printable().Count());
        foreach (var rune in Printable())
        {
            var rows = BitmapFont.Glyph(rune);
            Assert.Equal(BitmapFont.GlyphHeight, rows.Length);
            int inked = 0;
            foreach (byte row in rows) inked += System.Numerics.BitOperations.PopCount(row);
            if (rune.Value == ' ') Assert.Equal(0, inked);
            else Assert.True(inked > 0, $"'{rune}' has no ink");
            foreach (byte row in rows) Assert.True(row < 1 << BitmapFont.GlyphWidth, $"'{rune}' inks outside its {BitmapFont.GlyphWidth} columns");
        }
    }

    [Fact]
    public void Every_printable_glyph_is_distinct_and_differs_from_the_replacement_box()
    {
        var seen = new Dictionary<string, Rune>();
        foreach (var rune in Printable())
        {
            string key = Key(BitmapFont.Glyph(rune));
            Assert.False(seen.TryGetValue(key, out var other), $"'{rune}' looks the same as '{other}'");
            seen[key] = rune;
        }
        Assert.False(seen.ContainsKey(Key(BitmapFont.Replacement)), "a printable glyph looks like the replacement box");
    }

    [Theory]
    [InlineData(0x7F)]   // DEL
    [InlineData(0x1F)]
    [InlineData(0xE9)]   // é
    [InlineData(0x3042)] // あ
    [InlineData(0x1F600)] // an emoji outside the BMP
    public void Characters_outside_printable_ascii_get_the_replacement_box(int codePoint)
    {
        var rune = new Rune(codePoint);
        Assert.False(BitmapFont.HasGlyph(rune));
        Assert.Equal(Key(BitmapFont.Replacement), Key(BitmapFont.Glyph(rune)));
        // The box is visible: its outline fills the whole glyph area.
        for (int x = 0; x < BitmapFont.GlyphWidth; x++)
            Assert.True(BitmapFont.IsInked(rune, x, 0) && BitmapFont.IsInked(rune, x, BitmapFont.GlyphHeight - 1));
        for (int y = 0; y < BitmapFont.GlyphHeight; y++)
            Assert.True(BitmapFont.IsInked(rune, 0, y) && BitmapFont.IsInked(rune, BitmapFont.GlyphWidth - 1, y));
    }

    [Fact]
    public void Capitals_and_digits_sit_on_the_baseline_and_only_descenders_go_below_it()
    {
        const int baseline = 6; // last row of capitals
        foreach (var rune in Printable())
        {
            bool below = false, onBaseline = false;
            for (int x = 0; x < BitmapFont.GlyphWidth; x++)
            {
                onBaseline |= BitmapFont.IsInked(rune, x, baseline);
                for (int y = baseline + 1; y < BitmapFont.GlyphHeight; y++) below |= BitmapFont.IsInked(rune, x, y);
            }
            char c = (char)rune.Value;
            if (char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c)) Assert.True(onBaseline && !below, $"'{c}' does not sit on the baseline");
            Assert.Equal("gjpqy,_|".Contains(c), below);
        }
    }

    [Fact]
    public void Inked_is_false_outside_the_glyph_area()
    {
        var box = new Rune('é');
        Assert.False(BitmapFont.IsInked(box, -1, 0));
        Assert.False(BitmapFont.IsInked(box, BitmapFont.GlyphWidth, 0));
        Assert.False(BitmapFont.IsInked(box, 0, BitmapFont.GlyphHeight));
        Assert.False(BitmapFont.IsInked(box, 0, -1));
    }
}
