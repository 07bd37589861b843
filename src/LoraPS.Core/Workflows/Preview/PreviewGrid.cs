using System.Globalization;
using LoraPS.Formats.Images;
using LoraPS.Formats.Images.Drawing;

namespace LoraPS.Workflows.Preview;

/// <summary>
/// Composes rendered images into one labelled comparison grid, like AUTOMATIC1111's X/Y plot: rows are
/// prompts (or seeds), columns are strengths. Layout, top to bottom: padding, optional title, column
/// labels (wrapped to the cell width, bottom-aligned), the rows of cells with their labels in a column
/// on the left (wrapped, centred beside the row), padding. Background white, text black.
/// </summary>
public static class PreviewGrid
{
    /// <summary>
    /// The grid of <paramref name="cells"/>[row][column]. Images may differ in size: every cell is as large
    /// as the largest image and smaller ones are centred. Image pixels are copied unchanged (alpha included).
    /// Throws ArgumentException when the label counts do not match the cells, or when the grid would have
    /// more pixels than the image decoders accept (<see cref="ImageDecodeOptions.DefaultMaxPixels"/>).
    /// </summary>
    public static RgbaImage Compose(IReadOnlyList<IReadOnlyList<RgbaImage>> cells, IReadOnlyList<string> rowLabels,
        IReadOnlyList<string> columnLabels, GridLayout? layout = null)
    {
        ArgumentNullException.ThrowIfNull(cells);
        ArgumentNullException.ThrowIfNull(rowLabels);
        ArgumentNullException.ThrowIfNull(columnLabels);
        if (cells.Count != rowLabels.Count)
            throw new ArgumentException($"cells has {cells.Count} rows but rowLabels has {rowLabels.Count} labels; give one label per row", nameof(rowLabels));
        int imageWidth = 0, imageHeight = 0;
        for (int r = 0; r < cells.Count; r++)
        {
            var row = cells[r] ?? throw new ArgumentException($"row {r} of cells is null", nameof(cells));
            if (row.Count != columnLabels.Count)
                throw new ArgumentException($"row {r} of cells has {row.Count} images but columnLabels has {columnLabels.Count} labels; give one label per column", nameof(columnLabels));
            for (int c = 0; c < row.Count; c++)
            {
                var image = row[c] ?? throw new ArgumentException($"cells[{r}][{c}] is null", nameof(cells));
                imageWidth = Math.Max(imageWidth, image.Width);
                imageHeight = Math.Max(imageHeight, image.Height);
            }
        }

        layout ??= GridLayout.Default;
        var plan = Plan(cells.Count, columnLabels.Count, imageWidth, imageHeight, rowLabels, columnLabels, layout);
        var grid = new RgbaImage(plan.Width, plan.Height);
        Array.Fill(grid.Pixels, (byte)255); // opaque white

        for (int r = 0; r < cells.Count; r++)
            for (int c = 0; c < columnLabels.Count; c++)
            {
                var image = cells[r][c];
                var at = plan.ImageArea(r, c, image.Width, image.Height);
                for (int y = 0; y < image.Height; y++)
                    image.Row(y).CopyTo(grid.Pixels.AsSpan(((at.Y + y) * grid.Width + at.X) * 4, image.Width * 4));
            }

        int scale = layout.FontScale;
        if (plan.TitleArea is { } title) DrawBlock(grid, plan.TitleLines, title, scale, centreVertically: true);
        for (int c = 0; c < plan.ColumnLabelAreas.Count; c++)
            DrawBlock(grid, plan.ColumnLabelLines[c], plan.ColumnLabelAreas[c], scale, centreVertically: false);
        for (int r = 0; r < plan.RowLabelAreas.Count; r++)
            DrawBlock(grid, plan.RowLabelLines[r], plan.RowLabelAreas[r], scale, centreVertically: true);
        return grid;
    }

    /// <summary>
    /// Lays out a grid of <paramref name="rows"/> × <paramref name="columns"/> images of at most
    /// <paramref name="imageWidth"/> × <paramref name="imageHeight"/> without drawing it, with the same checks
    /// as <see cref="Compose"/>; call it before rendering to refuse an oversized grid early.
    /// </summary>
    public static GridPlan Plan(int rows, int columns, int imageWidth, int imageHeight, IReadOnlyList<string> rowLabels,
        IReadOnlyList<string> columnLabels, GridLayout? layout = null)
    {
        ArgumentNullException.ThrowIfNull(rowLabels);
        ArgumentNullException.ThrowIfNull(columnLabels);
        layout ??= GridLayout.Default;
        if (rows < 1 || columns < 1) throw new ArgumentException($"a grid needs at least one row and one column, not {rows} × {columns}", nameof(rows));
        if (rowLabels.Count != rows) throw new ArgumentException($"{rows} rows but rowLabels has {rowLabels.Count} labels; give one label per row", nameof(rowLabels));
        if (columnLabels.Count != columns) throw new ArgumentException($"{columns} columns but columnLabels has {columnLabels.Count} labels; give one label per column", nameof(columnLabels));
        if (imageWidth < 1 || imageHeight < 1) throw new ArgumentException($"image size {imageWidth}×{imageHeight} is not positive", nameof(imageWidth));
        if (layout.Padding < 0) throw new ArgumentOutOfRangeException(nameof(layout), layout.Padding, "GridLayout.Padding must not be negative");
        if (layout.FontScale < 1) throw new ArgumentOutOfRangeException(nameof(layout), layout.FontScale, "GridLayout.FontScale must be 1 or more");
        if (layout.MaxLabelLines < 1) throw new ArgumentOutOfRangeException(nameof(layout), layout.MaxLabelLines, "GridLayout.MaxLabelLines must be 1 or more");
        if (layout.RowLabelMaxWidth is < 0) throw new ArgumentOutOfRangeException(nameof(layout), layout.RowLabelMaxWidth, "GridLayout.RowLabelMaxWidth must not be negative");

        int p = layout.Padding, s = layout.FontScale;
        int charWidth = BitmapFont.CellWidth * s, lineHeight = BitmapFont.CellHeight * s;
        // Text is only ever wrapped into areas at least one character wide and one line high.
        int slotWidth = Math.Max(imageWidth, charWidth), slotHeight = Math.Max(imageHeight, lineHeight);
        var rowTexts = rowLabels.Select(l => l ?? "").ToArray();
        var columnTexts = columnLabels.Select(l => l ?? "").ToArray();
        bool hasRowLabels = rowTexts.Any(l => l.Trim().Length > 0);
        bool hasColumnLabels = columnTexts.Any(l => l.Trim().Length > 0);
        string title = layout.Title ?? "";
        bool hasTitle = title.Trim().Length > 0;

        int rowLabelWidth = 0;
        IReadOnlyList<string>[] rowLines = [];
        if (hasRowLabels)
        {
            int widest = rowTexts.Max(l => TextRenderer.Measure(l, s).Width);
            rowLabelWidth = Math.Max(charWidth, Math.Min(widest, layout.RowLabelMaxWidth ?? slotWidth));
            rowLines = rowTexts.Select(l => TextRenderer.Wrap(l, rowLabelWidth, s, slotHeight / lineHeight)).ToArray();
        }

        int columnBand = 0;
        IReadOnlyList<string>[] columnLines = [];
        if (hasColumnLabels)
        {
            columnLines = columnTexts.Select(l => TextRenderer.Wrap(l, slotWidth, s, layout.MaxLabelLines)).ToArray();
            columnBand = columnLines.Max(l => l.Count) * lineHeight;
        }

        long left = p + (hasRowLabels ? rowLabelWidth + p : 0);
        long width = left + (long)columns * slotWidth + (long)(columns - 1) * p + p;
        IReadOnlyList<string> titleLines = hasTitle ? TextRenderer.Wrap(title, (int)Math.Min(int.MaxValue, width - 2L * p), s, layout.MaxLabelLines) : [];
        int titleBand = titleLines.Count * lineHeight;
        long columnBandTop = p + (hasTitle ? titleBand + p : 0);
        long top = columnBandTop + (hasColumnLabels ? columnBand + p : 0);
        long height = top + (long)rows * slotHeight + (long)(rows - 1) * p + p;

        long limit = ImageDecodeOptions.DefaultMaxPixels;
        if (width * height > limit || width > int.MaxValue || height > int.MaxValue)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"the grid would be {width}×{height} pixels ({width * height:N0}), more than the {limit:N0} pixels image decoders accept; ") +
                "use fewer rows or columns, smaller images, or several grids", nameof(rows));

        var slots = new GridRect[rows][];
        for (int r = 0; r < rows; r++)
        {
            slots[r] = new GridRect[columns];
            for (int c = 0; c < columns; c++)
                slots[r][c] = new GridRect((int)left + c * (slotWidth + p), (int)top + r * (slotHeight + p), slotWidth, slotHeight);
        }

        return new GridPlan
        {
            Width = (int)width,
            Height = (int)height,
            SlotWidth = slotWidth,
            SlotHeight = slotHeight,
            Slots = slots,
            TitleArea = hasTitle ? new GridRect(p, p, (int)width - 2 * p, titleBand) : null,
            TitleLines = titleLines,
            ColumnLabelAreas = hasColumnLabels
                ? Enumerable.Range(0, columns).Select(c => new GridRect(slots[0][c].X, (int)columnBandTop, slotWidth, columnBand)).ToArray()
                : [],
            ColumnLabelLines = columnLines,
            RowLabelAreas = hasRowLabels
                ? Enumerable.Range(0, rows).Select(r => new GridRect(p, slots[r][0].Y, rowLabelWidth, slotHeight)).ToArray()
                : [],
            RowLabelLines = rowLines,
        };
    }

    /// <summary>Draws wrapped lines centred horizontally in <paramref name="area"/>, centred vertically or against its bottom.</summary>
    private static void DrawBlock(RgbaImage grid, IReadOnlyList<string> lines, GridRect area, int scale, bool centreVertically)
    {
        int lineHeight = BitmapFont.CellHeight * scale;
        // Centre the ink, not the cell box: the box ends with one blank font column and row of spacing.
        int blockHeight = lines.Count * lineHeight - scale;
        int y = centreVertically ? area.Y + (area.Height - blockHeight) / 2 : area.Bottom - blockHeight;
        foreach (var line in lines)
        {
            int inkWidth = Math.Max(0, TextRenderer.Measure(line, scale).Width - scale);
            TextRenderer.Draw(grid, line, area.X + (area.Width - inkWidth) / 2, y, scale, 0, 0, 0);
            y += lineHeight;
        }
    }
}
