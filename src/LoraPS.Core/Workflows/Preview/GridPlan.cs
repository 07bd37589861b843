namespace LoraPS.Workflows.Preview;

/// <summary>
/// Where everything in a preview grid goes, worked out before any pixel is drawn (so a caller can check
/// the size before rendering the images). Label and title lines are already wrapped.
/// </summary>
public sealed record GridPlan
{
    public required int Width { get; init; }
    public required int Height { get; init; }

    /// <summary>Size of every cell: the largest image, and at least one character of the font.</summary>
    public required int SlotWidth { get; init; }
    public required int SlotHeight { get; init; }

    /// <summary>Slots[row][column]: where each cell goes; an image smaller than the slot is centred in it.</summary>
    public required IReadOnlyList<IReadOnlyList<GridRect>> Slots { get; init; }

    /// <summary>The title band, or null without a title.</summary>
    public required GridRect? TitleArea { get; init; }
    public required IReadOnlyList<string> TitleLines { get; init; }

    /// <summary>One area per column above the cells; empty when every column label is empty.</summary>
    public required IReadOnlyList<GridRect> ColumnLabelAreas { get; init; }
    public required IReadOnlyList<IReadOnlyList<string>> ColumnLabelLines { get; init; }

    /// <summary>One area per row left of the cells; empty when every row label is empty.</summary>
    public required IReadOnlyList<GridRect> RowLabelAreas { get; init; }
    public required IReadOnlyList<IReadOnlyList<string>> RowLabelLines { get; init; }

    /// <summary>Where the image of a cell lands: centred in its slot.</summary>
    public GridRect ImageArea(int row, int column, int imageWidth, int imageHeight)
    {
        var slot = Slots[row][column];
        return new GridRect(slot.X + (slot.Width - imageWidth) / 2, slot.Y + (slot.Height - imageHeight) / 2, imageWidth, imageHeight);
    }
}
