namespace LoraPS.Workflows.Rename;

/// <summary>How new names are written.</summary>
public enum RenameStyle
{
    /// <summary>"prefix (1).png", "prefix (2).png" … as Windows Explorer numbers a multi-file rename.</summary>
    Explorer,
    /// <summary>"prefix_0001.png" with <see cref="RenameOptions.Digits"/> digits.</summary>
    Padded,
}

/// <summary>The order in which images get their numbers.</summary>
public enum RenameSort
{
    /// <summary>By name, with digit runs compared as numbers ("img2" before "img10"), ignoring case.</summary>
    Natural,
    /// <summary>By name, ordinal (character codes), as `ls` sorts.</summary>
    Name,
    /// <summary>By the EXIF date the picture was taken (DateTimeOriginal); pictures without one use their modified time.</summary>
    DateTaken,
    /// <summary>By the file's last-modified time.</summary>
    Modified,
}

/// <summary>Options of Rename-TrainingImages / `loraps rename`.</summary>
public sealed record RenameOptions
{
    /// <summary>Folders (every image in them) and/or image files (only those; grouped by folder).</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];

    /// <summary>The name before the number; null or empty = each folder's own name.</summary>
    public string? Prefix { get; init; }

    public RenameStyle Style { get; init; } = RenameStyle.Explorer;

    /// <summary>Minimum digits for <see cref="RenameStyle.Padded"/> (1–9).</summary>
    public int Digits { get; init; } = 4;

    /// <summary>The first number.</summary>
    public int Start { get; init; } = 1;

    public RenameSort Sort { get; init; } = RenameSort.Natural;

    /// <summary>Also renames inside subfolders (each folder numbered on its own).</summary>
    public bool Recurse { get; init; }

    /// <summary>Reverts an interrupted rename (from its journal) instead of renaming.</summary>
    public bool Undo { get; init; }

    /// <summary>Sidecar extensions that travel with their image (same stem).</summary>
    public static IReadOnlyList<string> SidecarExtensions { get; } = [".txt", ".caption", ".npz", ".json"];

    /// <summary>Picture extensions sd-scripts trains on; a file with one of these that LoraPS cannot read is reported and left alone.</summary>
    public static IReadOnlyList<string> ImageExtensions { get; } = [".png", ".jpg", ".jpeg", ".webp", ".bmp"];

    /// <summary>Test hook: called after each file-system operation (journal write or rename) with its running count.</summary>
    internal Action<int>? AfterOperation { get; init; }

    internal void Validate()
    {
        if (Paths.Count == 0) throw new ArgumentException("no folder or image given to rename");
        if (Digits is < 1 or > 9) throw new ArgumentException($"Digits must be 1–9, not {Digits}");
        if (Start < 0) throw new ArgumentException($"Start must be 0 or more, not {Start}");
        if (Prefix != null && Prefix.IndexOfAny(Path.GetInvalidFileNameChars().Concat(['/', '\\', ':', '*', '?', '"', '<', '>', '|']).ToArray()) >= 0)
            throw new ArgumentException($"Prefix '{Prefix}' contains a character that is not allowed in file names");
        if (Prefix != null && (Prefix.EndsWith(' ') || Prefix.EndsWith('.')))
            throw new ArgumentException($"Prefix '{Prefix}' ends with a space or a dot, which Windows drops from file names");
    }
}
