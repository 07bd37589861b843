namespace LoraPS.Workflows.Dataset;

/// <summary>
/// A dataset and what training will see, computed without training: New-LoraDataset and
/// Get-LoraDataset emit it, Start-LoraTraining takes it from the pipeline (by ConfigPath).
/// </summary>
public sealed record LoraDataset
{
    /// <summary>The dataset config (TOML) file, or null when only a folder layout was made or -WhatIf wrote nothing.</summary>
    public string? ConfigPath { get; init; }

    /// <summary>The kohya_ss layout folders, when one was made (img, reg, log, model).</summary>
    public string? TrainDataDir { get; init; }
    public string? RegDataDir { get; init; }
    public string? OutputDir { get; init; }
    public string? LoggingDir { get; init; }

    public required IReadOnlyList<SubsetSummary> Subsets { get; init; }

    /// <summary>Training pictures (not counting repeats).</summary>
    public int ImageCount { get; init; }

    /// <summary>Regularisation pictures (not counting repeats).</summary>
    public int RegImageCount { get; init; }

    /// <summary>Training pictures × repeats: what one epoch shows of the subject.</summary>
    public long TrainItemsPerEpoch { get; init; }

    /// <summary>Regularisation pictures × repeats after sd-scripts' balancing.</summary>
    public long RegItemsPerEpoch { get; init; }

    /// <summary>Batches per epoch (the DataLoader's length).</summary>
    public int BatchesPerEpoch { get; init; }

    /// <summary>Optimizer steps per epoch: batches ÷ gradient accumulation, rounded up.</summary>
    public int StepsPerEpoch { get; init; }

    public int Epochs { get; init; }
    public int GradientAccumulation { get; init; }
    public int TotalSteps { get; init; }

    /// <summary>Batch size of the first dataset (each dataset may have its own).</summary>
    public int BatchSize { get; init; }

    public required IReadOnlyList<BucketSummary> Buckets { get; init; }

    /// <summary>Pictures that sit alone in their bucket (their batches hold only themselves).</summary>
    public required IReadOnlyList<string> LoneBucketImages { get; init; }

    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>Every planned picture with its size and bucket.</summary>
    public required IReadOnlyList<PlannedImage> Images { get; init; }

    /// <summary>The config the plan was made from.</summary>
    public required DatasetConfig Config { get; init; }
}

/// <summary>One subset as planned.</summary>
public sealed record SubsetSummary
{
    public int Dataset { get; init; }
    public string? ImageDir { get; init; }
    public SubsetKind Kind { get; init; }
    public bool IsReg { get; init; }
    public int NumRepeats { get; init; }
    public string? ClassTokens { get; init; }
    public string CaptionExtension { get; init; } = ".caption";
    public int ImageCount { get; init; }

    /// <summary>Pictures × repeats this subset puts into an epoch (for reg subsets, after balancing).</summary>
    public long Items { get; init; }

    public int CaptionCount { get; init; }
    public int MissingCaptions { get; init; }

    /// <summary>False when sd-scripts skips the subset (no pictures, not a folder, repeats &lt; 1, duplicate folder).</summary>
    public bool Used { get; init; } = true;
}

/// <summary>One bucket of one dataset.</summary>
public sealed record BucketSummary
{
    public int Dataset { get; init; }
    public int Width { get; init; }
    public int Height { get; init; }
    public string Resolution => $"{Width}x{Height}";
    public int ImageCount { get; init; }
    public long Items { get; init; }
    public int Batches { get; init; }
}

/// <summary>One picture with where it lands.</summary>
public sealed record PlannedImage
{
    public required string Path { get; init; }
    public int Dataset { get; init; }
    public int Subset { get; init; }
    public bool IsReg { get; init; }
    public Size2 Size { get; init; }
    public Size2 Bucket { get; init; }
    public Size2 Resized { get; init; }

    /// <summary>Left and top of the centre crop from the resized picture to the bucket (random instead with random_crop).</summary>
    public int CropLeft => (Resized.Width - Bucket.Width) / 2;
    public int CropTop => (Resized.Height - Bucket.Height) / 2;

    public double AspectError { get; init; }

    /// <summary>Repeats this picture gets (reg pictures: after balancing; 0 when unused).</summary>
    public int Repeats { get; init; }

    public string? CaptionPath { get; init; }
}
