namespace LoraPS.Workflows.Rename;

/// <summary>One file to move: an image or one of its sidecars. Names are file names inside the folder.</summary>
public sealed record RenameMove(string Source, string Target, bool IsImage)
{
    public bool IsNoOp => string.Equals(Source, Target, StringComparison.Ordinal);
    public override string ToString() => $"{Source} → {Target}";
}

/// <summary>The plan for one folder: every move, the images in their new order, and what was left alone.</summary>
public sealed record FolderRenamePlan
{
    public required string Folder { get; init; }
    public required IReadOnlyList<RenameMove> Moves { get; init; }

    /// <summary>The images as they will be after the rename, in number order.</summary>
    public required IReadOnlyList<TrainingImage> Images { get; init; }

    /// <summary>Warnings: numbers skipped because their names belong to files outside the set, shared sidecars.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>True when an interrupted rename's journal is here; it is finished (or undone) before anything else.</summary>
    public bool HasPendingJournal { get; init; }

    /// <summary>What was asked for in this folder, so the plan can be made again after a recovery.</summary>
    internal RenamePlanner.FolderInput? Input { get; init; }

    public int MovingCount => Moves.Count(m => !m.IsNoOp);

    /// <summary>The plan as text, one move per line (what -WhatIf prints).</summary>
    public string Describe()
    {
        var lines = new List<string>();
        if (HasPendingJournal)
            return $"{Folder}: an interrupted rename will be finished first (journal {RenameJournal.FileName}); the folder is planned after that";
        lines.Add($"{Folder}: {Images.Count} images, {MovingCount} files to rename");
        lines.AddRange(Moves.Where(m => !m.IsNoOp).Select(m => "  " + m));
        lines.AddRange(Notes.Select(n => "  note: " + n));
        return string.Join(System.Environment.NewLine, lines);
    }
}

/// <summary>A file that was reported and left untouched (unreadable picture, missing path).</summary>
public sealed record RenameProblem(string Path, Exception Error);

/// <summary>The whole plan: one entry per folder plus the files left alone.</summary>
public sealed record RenamePlan(RenameOptions Options, IReadOnlyList<FolderRenamePlan> Folders, IReadOnlyList<RenameProblem> Problems);

/// <summary>What a rename (or an undo/recovery) did.</summary>
public sealed record RenameResult
{
    public IReadOnlyList<TrainingImage> Images { get; init; } = [];
    public IReadOnlyList<RenameProblem> Problems { get; init; } = [];
    public int FilesRenamed { get; init; }
    /// <summary>Folders where an interrupted rename was finished or undone before this run.</summary>
    public IReadOnlyList<string> Recovered { get; init; } = [];
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>Progress: files moved so far out of the total.</summary>
public sealed record RenameProgress(int Done, int Total, string Current);
