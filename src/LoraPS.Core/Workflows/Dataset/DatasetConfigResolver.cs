using LoraPS.Formats.Toml;

namespace LoraPS.Workflows.Dataset;

/// <summary>What sd-scripts would take from its command line where the config is silent.</summary>
public sealed record CommandLineDefaults
{
    /// <summary>--resolution; DreamBooth datasets need it from here when the config has none.</summary>
    public Size2? Resolution { get; init; }

    /// <summary>--train_batch_size.</summary>
    public int BatchSize { get; init; } = 1;

    /// <summary>--caption_extension (sd-scripts' default is still ".caption").</summary>
    public string CaptionExtension { get; init; } = ".caption";

    /// <summary>--enable_bucket.</summary>
    public bool EnableBucket { get; init; }

    /// <summary>Folder that relative image_dir / metadata_file paths are resolved against (sd-scripts uses its working folder).</summary>
    public string? BaseDirectory { get; init; }
}

/// <summary>One subset with every setting resolved (subset → dataset → general → command line → default).</summary>
public sealed record ResolvedSubset
{
    public int DatasetIndex { get; init; }
    public int SubsetIndex { get; init; }
    public SubsetKind Kind { get; init; }
    public string? ImageDir { get; init; }
    public string? MetadataFile { get; init; }
    public bool IsReg { get; init; }
    public int NumRepeats { get; init; }
    public string? ClassTokens { get; init; }
    public string CaptionExtension { get; init; } = ".caption";
    public bool FlipAug { get; init; }
    public bool ColorAug { get; init; }
    public bool RandomCrop { get; init; }
    public bool ShuffleCaption { get; init; }
    public int KeepTokens { get; init; }
    public bool EnableWildcard { get; init; }
}

/// <summary>One dataset with its bucketing resolved and its subsets.</summary>
public sealed record ResolvedDataset
{
    public int Index { get; init; }
    public Size2 Resolution { get; init; }
    public int BatchSize { get; init; }

    /// <summary>Share of each training subset held out for validation (0 = none).</summary>
    public double ValidationSplit { get; init; }

    public required BucketSettings Buckets { get; init; }
    public required IReadOnlyList<ResolvedSubset> Subsets { get; init; }
    public IReadOnlyList<string> Warnings { get; init; } = Array.Empty<string>();
}

/// <summary>Applies sd-scripts' order of precedence and its dataset-level checks (asserts) to a config.</summary>
public static class DatasetConfigResolver
{
    public static IReadOnlyList<ResolvedDataset> Resolve(DatasetConfig config, CommandLineDefaults? defaults = null)
    {
        defaults ??= new CommandLineDefaults();
        string baseDir = defaults.BaseDirectory
            ?? (config.SourcePath is not null ? Path.GetDirectoryName(config.SourcePath)! : Directory.GetCurrentDirectory());
        var result = new List<ResolvedDataset>();
        var problems = new List<ConfigProblem>();
        for (int d = 0; d < config.Datasets.Count; d++)
        {
            var dataset = config.Datasets[d];
            var warnings = new List<string>();
            object? DatasetValue(string key) => dataset.Options[key] ?? config.General[key];

            var resolution = ToSize(DatasetValue("resolution")) ?? defaults.Resolution;
            if (resolution is null)
            {
                problems.Add(new(dataset.Line, 1, $"datasets[{d}]", "resolution is required: set it in [general] or [[datasets]] (or give --resolution / -Resolution)"));
                continue;
            }
            int batch = (int)((long?)DatasetValue("batch_size") ?? defaults.BatchSize);
            if (batch < 1) problems.Add(new(dataset.Line, 1, $"datasets[{d}]", $"batch_size must be at least 1, not {batch}"));
            bool enable = (bool?)DatasetValue("enable_bucket") ?? defaults.EnableBucket;
            int steps = (int)((long?)DatasetValue("bucket_reso_steps") ?? 64);
            int min = (int)((long?)DatasetValue("min_bucket_reso") ?? 256);
            int max = (int)((long?)DatasetValue("max_bucket_reso") ?? 1024);
            bool noUpscale = (bool?)DatasetValue("bucket_no_upscale") ?? false;
            if (enable)
            {
                if (steps <= 0) problems.Add(new(dataset.Line, 1, $"datasets[{d}]", $"bucket_reso_steps must be positive, not {steps}"));
                else if (min - min % steps <= 0 || max <= 0)
                    problems.Add(new(dataset.Line, 1, $"datasets[{d}]", $"min_bucket_reso ({min}) must be at least bucket_reso_steps ({steps}) and max_bucket_reso ({max}) positive"));
                else
                {
                    if (steps % 32 != 0) warnings.Add($"datasets[{d}]: bucket_reso_steps {steps} is not a multiple of 32 (SDXL) or 64 (SD1/SD2); sd-scripts refuses it");
                    else if (steps % 64 != 0) warnings.Add($"datasets[{d}]: bucket_reso_steps {steps} suits SDXL only; SD1/SD2 need a multiple of 64");
                    if (min % steps != 0) { min -= min % steps; warnings.Add($"datasets[{d}]: min_bucket_reso rounded down to {min}, a multiple of bucket_reso_steps"); }
                    if (max % steps != 0) { max += steps - max % steps; warnings.Add($"datasets[{d}]: max_bucket_reso rounded up to {max}, a multiple of bucket_reso_steps"); }
                    var r = resolution.Value;
                    if (Math.Min(r.Width, r.Height) < min)
                        problems.Add(new(dataset.Line, 1, $"datasets[{d}]", $"min_bucket_reso {min} is larger than the resolution's shorter side {Math.Min(r.Width, r.Height)}"));
                    if (Math.Max(r.Width, r.Height) > max)
                        problems.Add(new(dataset.Line, 1, $"datasets[{d}]", $"max_bucket_reso {max} is smaller than the resolution's longer side {Math.Max(r.Width, r.Height)}"));
                    if (noUpscale && (DatasetValue("min_bucket_reso") is not null || DatasetValue("max_bucket_reso") is not null))
                        warnings.Add($"datasets[{d}]: min/max_bucket_reso are ignored with bucket_no_upscale");
                }
            }

            double split = (double?)DatasetValue("validation_split") ?? 0.0;
            if (split is < 0 or > 1)
            {
                warnings.Add($"datasets[{d}]: validation_split {split} is outside [0, 1]; sd-scripts makes no validation set");
                split = 0;
            }

            var subsets = new List<ResolvedSubset>();
            for (int s = 0; s < dataset.Subsets.Count; s++)
            {
                var subset = dataset.Subsets[s];
                object? Value(string key) => subset.Options[key] ?? dataset.Options[key] ?? config.General[key];
                string ext = (string?)Value("caption_extension") ?? defaults.CaptionExtension;
                if (ext.Length > 0 && ext[0] != '.') ext = "." + ext;
                subsets.Add(new ResolvedSubset
                {
                    DatasetIndex = d,
                    SubsetIndex = s,
                    Kind = subset.Kind,
                    ImageDir = ResolvePath((string?)subset.Options["image_dir"], baseDir),
                    MetadataFile = ResolvePath((string?)subset.Options["metadata_file"], baseDir),
                    IsReg = (bool?)subset.Options["is_reg"] ?? false,
                    NumRepeats = (int)((long?)Value("num_repeats") ?? 1),
                    ClassTokens = (string?)Value("class_tokens"),
                    CaptionExtension = ext,
                    FlipAug = (bool?)Value("flip_aug") ?? false,
                    ColorAug = (bool?)Value("color_aug") ?? false,
                    RandomCrop = (bool?)Value("random_crop") ?? false,
                    ShuffleCaption = (bool?)Value("shuffle_caption") ?? false,
                    KeepTokens = (int)((long?)Value("keep_tokens") ?? 0),
                    EnableWildcard = (bool?)Value("enable_wildcard") ?? false,
                });
            }
            result.Add(new ResolvedDataset
            {
                Index = d,
                Resolution = resolution.Value,
                BatchSize = batch,
                ValidationSplit = split,
                Buckets = new BucketSettings
                {
                    Resolution = resolution.Value,
                    EnableBucket = enable,
                    MinBucketReso = min,
                    MaxBucketReso = max,
                    BucketResoSteps = steps,
                    NoUpscale = noUpscale,
                },
                Subsets = subsets,
                Warnings = warnings,
            });
        }
        if (problems.Count > 0) throw new DatasetConfigException(config.SourcePath, problems);
        return result;
    }

    /// <summary>resolution as an int (square) or [width, height].</summary>
    public static Size2? ToSize(object? value) => value switch
    {
        long l => new Size2((int)l, (int)l),
        TomlArray { Count: 2 } a when a[0] is long w && a[1] is long h => new Size2((int)w, (int)h),
        _ => null,
    };

    /// <summary>A config path as this machine reads it: Windows separators accepted everywhere, relative to <paramref name="baseDir"/>.</summary>
    public static string? ResolvePath(string? path, string baseDir)
    {
        if (string.IsNullOrEmpty(path)) return path;
        string native = Path.DirectorySeparatorChar == '/' ? path.Replace('\\', '/') : path;
        return Path.GetFullPath(Path.IsPathRooted(native) ? native : Path.Combine(baseDir, native));
    }
}
