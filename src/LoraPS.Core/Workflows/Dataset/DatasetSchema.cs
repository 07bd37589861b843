namespace LoraPS.Workflows.Dataset;

/// <summary>The levels of an sd-scripts dataset config where a key may appear.</summary>
[Flags]
public enum ConfigLevel
{
    General = 1,
    Dataset = 2,
    Subset = 4,
    All = General | Dataset | Subset,
    GeneralOrDataset = General | Dataset,
}

/// <summary>The value types sd-scripts' config schema (voluptuous) accepts.</summary>
public enum OptionType
{
    /// <summary>An integer.</summary>
    Integer,
    Boolean,
    String,
    /// <summary>A float only: sd-scripts refuses an integer such as 1 where it wants 1.0.</summary>
    Float,
    /// <summary>An integer or a float.</summary>
    Number,
    /// <summary>An integer (square) or a [width, height] pair of integers.</summary>
    Resolution,
    /// <summary>Exactly two floats.</summary>
    FloatPair,
    /// <summary>A table of anything.</summary>
    Table,
    /// <summary>One of lanczos, nearest, bilinear, linear, bicubic, cubic, area, box.</summary>
    Interpolation,
}

/// <summary>Which kind of subset a key belongs to (a key for every kind has all flags).</summary>
[Flags]
public enum SubsetKinds
{
    DreamBooth = 1,
    FineTuning = 2,
    ControlNet = 4,
    Any = DreamBooth | FineTuning | ControlNet,
}

/// <summary>One key of the dataset config: its type, its default, where it may appear and what it is for.</summary>
public sealed record DatasetOption(string Key, OptionType Type, object? Default, ConfigLevel Levels, SubsetKinds Kinds, string Description)
{
    public string ExpectedType => Type switch
    {
        OptionType.Integer => "an integer",
        OptionType.Boolean => "a boolean (true or false)",
        OptionType.String => "a string",
        OptionType.Float => "a float (write 1.0, not 1)",
        OptionType.Number => "a number",
        OptionType.Resolution => "an integer or an array [width, height] of two integers",
        OptionType.FloatPair => "an array of exactly two floats",
        OptionType.Table => "a table",
        OptionType.Interpolation => "one of " + string.Join(", ", DatasetSchema.Interpolations.Select(i => $"\"{i}\"")),
        _ => Type.ToString(),
    };
}

/// <summary>
/// Every key sd-scripts' dataset config knows (library/config_util.py as of 2026-02), with the level
/// where it is allowed and its default (argparse defaults win over dataclass defaults, as in sd-scripts).
/// </summary>
public static class DatasetSchema
{
    public static readonly string[] Interpolations = { "lanczos", "nearest", "bilinear", "linear", "bicubic", "cubic", "area", "box" };

    /// <summary>Keys sd-scripts takes only from the command line; in the file they are "extra keys".</summary>
    public static readonly IReadOnlyDictionary<string, string> CommandLineOnly = new Dictionary<string, string>
    {
        ["prior_loss_weight"] = "--prior_loss_weight",
        ["debug_dataset"] = "--debug_dataset",
        ["train_data_dir"] = "--train_data_dir",
        ["reg_data_dir"] = "--reg_data_dir",
        ["in_json"] = "--in_json",
    };

    public static IReadOnlyList<DatasetOption> All { get; } = new DatasetOption[]
    {
        // Subset options: allowed at every level.
        new("num_repeats", OptionType.Integer, 1L, ConfigLevel.All, SubsetKinds.Any, "how many times each picture is seen per epoch"),
        new("shuffle_caption", OptionType.Boolean, false, ConfigLevel.All, SubsetKinds.Any, "shuffle the comma-separated tags on every fetch"),
        new("caption_separator", OptionType.String, ",", ConfigLevel.All, SubsetKinds.Any, "what separates tags"),
        new("keep_tokens", OptionType.Integer, 0L, ConfigLevel.All, SubsetKinds.Any, "leading tags kept in place when shuffling"),
        new("keep_tokens_separator", OptionType.String, "", ConfigLevel.All, SubsetKinds.Any, "text that ends the fixed part of a caption"),
        new("secondary_separator", OptionType.String, null, ConfigLevel.All, SubsetKinds.Any, "joins tags that shuffle and drop as one"),
        new("enable_wildcard", OptionType.Boolean, false, ConfigLevel.All, SubsetKinds.Any, "pick one caption line at random"),
        new("color_aug", OptionType.Boolean, false, ConfigLevel.All, SubsetKinds.Any, "random hue/gamma changes (no latent caching)"),
        new("flip_aug", OptionType.Boolean, false, ConfigLevel.All, SubsetKinds.Any, "flip half the fetches horizontally"),
        new("face_crop_aug_range", OptionType.FloatPair, null, ConfigLevel.All, SubsetKinds.Any, "face crop scale range [lo, hi]"),
        new("random_crop", OptionType.Boolean, false, ConfigLevel.All, SubsetKinds.Any, "crop at a random offset instead of the centre"),
        new("caption_prefix", OptionType.String, null, ConfigLevel.All, SubsetKinds.Any, "text put before every caption"),
        new("caption_suffix", OptionType.String, null, ConfigLevel.All, SubsetKinds.Any, "text put after every caption"),
        new("token_warmup_min", OptionType.Integer, 1L, ConfigLevel.All, SubsetKinds.Any, "tags used at the start of token warm-up"),
        new("token_warmup_step", OptionType.Number, 0L, ConfigLevel.All, SubsetKinds.Any, "steps (or fraction of training) of token warm-up"),
        new("custom_attributes", OptionType.Table, null, ConfigLevel.All, SubsetKinds.Any, "free-form attributes passed to the trainer"),
        new("caption_dropout_rate", OptionType.Number, 0L, ConfigLevel.All, SubsetKinds.Any, "chance that a caption is dropped"),
        new("caption_dropout_every_n_epochs", OptionType.Integer, 0L, ConfigLevel.All, SubsetKinds.Any, "drop every caption every n-th epoch"),
        new("caption_tag_dropout_rate", OptionType.Number, 0L, ConfigLevel.All, SubsetKinds.Any, "chance that each tag is dropped"),
        new("resize_interpolation", OptionType.Interpolation, null, ConfigLevel.All, SubsetKinds.Any, "resampling filter for resizing"),
        // DreamBooth keys.
        new("image_dir", OptionType.String, null, ConfigLevel.Subset, SubsetKinds.Any, "folder of pictures (required for DreamBooth and ControlNet subsets)"),
        new("is_reg", OptionType.Boolean, false, ConfigLevel.Subset, SubsetKinds.DreamBooth, "regularisation pictures"),
        new("alpha_mask", OptionType.Boolean, false, ConfigLevel.Subset, SubsetKinds.DreamBooth | SubsetKinds.FineTuning, "use the alpha channel as a loss mask"),
        new("class_tokens", OptionType.String, null, ConfigLevel.All, SubsetKinds.DreamBooth, "caption for pictures without a caption file"),
        new("caption_extension", OptionType.String, ".caption", ConfigLevel.All, SubsetKinds.DreamBooth | SubsetKinds.ControlNet, "extension of caption files (a missing dot is added)"),
        new("cache_info", OptionType.Boolean, false, ConfigLevel.All, SubsetKinds.DreamBooth | SubsetKinds.ControlNet, "cache sizes and captions in metadata_cache.json"),
        // Fine-tuning and ControlNet keys.
        new("metadata_file", OptionType.String, null, ConfigLevel.Subset, SubsetKinds.FineTuning, "captions and tags as .json/.jsonl (makes a fine-tuning subset)"),
        new("conditioning_data_dir", OptionType.String, null, ConfigLevel.Subset, SubsetKinds.ControlNet, "conditioning pictures (makes a ControlNet subset)"),
        // Dataset options: [general] or [[datasets]].
        new("batch_size", OptionType.Integer, 1L, ConfigLevel.GeneralOrDataset, SubsetKinds.Any, "pictures per batch"),
        new("resolution", OptionType.Resolution, null, ConfigLevel.GeneralOrDataset, SubsetKinds.Any, "training size; its area bounds the buckets"),
        new("enable_bucket", OptionType.Boolean, false, ConfigLevel.GeneralOrDataset, SubsetKinds.Any, "aspect-ratio bucketing"),
        new("min_bucket_reso", OptionType.Integer, 256L, ConfigLevel.GeneralOrDataset, SubsetKinds.Any, "smallest bucket side"),
        new("max_bucket_reso", OptionType.Integer, 1024L, ConfigLevel.GeneralOrDataset, SubsetKinds.Any, "largest bucket side"),
        new("bucket_reso_steps", OptionType.Integer, 64L, ConfigLevel.GeneralOrDataset, SubsetKinds.Any, "bucket sides are multiples of this"),
        new("bucket_no_upscale", OptionType.Boolean, false, ConfigLevel.GeneralOrDataset, SubsetKinds.Any, "never enlarge pictures; buckets follow them"),
        new("network_multiplier", OptionType.Float, 1.0, ConfigLevel.GeneralOrDataset, SubsetKinds.Any, "LoRA multiplier while training this dataset"),
        new("validation_seed", OptionType.Integer, null, ConfigLevel.GeneralOrDataset, SubsetKinds.Any, "seed of the validation split"),
        new("validation_split", OptionType.Float, 0.0, ConfigLevel.GeneralOrDataset, SubsetKinds.Any, "share of pictures held out for validation"),
    };

    private static readonly Dictionary<string, DatasetOption> ByKey = All.ToDictionary(o => o.Key, StringComparer.Ordinal);

    public static DatasetOption? Find(string key) => ByKey.GetValueOrDefault(key);

    /// <summary>The known key nearest to <paramref name="key"/> by edit distance, or null when nothing is close.</summary>
    public static string? Nearest(string key)
    {
        string lower = key.ToLowerInvariant().Replace('-', '_').Replace(' ', '_');
        var candidates = All.Select(o => o.Key).Concat(new[] { "general", "datasets", "subsets" });
        var best = candidates.Select(k => (Key: k, Distance: EditDistance(lower, k))).OrderBy(c => c.Distance).ThenBy(c => c.Key, StringComparer.Ordinal).First();
        return best.Distance <= Math.Max(2, key.Length / 3) ? best.Key : null;
    }

    internal static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    internal static string LevelName(ConfigLevel level) => level switch
    {
        ConfigLevel.General => "[general]",
        ConfigLevel.Dataset => "[[datasets]]",
        ConfigLevel.Subset => "[[datasets.subsets]]",
        _ => level.ToString(),
    };

    internal static string LevelsText(ConfigLevel levels) =>
        string.Join(", ", new[] { ConfigLevel.General, ConfigLevel.Dataset, ConfigLevel.Subset }.Where(l => levels.HasFlag(l)).Select(LevelName));
}
