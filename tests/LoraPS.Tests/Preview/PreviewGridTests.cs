using LoraPS.Formats.Images;
using LoraPS.Workflows.Preview;

namespace LoraPS.Tests.Preview;

/// <summary>Grid layout, pixel-exact cells, label placement and the argument checks of <see cref="PreviewGrid"/>.</summary>
public sealed class PreviewGridTests
{
    private static RgbaImage Noise(int width, int height, int seed)
    {
        var image = new RgbaImage(width, height);
        new Random(seed).NextBytes(image.Pixels);
        return image;
    }

    private static RgbaImage Flat(int width, int height, byte r, byte g, byte b)
    {
        var image = new RgbaImage(width, height);
        for (int i = 0; i < image.Pixels.Length; i += 4) { image.Pixels[i] = r; image.Pixels[i + 1] = g; image.Pixels[i + 2] = b; image.Pixels[i + 3] = 255; }
        return image;
    }

    private static IReadOnlyList<IReadOnlyList<RgbaImage>> Cells(int rows, int columns, Func<int, int, RgbaImage> make) =>
        Enumerable.Range(0, rows).Select(r => (IReadOnlyList<RgbaImage>)Enumerable.Range(0, columns).Select(c => make(r, c)).ToArray()).ToArray();

    // Expected sizes worked out by hand from the layout rules in PreviewGrid's documentation:
    // width = padding + [row label column + padding] + columns × slot + (columns − 1) × padding + padding,
    // height = padding + [title + padding] + [column labels + padding] + rows × slot + (rows − 1) × padding + padding.
    public static TheoryData<string, int, int, int, int, int, int, string?, int, int> Layouts() => new()
    {
        // labels, rows, columns, image w, h, padding, scale, title → grid w, h
        // row labels one character (6 px), column labels one line of 10 px
        { "both", 2, 3, 40, 30, 8, 1, null, 8 + 6 + 8 + 3 * 40 + 2 * 8 + 8, 8 + 10 + 8 + 2 * 30 + 8 + 8 },
        // scale 2: row label 12 px, column labels 20 px, the title one line of 20 px
        { "both", 2, 3, 40, 30, 4, 2, "T", 4 + 12 + 4 + 3 * 40 + 2 * 4 + 4, 4 + 20 + 4 + 20 + 4 + 2 * 30 + 4 + 4 },
        // no labels, no padding: the images side by side
        { "none", 1, 2, 10, 10, 0, 1, null, 20, 10 },
        // column labels only; images narrower than a character get slots one character wide and one line high
        { "columns", 2, 2, 3, 4, 2, 1, null, 2 + 2 * 6 + 2 + 2, 2 + 10 + 2 + 2 * 10 + 2 + 2 },
        // row labels only, title "a title" wrapped to the 149 − 2 × 5 = 139 px width at scale 1: one line
        { "rows", 3, 1, 128, 64, 5, 1, "a title", 5 + 6 + 5 + 128 + 5, 5 + 10 + 5 + 3 * 64 + 2 * 5 + 5 },
    };

    private static (string[] Rows, string[] Columns) Labels(string which, int rows, int columns) =>
    (
        Enumerable.Range(0, rows).Select(r => which is "both" or "rows" ? ((char)('a' + r)).ToString() : "").ToArray(),
        Enumerable.Range(0, columns).Select(c => which is "both" or "columns" ? (c % 10).ToString() : "").ToArray()
    );

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Grid_size_follows_the_layout_rules(string labels, int rows, int columns, int w, int h, int padding, int scale, string? title, int width, int height)
    {
        var (rowLabels, columnLabels) = Labels(labels, rows, columns);
        var layout = new GridLayout { Padding = padding, FontScale = scale, Title = title };
        var grid = PreviewGrid.Compose(Cells(rows, columns, (r, c) => Noise(w, h, r * 10 + c)), rowLabels, columnLabels, layout);
        Assert.Equal((width, height), (grid.Width, grid.Height));
        var plan = PreviewGrid.Plan(rows, columns, w, h, rowLabels, columnLabels, layout);
        Assert.Equal((width, height), (plan.Width, plan.Height));
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Cells_are_copied_pixel_exact_where_the_plan_puts_them(string labels, int rows, int columns, int w, int h, int padding, int scale, string? title, int width, int height)
    {
        _ = (width, height);
        var (rowLabels, columnLabels) = Labels(labels, rows, columns);
        var layout = new GridLayout { Padding = padding, FontScale = scale, Title = title };
        // Sizes differ per cell (the largest is w × h), alpha included, to check centring and exact copying.
        var cells = Cells(rows, columns, (r, c) => Noise(Math.Max(1, w - (r + c) % 3), Math.Max(1, h - (r * c) % 2), 100 + r * 10 + c));
        var grid = PreviewGrid.Compose(cells, rowLabels, columnLabels, layout);
        var plan = PreviewGrid.Plan(rows, columns, w, h, rowLabels, columnLabels, layout);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
            {
                var image = cells[r][c];
                var at = plan.ImageArea(r, c, image.Width, image.Height);
                Assert.True(at.X >= 0 && at.Y >= 0 && at.Right <= grid.Width && at.Bottom <= grid.Height);
                Assert.Equal(image.Pixels, Ink.Crop(grid, at.X, at.Y, at.Width, at.Height).Pixels);
            }
    }

    [Fact]
    public void Images_of_different_sizes_are_centred_in_slots_as_large_as_the_largest()
    {
        var wide = Flat(20, 10, 255, 0, 0);
        var tall = Flat(10, 20, 0, 0, 255);
        var grid = PreviewGrid.Compose([[wide, tall]], [""], ["", ""], new GridLayout { Padding = 2 });
        // Slots 20 × 20 at (2, 2) and (24, 2); the wide image 5 rows down, the tall one 5 columns in.
        Assert.Equal((2 + 20 + 2 + 20 + 2, 2 + 20 + 2), (grid.Width, grid.Height));
        Assert.Equal(wide.Pixels, Ink.Crop(grid, 2, 7, 20, 10).Pixels);
        Assert.Equal(tall.Pixels, Ink.Crop(grid, 29, 2, 10, 20).Pixels);
        Assert.Equal([255, 255, 255, 255], Ink.Pixel(grid, 2, 6));   // above the wide image
        Assert.Equal([255, 255, 255, 255], Ink.Pixel(grid, 28, 10)); // left of the tall image
    }

    [Theory]
    [InlineData(1, null)]
    [InlineData(2, "Strength comparison for mylora")]
    [InlineData(3, "a title long enough that it has to wrap over more than one line of the grid")]
    public void Labels_ink_their_areas_and_nothing_else_outside_the_cells(int scale, string? title)
    {
        string[] rowLabels = ["a photo of a cat, sitting on a red sofa", "", "dog"];
        string[] columnLabels = ["mylora:0", "mylora:0.4", "mylora:0.8 with a long label that wraps"];
        var layout = new GridLayout { Padding = 6, FontScale = scale, Title = title };
        var cells = Cells(3, 3, (r, c) => Flat(90, 70, 30, 160, 60));
        var grid = PreviewGrid.Compose(cells, rowLabels, columnLabels, layout);
        var plan = PreviewGrid.Plan(3, 3, 90, 70, rowLabels, columnLabels, layout);

        var textAreas = plan.ColumnLabelAreas.Concat(plan.RowLabelAreas).ToList();
        if (plan.TitleArea is { } t) textAreas.Add(t);
        Assert.Equal(title != null, plan.TitleArea != null);
        Assert.Equal(3, plan.ColumnLabelAreas.Count);
        Assert.Equal(3, plan.RowLabelAreas.Count);
        var slots = plan.Slots.SelectMany(row => row).ToList();
        foreach (var area in textAreas)
        {
            Assert.True(area.X >= 0 && area.Y >= 0 && area.Right <= grid.Width && area.Bottom <= grid.Height, $"{area} is outside the grid");
            Assert.DoesNotContain(slots, s => s.Intersects(area));
        }

        for (int y = 0; y < grid.Height; y++)
            for (int x = 0; x < grid.Width; x++)
            {
                if (slots.Any(s => s.Contains(x, y))) continue;
                var pixel = Ink.Pixel(grid, x, y);
                bool white = pixel.SequenceEqual(new byte[] { 255, 255, 255, 255 });
                bool black = pixel.SequenceEqual(new byte[] { 0, 0, 0, 255 });
                Assert.True(white || black, $"pixel ({x}, {y}) outside the cells is neither background nor text");
                if (black) Assert.True(textAreas.Any(a => a.Contains(x, y)), $"text pixel ({x}, {y}) is outside every label area");
            }

        bool Inked(GridRect a)
        {
            for (int y = a.Y; y < a.Bottom; y++)
                for (int x = a.X; x < a.Right; x++)
                    if (Ink.Pixel(grid, x, y)[0] == 0) return true;
            return false;
        }
        for (int c = 0; c < 3; c++) Assert.True(Inked(plan.ColumnLabelAreas[c]), $"column label {c} drew nothing");
        Assert.True(Inked(plan.RowLabelAreas[0]));
        Assert.False(Inked(plan.RowLabelAreas[1]), "the empty row label drew something");
        Assert.True(Inked(plan.RowLabelAreas[2]));
        if (plan.TitleArea is { } titleArea) Assert.True(Inked(titleArea));
    }

    [Fact]
    public void Labels_wrap_to_their_areas()
    {
        var layout = new GridLayout { Padding = 4, FontScale = 1, MaxLabelLines = 2 };
        // 60 px cells hold 10 characters a line.
        var plan = PreviewGrid.Plan(1, 2, 60, 20, ["row label that is long"], ["short", "a much longer column label"], layout);
        Assert.Equal(["short"], plan.ColumnLabelLines[0]);
        Assert.Equal(["a much", "longer..."], plan.ColumnLabelLines[1]);
        Assert.Equal(20, plan.ColumnLabelAreas[0].Height); // two lines of 10 px
        // The row label column is at most the cell width; two 10 px lines fit beside a 20 px row.
        Assert.Equal(60, plan.RowLabelAreas[0].Width);
        Assert.Equal(["row label", "that is..."], plan.RowLabelLines[0]);
        var narrow = PreviewGrid.Plan(1, 1, 60, 20, ["row label that is long"], [""], layout with { RowLabelMaxWidth = 30 });
        Assert.Equal(30, narrow.RowLabelAreas[0].Width);
        Assert.Empty(narrow.ColumnLabelAreas);
    }

    [Fact]
    public void Mismatched_label_counts_are_refused_naming_which()
    {
        var cells = Cells(2, 3, (r, c) => Flat(4, 4, 0, 0, 0));
        var rows = Assert.Throws<ArgumentException>(() => PreviewGrid.Compose(cells, ["a"], ["1", "2", "3"]));
        Assert.Equal("rowLabels", rows.ParamName);
        Assert.Contains("2 rows", rows.Message);
        var columns = Assert.Throws<ArgumentException>(() => PreviewGrid.Compose(cells, ["a", "b"], ["1", "2"]));
        Assert.Equal("columnLabels", columns.ParamName);
        Assert.Contains("row 0 of cells has 3 images", columns.Message);

        IReadOnlyList<IReadOnlyList<RgbaImage>> ragged = [[Flat(4, 4, 0, 0, 0), Flat(4, 4, 0, 0, 0)], [Flat(4, 4, 0, 0, 0)]];
        var raggedError = Assert.Throws<ArgumentException>(() => PreviewGrid.Compose(ragged, ["a", "b"], ["1", "2"]));
        Assert.Contains("row 1 of cells has 1 images", raggedError.Message);

        IReadOnlyList<IReadOnlyList<RgbaImage>> withNull = [[Flat(4, 4, 0, 0, 0), null!]];
        Assert.Contains("cells[0][1] is null", Assert.Throws<ArgumentException>(() => PreviewGrid.Compose(withNull, ["a"], ["1", "2"])).Message);
        Assert.Throws<ArgumentException>(() => PreviewGrid.Compose([], [], []));
        Assert.Throws<ArgumentOutOfRangeException>(() => PreviewGrid.Compose(cells, ["a", "b"], ["1", "2", "3"], new GridLayout { FontScale = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => PreviewGrid.Compose(cells, ["a", "b"], ["1", "2", "3"], new GridLayout { Padding = -1 }));
    }

    [Fact]
    public void Grids_larger_than_the_decoder_pixel_limit_are_refused()
    {
        // No labels and no padding: the grid is exactly the image, so the limit applies to it directly.
        var layout = new GridLayout { Padding = 0, FontScale = 1 };
        long limit = ImageDecodeOptions.DefaultMaxPixels;
        Assert.Equal(0, limit % 10);
        var atLimit = PreviewGrid.Plan(1, 1, 10, (int)(limit / 10), [""], [""], layout);
        Assert.Equal(limit, (long)atLimit.Width * atLimit.Height);
        var over = Assert.Throws<ArgumentException>(() => PreviewGrid.Plan(1, 1, 10, (int)(limit / 10) + 1, [""], [""], layout));
        Assert.Contains("178,956,970", over.Message);
        // A realistic oversized comparison: 12 strengths × 30 prompts of 1024 × 1024.
        var many = Assert.Throws<ArgumentException>(() =>
            PreviewGrid.Plan(30, 12, 1024, 1024, Enumerable.Repeat("p", 30).ToArray(), Enumerable.Repeat("s", 12).ToArray()));
        Assert.Contains("fewer rows or columns", many.Message);
        // Sizes whose product overflows 32 bits are refused too, not wrapped around.
        Assert.Throws<ArgumentException>(() => PreviewGrid.Plan(1000, 1000, 100_000, 100_000, Enumerable.Repeat("", 1000).ToArray(), Enumerable.Repeat("", 1000).ToArray()));
    }
}
