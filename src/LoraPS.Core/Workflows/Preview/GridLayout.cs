namespace LoraPS.Workflows.Preview;

/// <summary>How <see cref="PreviewGrid"/> lays out a grid. The background is white and the text black.</summary>
public sealed record GridLayout
{
    public static GridLayout Default { get; } = new();

    /// <summary>Pixels around the grid and between cells, labels and title.</summary>
    public int Padding { get; init; } = 8;

    /// <summary>Integer scale of the built-in 6×10 font (2 gives 12×20 pixel characters).</summary>
    public int FontScale { get; init; } = 2;

    /// <summary>Text above the grid (wrapped to its width); null or empty for none.</summary>
    public string? Title { get; init; }

    /// <summary>Most lines a column label or the title wraps to; longer text ends with "...".
    /// Row labels wrap to as many lines as fit beside their row.</summary>
    public int MaxLabelLines { get; init; } = 4;

    /// <summary>Widest the row-label column may be, in pixels; null for the cell width. The column is only as wide as the widest label needs.</summary>
    public int? RowLabelMaxWidth { get; init; }
}
