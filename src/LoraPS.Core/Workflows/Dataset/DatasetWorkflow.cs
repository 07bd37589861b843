using LoraPS.Formats;

namespace LoraPS.Workflows.Dataset;

/// <summary>What New-LoraDataset writes.</summary>
public enum DatasetLayout
{
    /// <summary>Only the kohya_ss folders (img/reg/log/model); training then uses --train_data_dir.</summary>
    Kohya,
    /// <summary>Only a dataset config that points at the pictures where they are.</summary>
    Toml,
    /// <summary>The kohya_ss folders and a config pointing into them.</summary>
    Both,
}

/// <summary>Options of <see cref="DatasetWorkflow.New"/> (New-LoraDataset, `loraps dataset new`).</summary>
public sealed record NewDatasetOptions
{
    /// <summary>Pictures from the pipeline (Rename-TrainingImages, Invoke-WD14Tagger).</summary>
    public IReadOnlyList<TrainingImage> Images { get; init; } = Array.Empty<TrainingImage>();

    /// <summary>Folders: plain picture folders, <c>&lt;n&gt;_&lt;tokens&gt;</c> folders, or parents of such folders (img/).</summary>
    public IReadOnlyList<string> Paths { get; init; } = Array.Empty<string>();

    public string? Instance { get; init; }
    public string? Class { get; init; }

    /// <summary>Repeats of the training pictures; null takes them from <c>&lt;n&gt;_</c> folder names, else 10.</summary>
    public int? Repeats { get; init; }

    public IReadOnlyList<string> RegularizationPaths { get; init; } = Array.Empty<string>();
    public int RegularizationRepeats { get; init; } = 1;

    public Size2 Resolution { get; init; } = new(512, 512);
    public int BatchSize { get; init; } = 1;
    public int Epochs { get; init; } = 1;
    public int GradientAccumulation { get; init; } = 1;

    public DatasetLayout Layout { get; init; } = DatasetLayout.Toml;

    /// <summary>Where the config and the layout go; the current folder when null.</summary>
    public string? Destination { get; init; }

    public string ConfigName { get; init; } = "dataset.toml";
    public LinkMode LinkMode { get; init; } = LinkMode.Copy;

    /// <summary>Apply CharFramework's rules to the one folder in <see cref="Paths"/>.</summary>
    public bool CharFramework { get; init; }

    /// <summary>GPU memory for CharFramework's batch-size table (12 GB and more picks the larger batches).</summary>
    public int GpuMemoryGB { get; init; } = 8;

    /// <summary>With CharFramework: write the tag files its rules give (existing ones are kept unless Force).</summary>
    public bool WriteTags { get; init; }

    // Caption and augmentation keys (null or default = not written, sd-scripts' default applies).
    public string CaptionExtension { get; init; } = ".txt";
    public bool ShuffleCaption { get; init; }
    public int KeepTokens { get; init; }
    public string? KeepTokensSeparator { get; init; }
    public string? CaptionPrefix { get; init; }
    public string? CaptionSuffix { get; init; }
    public double CaptionDropoutRate { get; init; }
    public int CaptionDropoutEveryNEpochs { get; init; }
    public double CaptionTagDropoutRate { get; init; }
    public bool FlipAug { get; init; }
    public bool ColorAug { get; init; }
    public bool RandomCrop { get; init; }

    public bool EnableBucket { get; init; } = true;
    public int MinBucketReso { get; init; } = 256;
    public int MaxBucketReso { get; init; } = 1024;
    public int BucketResoSteps { get; init; } = 64;
    public bool BucketNoUpscale { get; init; }

    /// <summary>Replace an existing config (and differing files in the layout).</summary>
    public bool Force { get; init; }

    /// <summary>Plan only: write nothing.</summary>
    public bool WhatIf { get; init; }

    public bool DetectDuplicates { get; init; } = true;
    public IImageSizeSource? SizeSource { get; init; }
    public IProgress<DatasetProgress>? Progress { get; init; }
    public CancellationToken Cancellation { get; init; }
}

/// <summary>Options of <see cref="DatasetWorkflow.Get"/> (Get-LoraDataset).</summary>
public sealed record GetDatasetOptions
{
    /// <summary>A dataset config (.toml/.json), or a legacy training folder (img/ with &lt;n&gt;_&lt;tokens&gt; folders).</summary>
    public required string Path { get; init; }

    /// <summary>With a legacy folder: its regularisation folder.</summary>
    public string? RegularizationPath { get; init; }

    public int Epochs { get; init; } = 1;
    public int GradientAccumulation { get; init; } = 1;

    /// <summary>What sd-scripts' command line would supply where the config is silent.</summary>
    public CommandLineDefaults Defaults { get; init; } = new();

    public bool DetectDuplicates { get; init; } = true;
    public IImageSizeSource? SizeSource { get; init; }
    public IProgress<DatasetProgress>? Progress { get; init; }
    public CancellationToken Cancellation { get; init; }
}

/// <summary>New-LoraDataset and Get-LoraDataset: build or read a dataset, check it, and plan it.</summary>
public static class DatasetWorkflow
{
    /// <summary>Default repeats when neither -Repeats nor a folder name gives them.</summary>
    public const int DefaultRepeats = 10;

    public static LoraDataset Get(GetDatasetOptions options)
    {
        string path = Path.GetFullPath(options.Path);
        DatasetConfig config;
        var warnings = new List<string>();
        var defaults = options.Defaults;
        if (Directory.Exists(path))
        {
            var general = new DatasetOptions();
            config = LegacyFolders.ToConfig(path, options.RegularizationPath is null ? null : Path.GetFullPath(options.RegularizationPath), general, warnings);
            defaults = defaults with { Resolution = defaults.Resolution ?? new Size2(512, 512) };
        }
        else config = DatasetConfigReader.ReadFile(path);
        var plan = DatasetPlanner.Plan(config, new PlanOptions
        {
            Epochs = options.Epochs,
            GradientAccumulation = options.GradientAccumulation,
            Defaults = defaults,
            DetectDuplicates = options.DetectDuplicates,
            SizeSource = options.SizeSource,
            Progress = options.Progress,
            Cancellation = options.Cancellation,
        }, Directory.Exists(path) ? null : path);
        return WithWarnings(plan, warnings, Directory.Exists(path) ? path : null);
    }

    public static LoraDataset New(NewDatasetOptions options)
    {
        Validate(options);
        string destination = Path.GetFullPath(options.Destination ?? Directory.GetCurrentDirectory());
        var warnings = new List<string>();
        // Sizes always come from the files' headers: sd-scripts buckets by the stored size (no EXIF
        // rotation), which a TrainingImage's Width/Height need not be.
        var sizes = options.SizeSource ?? HeaderProbeSizeSource.Instance;

        if (options.CharFramework) return NewCharFramework(options, sizes, warnings);

        var groups = Groups(options, warnings);
        if (groups.Count == 0) throw new ArgumentException("no pictures: give TrainingImage objects from the pipeline or -Path folders");

        string? configPath = options.Layout == DatasetLayout.Kohya ? null : Path.Combine(destination, options.ConfigName);
        if (configPath is not null && File.Exists(configPath) && !options.Force && !options.WhatIf)
            throw new IOException($"{configPath} already exists; use -Force (or --force) to overwrite it");

        KohyaLayoutResult? layout = null;
        if (options.Layout != DatasetLayout.Toml)
        {
            layout = KohyaLayout.Create(destination, groups.Select(g => g.Layout).ToList(), options.LinkMode, options.Force, options.WhatIf, warnings, options.Cancellation, options.Progress);
        }

        // The config points at the layout's folders once they exist, else at the pictures where they are.
        var config = BaseConfig(options);
        var dataset = new DatasetEntryConfig();
        var planFiles = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var seenDirs = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < groups.Count; i++)
        {
            var group = groups[i];
            string imageDir = layout is not null ? layout.Folders[i].Folder : group.SourceFolder;
            if (layout is not null && options.WhatIf)
                planFiles[imageDir] = planFiles.TryGetValue(imageDir, out var earlier) ? earlier.Concat(group.Layout.Files).ToList() : group.Layout.Files;
            // Groups that share a layout folder (same repeats and tokens) are one subset there.
            if (!seenDirs.Add(imageDir)) continue;
            var subset = new SubsetConfig();
            subset.Options["image_dir"] = imageDir;
            subset.Options["num_repeats"] = (long)group.Layout.Repeats;
            if (group.Layout.ClassTokens.Length > 0) subset.Options["class_tokens"] = group.Layout.ClassTokens;
            if (group.Layout.IsReg) subset.Options["is_reg"] = true;
            dataset.Subsets.Add(subset);
        }
        config.Datasets.Add(dataset);

        var plan = DatasetPlanner.Plan(config, new PlanOptions
        {
            Epochs = options.Epochs,
            GradientAccumulation = options.GradientAccumulation,
            SizeSource = sizes,
            DetectDuplicates = options.DetectDuplicates,
            Defaults = new CommandLineDefaults { BaseDirectory = destination },
            FilesByImageDir = planFiles,
            Progress = options.Progress,
            Cancellation = options.Cancellation,
        });

        if (configPath is not null && !options.WhatIf)
            DatasetConfigWriter.WriteFile(config, configPath, overwrite: options.Force);
        return WithWarnings(plan, warnings, null) with
        {
            ConfigPath = options.WhatIf ? null : configPath,
            TrainDataDir = layout?.TrainDataDir,
            RegDataDir = layout?.RegDataDir,
            OutputDir = layout?.OutputDir,
            LoggingDir = layout?.LoggingDir,
        };
    }

    private static LoraDataset NewCharFramework(NewDatasetOptions options, IImageSizeSource sizes, List<string> warnings)
    {
        if (options.Paths.Count != 1 || options.Images.Count > 0)
            throw new ArgumentException("-CharFramework takes exactly one top folder (e.g. 4_krnk) as -Path");
        string top = Path.GetFullPath(options.Paths[0]);
        if (options.WriteTags)
        {
            var tags = CharFrameworkRules.WriteTagFiles(top, options.Force, options.WhatIf);
            warnings.Add($"{(options.WhatIf ? "would write" : "wrote")} {tags.Count} CharFramework tag files");
        }
        var config = CharFrameworkRules.BuildConfig(top, sizes, options.GpuMemoryGB);
        string configPath = options.Destination is null ? CharFrameworkRules.ConfigPath(top) : Path.Combine(Path.GetFullPath(options.Destination), Path.GetFileName(CharFrameworkRules.ConfigPath(top)));
        if (File.Exists(configPath) && !options.Force && !options.WhatIf)
            throw new IOException($"{configPath} already exists; use -Force (or --force) to overwrite it");
        var plan = DatasetPlanner.Plan(config, new PlanOptions
        {
            Epochs = options.Epochs,
            GradientAccumulation = options.GradientAccumulation,
            SizeSource = sizes,
            DetectDuplicates = options.DetectDuplicates,
            Defaults = new CommandLineDefaults { BaseDirectory = Path.GetDirectoryName(CharFrameworkRules.ConfigPath(top)) },
            Progress = options.Progress,
            Cancellation = options.Cancellation,
        });
        if (!options.WhatIf) DatasetConfigWriter.WriteFile(config, configPath, options.Force, newline: "\r\n");
        return WithWarnings(plan, warnings, null) with { ConfigPath = options.WhatIf ? null : configPath };
    }

    private sealed record Group(string SourceFolder, LayoutGroup Layout);

    /// <summary>Training and regularisation groups: one per source folder.</summary>
    private static List<Group> Groups(NewDatasetOptions options, List<string> warnings)
    {
        var groups = new List<Group>();
        string tokens = string.Join(' ', new[] { options.Instance, options.Class }.Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s!.Trim()));
        int repeats = options.Repeats ?? DefaultRepeats;

        // Pictures from the pipeline: grouped by folder, exactly those files go into a layout.
        foreach (var folder in options.Images.GroupBy(i => Path.GetDirectoryName(Path.GetFullPath(i.Path))!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var files = folder.Select(i => Path.GetFullPath(i.Path)).Distinct(StringComparer.Ordinal).OrderBy(f => f, StringComparer.Ordinal).ToList();
            foreach (string f in files)
                if (!File.Exists(f)) throw new FileNotFoundException($"picture not found: {f}", f);
            if (options.Layout == DatasetLayout.Toml)
            {
                int others = Directory.Exists(folder.Key) ? DatasetPlanner.ListImages(folder.Key).Count - files.Count : 0;
                if (others > 0)
                    warnings.Add($"{folder.Key} holds {others} other pictures that sd-scripts will train on too; use -Layout Kohya or Both to take only the piped ones");
            }
            groups.Add(new Group(folder.Key, new LayoutGroup(false, repeats, tokens, files)));
        }
        foreach (string path in options.Paths) groups.AddRange(FolderGroups(path, isReg: false, options.Repeats, tokens, warnings));
        string regTokens = options.Class?.Trim() ?? "";
        foreach (string path in options.RegularizationPaths) groups.AddRange(FolderGroups(path, isReg: true, options.RegularizationRepeats, regTokens, warnings));
        return groups;
    }

    private static IEnumerable<Group> FolderGroups(string path, bool isReg, int? repeats, string tokens, List<string> warnings)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (!Directory.Exists(full)) throw new DirectoryNotFoundException($"folder not found: {full}");
        if (LegacyFolders.IsParentOfSubsets(full))
        {
            // img/ (or reg/) of an existing layout: every <n>_<tokens> folder is a subset.
            foreach (var subset in LegacyFolders.ReadSubsets(full, isReg, warnings))
            {
                string dir = (string)subset.Options["image_dir"]!;
                int n = repeats ?? (int)(long)subset.Options["num_repeats"]!;
                yield return new Group(dir, new LayoutGroup(isReg, n, (string)subset.Options["class_tokens"]!, DatasetPlanner.ListImages(dir)));
            }
            yield break;
        }
        string name = Path.GetFileName(full);
        if (LegacyFolders.TryParse(name, out int folderRepeats, out string folderTokens) && folderRepeats >= 1)
            yield return new Group(full, new LayoutGroup(isReg, repeats ?? folderRepeats, tokens.Length > 0 ? tokens : folderTokens, DatasetPlanner.ListImages(full)));
        else
            yield return new Group(full, new LayoutGroup(isReg, repeats ?? (isReg ? 1 : DefaultRepeats), tokens, DatasetPlanner.ListImages(full)));
    }

    private static DatasetConfig BaseConfig(NewDatasetOptions o)
    {
        var config = new DatasetConfig();
        var g = config.General;
        g["caption_extension"] = o.CaptionExtension.StartsWith('.') ? o.CaptionExtension : "." + o.CaptionExtension;
        g["resolution"] = o.Resolution.Width == o.Resolution.Height ? (object)(long)o.Resolution.Width : o.Resolution;
        g["batch_size"] = (long)o.BatchSize;
        g["enable_bucket"] = o.EnableBucket;
        if (o.EnableBucket)
        {
            g["min_bucket_reso"] = (long)o.MinBucketReso;
            g["max_bucket_reso"] = (long)o.MaxBucketReso;
            g["bucket_reso_steps"] = (long)o.BucketResoSteps;
            if (o.BucketNoUpscale) g["bucket_no_upscale"] = true;
        }
        if (o.ShuffleCaption) g["shuffle_caption"] = true;
        if (o.KeepTokens > 0) g["keep_tokens"] = (long)o.KeepTokens;
        if (!string.IsNullOrEmpty(o.KeepTokensSeparator)) g["keep_tokens_separator"] = o.KeepTokensSeparator;
        if (o.CaptionPrefix is not null) g["caption_prefix"] = o.CaptionPrefix;
        if (o.CaptionSuffix is not null) g["caption_suffix"] = o.CaptionSuffix;
        if (o.CaptionDropoutRate > 0) g["caption_dropout_rate"] = o.CaptionDropoutRate;
        if (o.CaptionDropoutEveryNEpochs > 0) g["caption_dropout_every_n_epochs"] = (long)o.CaptionDropoutEveryNEpochs;
        if (o.CaptionTagDropoutRate > 0) g["caption_tag_dropout_rate"] = o.CaptionTagDropoutRate;
        if (o.FlipAug) g["flip_aug"] = true;
        if (o.ColorAug) g["color_aug"] = true;
        if (o.RandomCrop) g["random_crop"] = true;
        return config;
    }

    private static void Validate(NewDatasetOptions o)
    {
        if (o.Repeats is < 1) throw new ArgumentOutOfRangeException(nameof(o.Repeats), "Repeats must be at least 1");
        if (o.RegularizationRepeats < 1) throw new ArgumentOutOfRangeException(nameof(o.RegularizationRepeats), "RegularizationRepeats must be at least 1");
        if (o.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(o.BatchSize), "BatchSize must be at least 1");
        if (o.Resolution.Width < 64 || o.Resolution.Height < 64) throw new ArgumentOutOfRangeException(nameof(o.Resolution), "Resolution must be at least 64");
        if (o.CaptionDropoutRate is < 0 or > 1 || o.CaptionTagDropoutRate is < 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(o.CaptionDropoutRate), "dropout rates are between 0 and 1");
        if (o.ConfigName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || !o.ConfigName.EndsWith(".toml", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"ConfigName '{o.ConfigName}' must be a file name ending in .toml");
    }

    private static LoraDataset WithWarnings(LoraDataset plan, List<string> extra, string? trainDataDir) =>
        plan with
        {
            TrainDataDir = trainDataDir ?? plan.TrainDataDir,
            Warnings = extra.Concat(plan.Warnings).ToList(),
        };
}
