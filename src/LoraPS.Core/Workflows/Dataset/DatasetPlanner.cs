using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;

namespace LoraPS.Workflows.Dataset;

/// <summary>Progress of planning: pictures probed so far.</summary>
public readonly record struct DatasetProgress(string Stage, int Done, int Total);

/// <summary>Options of <see cref="DatasetPlanner"/>.</summary>
public sealed record PlanOptions
{
    public int Epochs { get; init; } = 1;
    public int GradientAccumulation { get; init; } = 1;

    /// <summary>Where sizes come from; header probing when null.</summary>
    public IImageSizeSource? SizeSource { get; init; }

    /// <summary>Hash every picture to find duplicates (reads whole files).</summary>
    public bool DetectDuplicates { get; init; } = true;

    public CommandLineDefaults Defaults { get; init; } = new();

    /// <summary>
    /// The pictures of an image_dir when they are not simply the folder's contents: -WhatIf on a
    /// layout that does not exist yet plans the files that would be copied into it.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? FilesByImageDir { get; init; }

    public IProgress<DatasetProgress>? Progress { get; init; }
    public CancellationToken Cancellation { get; init; }
}

/// <summary>
/// Computes what sd-scripts' DreamBooth / fine-tuning dataset will do with a config, without
/// training: the pictures each subset finds, their buckets, regularisation balancing, batches and
/// steps, plus the warnings that save a wasted run.
/// </summary>
public static class DatasetPlanner
{
    /// <summary>The extensions sd-scripts picks out of an image_dir (either case).</summary>
    public static readonly IReadOnlySet<string> ImageExtensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".png", ".jpg", ".jpeg", ".webp", ".bmp" };

    /// <summary>Caption extensions people use; a caption with one of these but not the configured one is a warning.</summary>
    public static readonly string[] CommonCaptionExtensions = { ".txt", ".caption", ".tags", ".cap" };

    private const int ListLimit = 5;

    public static LoraDataset Plan(DatasetConfig config, PlanOptions? options = null, string? configPath = null)
    {
        options ??= new PlanOptions();
        if (options.Epochs < 1) throw new ArgumentOutOfRangeException(nameof(options), "Epochs must be at least 1");
        if (options.GradientAccumulation < 1) throw new ArgumentOutOfRangeException(nameof(options), "GradientAccumulation must be at least 1");
        var sizes = options.SizeSource ?? HeaderProbeSizeSource.Instance;
        var datasets = DatasetConfigResolver.Resolve(config, options.Defaults);
        var warnings = new List<string>();
        foreach (var d in datasets) warnings.AddRange(d.Warnings);
        if (datasets.Count == 0) warnings.Add("the config has no [[datasets]]: there is nothing to train on");

        // 1. Find the pictures of every subset (sd-scripts: files directly in image_dir, sorted).
        var subsetImages = new List<(ResolvedDataset Dataset, ResolvedSubset Subset, List<string> Files, bool Used, string? Skip)>();
        foreach (var dataset in datasets)
        {
            var seenDirs = new HashSet<string>(StringComparer.Ordinal);
            if (dataset.Subsets.Count == 0) warnings.Add($"datasets[{dataset.Index}] has no subsets");
            foreach (var subset in dataset.Subsets)
            {
                string name = SubsetName(subset);
                string? skip = null;
                var files = new List<string>();
                if (subset.NumRepeats < 1) skip = $"{name}: num_repeats is {subset.NumRepeats}; sd-scripts skips a subset with fewer than 1 repeat";
                else if (subset.ImageDir is not null && !seenDirs.Add(subset.ImageDir)) skip = $"{name}: the same image_dir appears twice in datasets[{dataset.Index}]; sd-scripts skips the second";
                else if (subset.Kind == SubsetKind.FineTuning) files = FineTuningImages(subset, warnings);
                else if (subset.ImageDir is not null && options.FilesByImageDir?.TryGetValue(subset.ImageDir, out var given) == true) files = given.ToList();
                else if (!Directory.Exists(subset.ImageDir)) skip = $"{name}: image_dir is not a folder; sd-scripts skips it";
                else files = ListImages(subset.ImageDir!);
                if (skip is null && files.Count == 0) skip = $"{name}: no pictures (png, jpg, jpeg, webp, bmp); sd-scripts skips an empty subset";
                if (skip is not null) warnings.Add(skip);
                subsetImages.Add((dataset, subset, files, skip is null, skip));
            }
        }

        // 2. Probe sizes in parallel; unreadable files are reported and left out.
        var allFiles = subsetImages.Where(s => s.Used).SelectMany(s => s.Files).Distinct(StringComparer.Ordinal).ToArray();
        var sizeOf = new ConcurrentDictionary<string, Size2>(StringComparer.Ordinal);
        var unreadable = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        int probed = 0;
        Parallel.ForEach(allFiles, new ParallelOptions { CancellationToken = options.Cancellation }, file =>
        {
            try
            {
                var size = sizes.SizeOf(file);
                if (size.Width <= 0 || size.Height <= 0) unreadable[file] = $"size {size} has no area";
                else sizeOf[file] = size;
            }
            catch (Exception e) when (e is LoraPS.Formats.InvalidFileException or IOException or UnauthorizedAccessException or NotSupportedException)
            {
                unreadable[file] = e is LoraPS.Formats.InvalidFileException ife ? ife.Defect : e.Message;
            }
            int done = Interlocked.Increment(ref probed);
            if (options.Progress is not null && (done % 256 == 0 || done == allFiles.Length))
                options.Progress.Report(new DatasetProgress("Reading picture headers", done, allFiles.Length));
        });
        foreach (var (file, reason) in unreadable.OrderBy(u => u.Key, StringComparer.Ordinal))
            warnings.Add($"unreadable picture left out: {file}: {reason}");

        // 3. Duplicates by content.
        if (options.DetectDuplicates) warnings.AddRange(FindDuplicates(sizeOf.Keys.ToArray(), options));

        // 4. Buckets, captions, registration with reg balancing, batches.
        var planned = new List<PlannedImage>();
        var summaries = new List<SubsetSummary>();
        var buckets = new List<BucketSummary>();
        var lone = new List<string>();
        long trainItemsTotal = 0, regItemsTotal = 0;
        int batchesTotal = 0, imageCount = 0, regImageCount = 0;
        foreach (var dataset in datasets)
        {
            var manager = new BucketManager(dataset.Buckets);
            var entries = subsetImages.Where(s => s.Dataset == dataset).ToList();
            var perSubset = new List<(ResolvedSubset Subset, List<PlannedImage> Images, int Captions, int Missing)>();
            foreach (var (_, subset, files, used, _) in entries)
            {
                var images = new List<PlannedImage>();
                int captions = 0, missing = 0, otherExt = 0, enlarged = 0, wrongSize = 0;
                var missingNames = new List<string>();
                var folderFiles = used && subset.Kind != SubsetKind.FineTuning
                    ? new HashSet<string>(files.Select(Path.GetDirectoryName).Distinct(StringComparer.Ordinal).Where(Directory.Exists)
                        .SelectMany(d => Directory.EnumerateFiles(d!)).Select(Path.GetFileName)!, StringComparer.Ordinal)
                    : new HashSet<string>();
                foreach (string file in used ? files : new List<string>())
                {
                    if (!sizeOf.TryGetValue(file, out var size)) continue;
                    BucketAssignment assignment;
                    try { assignment = manager.Select(size); }
                    catch (ArgumentOutOfRangeException e)
                    {
                        warnings.Add($"{file}: {e.Message.Split(" (Parameter")[0]}; left out");
                        continue;
                    }
                    string? caption = null;
                    if (subset.Kind != SubsetKind.FineTuning)
                    {
                        caption = FindCaption(file, subset.CaptionExtension, folderFiles);
                        if (caption is not null) captions++;
                        else
                        {
                            missing++;
                            if (missingNames.Count < ListLimit) missingNames.Add(Path.GetFileName(file));
                            string stem = Path.GetFileNameWithoutExtension(file);
                            if (CommonCaptionExtensions.Any(e => !e.Equals(subset.CaptionExtension, StringComparison.OrdinalIgnoreCase) && folderFiles.Contains(stem + e)))
                                otherExt++;
                        }
                    }
                    if (assignment.Resized.Width > size.Width || assignment.Resized.Height > size.Height) enlarged++;
                    if (!dataset.Buckets.EnableBucket && size != dataset.Resolution) wrongSize++;
                    images.Add(new PlannedImage
                    {
                        Path = file,
                        Dataset = dataset.Index,
                        Subset = subset.SubsetIndex,
                        IsReg = subset.IsReg,
                        Size = size,
                        Bucket = assignment.Bucket,
                        Resized = assignment.Resized,
                        AspectError = assignment.AspectError,
                        Repeats = subset.IsReg ? 0 : subset.NumRepeats,
                        CaptionPath = caption,
                    });
                }
                string name = SubsetName(subset);
                if (missing > 0 && subset.Kind == SubsetKind.DreamBooth)
                    warnings.Add(subset.ClassTokens is { Length: > 0 }
                        ? $"{name}: {missing} of {images.Count} pictures have no {subset.CaptionExtension} caption and train with class_tokens '{subset.ClassTokens}' ({string.Join(", ", missingNames)}{(missing > ListLimit ? ", …" : "")})"
                        : $"{name}: {missing} of {images.Count} pictures have no {subset.CaptionExtension} caption and no class_tokens: they train with an empty caption ({string.Join(", ", missingNames)}{(missing > ListLimit ? ", …" : "")})");
                if (otherExt > 0)
                    warnings.Add($"{name}: {otherExt} pictures have captions with another extension beside them, but caption_extension is '{subset.CaptionExtension}'; set caption_extension to match (e.g. \".txt\")");
                if (enlarged > 0)
                    warnings.Add($"{name}: {enlarged} pictures are smaller than their bucket and will be enlarged (consider bucket_no_upscale or larger pictures)");
                if (wrongSize > 0)
                    warnings.Add($"{name}: bucketing is off and {wrongSize} pictures are not {dataset.Resolution}; sd-scripts needs random_crop or latent caching to use them");
                if (!subset.IsReg && dataset.ValidationSplit > 0 && images.Count > 0)
                {
                    // sd-scripts trains on the first ceil(n·(1−split)) pictures after a seeded shuffle.
                    int keep = (int)Math.Ceiling(images.Count * (1 - dataset.ValidationSplit));
                    warnings.Add($"{name}: validation_split holds out {images.Count - keep} of {images.Count} pictures for validation; which ones depends on sd-scripts' seeded shuffle");
                    images = images.Take(keep).ToList();
                }
                perSubset.Add((subset, images, captions, missing));
            }

            // Training pictures with their repeats, then sd-scripts' reg balancing.
            long trainItems = perSubset.Where(p => !p.Subset.IsReg).Sum(p => (long)p.Images.Count * p.Subset.NumRepeats);
            var regImages = perSubset.Where(p => p.Subset.IsReg).SelectMany(p => p.Images.Select(i => (p.Subset, Image: i))).ToList();
            var regRepeats = BalanceRegularisation(trainItems, regImages.Select(r => r.Subset.NumRepeats).ToList());
            if (regImages.Count > 0 && regRepeats.Count(r => r > 0) < regImages.Count)
                warnings.Add($"datasets[{dataset.Index}]: some regularisation pictures are not used ({regImages.Count - regRepeats.Count(r => r > 0)} of {regImages.Count}): there are more reg pictures × repeats than training pictures × repeats");
            if (regImages.Count == 0 && perSubset.Any(p => p.Subset.IsReg))
                warnings.Add($"datasets[{dataset.Index}]: the regularisation subsets hold no usable pictures");
            var regRepeatOf = new Dictionary<PlannedImage, int>(ReferenceEqualityComparer.Instance);
            for (int i = 0; i < regImages.Count; i++) regRepeatOf[regImages[i].Image] = regRepeats[i];

            var bucketItems = new Dictionary<Size2, (HashSet<string> Images, long Items)>();
            long regItems = 0;
            foreach (var (subset, images, captions, missing) in perSubset)
            {
                long items = 0;
                foreach (var image in images)
                {
                    int repeats = subset.IsReg ? regRepeatOf[image] : subset.NumRepeats;
                    var final = subset.IsReg ? image with { Repeats = repeats } : image;
                    planned.Add(final);
                    if (repeats <= 0) continue;
                    items += repeats;
                    if (!bucketItems.TryGetValue(image.Bucket, out var b)) b = (new HashSet<string>(StringComparer.Ordinal), 0);
                    b.Images.Add(image.Path);
                    bucketItems[image.Bucket] = (b.Images, b.Items + repeats);
                }
                if (subset.IsReg) { regItems += items; regImageCount += images.Count; }
                else imageCount += images.Count;
                var entry = entries.First(e => e.Subset == subset);
                summaries.Add(new SubsetSummary
                {
                    Dataset = dataset.Index,
                    ImageDir = subset.ImageDir ?? subset.MetadataFile,
                    Kind = subset.Kind,
                    IsReg = subset.IsReg,
                    NumRepeats = subset.NumRepeats,
                    ClassTokens = subset.ClassTokens,
                    CaptionExtension = subset.CaptionExtension,
                    ImageCount = images.Count,
                    Items = items,
                    CaptionCount = captions,
                    MissingCaptions = missing,
                    Used = entry.Used && images.Count > 0,
                });
            }
            foreach (var (bucket, (imagesInBucket, items)) in bucketItems.OrderBy(b => b.Key.Width).ThenBy(b => b.Key.Height))
            {
                int batches = (int)((items + dataset.BatchSize - 1) / dataset.BatchSize);
                buckets.Add(new BucketSummary { Dataset = dataset.Index, Width = bucket.Width, Height = bucket.Height, ImageCount = imagesInBucket.Count, Items = items, Batches = batches });
                batchesTotal += batches;
                if (imagesInBucket.Count == 1) lone.Add(imagesInBucket.First());
            }
            trainItemsTotal += trainItems;
            regItemsTotal += regItems;
        }
        if (lone.Count > 0)
            warnings.Add($"{lone.Count} pictures sit alone in their bucket, so their batches hold only copies of themselves: {string.Join(", ", lone.Take(ListLimit).Select(Path.GetFileName))}{(lone.Count > ListLimit ? ", …" : "")}");
        if (imageCount == 0 && datasets.Count > 0) warnings.Add("no training pictures were found: training would have nothing to learn");

        int stepsPerEpoch = (batchesTotal + options.GradientAccumulation - 1) / options.GradientAccumulation;
        return new LoraDataset
        {
            ConfigPath = configPath ?? config.SourcePath,
            Subsets = summaries,
            ImageCount = imageCount,
            RegImageCount = regImageCount,
            TrainItemsPerEpoch = trainItemsTotal,
            RegItemsPerEpoch = regItemsTotal,
            BatchesPerEpoch = batchesTotal,
            StepsPerEpoch = stepsPerEpoch,
            Epochs = options.Epochs,
            GradientAccumulation = options.GradientAccumulation,
            TotalSteps = stepsPerEpoch * options.Epochs,
            BatchSize = datasets.Count > 0 ? datasets[0].BatchSize : 0,
            Buckets = buckets,
            LoneBucketImages = lone,
            Warnings = warnings,
            Images = planned,
            Config = config,
        };
    }

    /// <summary>
    /// sd-scripts' reg balancing: register reg pictures in order with their own repeats until they
    /// reach the training items; if one pass is not enough, add one repeat to each in turn.
    /// Returns each reg picture's repeats (0 = never registered).
    /// </summary>
    public static List<int> BalanceRegularisation(long trainItems, IReadOnlyList<int> regRepeats)
    {
        var result = new List<int>(new int[regRepeats.Count]);
        if (regRepeats.Count == 0 || trainItems <= 0) return result;
        long n = 0;
        bool first = true;
        while (n < trainItems)
        {
            for (int i = 0; i < regRepeats.Count; i++)
            {
                if (first) { result[i] = regRepeats[i]; n += regRepeats[i]; }
                else { result[i]++; n++; }
                if (n >= trainItems) break;
            }
            first = false;
        }
        return result;
    }

    /// <summary>
    /// Pictures directly in <paramref name="folder"/> (not sub-folders), in Python's sort order.
    /// Names starting with '.' are skipped, as sd-scripts' glob skips them.
    /// </summary>
    public static List<string> ListImages(string folder) =>
        Directory.EnumerateFiles(folder)
            .Where(f => ImageExtensions.Contains(Path.GetExtension(f)) && !Path.GetFileName(f).StartsWith('.'))
            .Select(Path.GetFullPath)
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToList();

    /// <summary>sd-scripts' caption lookup: &lt;stem&gt;&lt;ext&gt;, then the face-crop name without its last four _-parts.</summary>
    public static string? FindCaption(string image, string extension, IReadOnlySet<string> folderFiles)
    {
        string dir = Path.GetDirectoryName(image)!;
        string stem = Path.GetFileNameWithoutExtension(image);
        if (folderFiles.Contains(stem + extension)) return Path.Combine(dir, stem + extension);
        string[] parts = stem.Split('_');
        if (parts.Length >= 5)
        {
            string baseName = string.Join('_', parts[..^4]) + extension;
            if (folderFiles.Contains(baseName)) return Path.Combine(dir, baseName);
        }
        return null;
    }

    private static List<string> FineTuningImages(ResolvedSubset subset, List<string> warnings)
    {
        string name = SubsetName(subset);
        var files = new List<string>();
        if (subset.MetadataFile is null || !File.Exists(subset.MetadataFile))
        {
            warnings.Add($"{name}: metadata_file {subset.MetadataFile} not found (sd-scripts stops with \"no metadata\")");
            return files;
        }
        var keys = new List<string>();
        try
        {
            if (subset.MetadataFile.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase))
            {
                foreach (string line in File.ReadLines(subset.MetadataFile))
                {
                    if (string.IsNullOrWhiteSpace(line)) continue;
                    using var doc = JsonDocument.Parse(line);
                    if (doc.RootElement.TryGetProperty("image_key", out var key) || doc.RootElement.TryGetProperty("image_path", out key))
                        keys.Add(key.GetString()!);
                }
            }
            else
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(subset.MetadataFile));
                keys.AddRange(doc.RootElement.EnumerateObject().Select(p => p.Name));
            }
        }
        catch (JsonException e)
        {
            warnings.Add($"{name}: metadata_file is not valid JSON: {e.Message}");
            return files;
        }
        int missing = 0;
        foreach (string key in keys)
        {
            string? found = File.Exists(key) ? Path.GetFullPath(key) : null;
            if (found is null && subset.ImageDir is not null)
            {
                string candidate = Path.Combine(subset.ImageDir, key);
                found = File.Exists(candidate) ? candidate
                    : ImageExtensions.Select(e => candidate + e).FirstOrDefault(File.Exists);
            }
            if (found is null) missing++;
            else files.Add(found);
        }
        if (missing > 0) warnings.Add($"{name}: {missing} metadata entries have no picture file");
        return files;
    }

    private static IEnumerable<string> FindDuplicates(string[] files, PlanOptions options)
    {
        var hashes = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        // Only files of equal length can be equal: hash just those.
        var candidates = files.GroupBy(f => new FileInfo(f).Length).Where(g => g.Count() > 1).SelectMany(g => g).ToArray();
        int done = 0;
        Parallel.ForEach(candidates, new ParallelOptions { CancellationToken = options.Cancellation }, file =>
        {
            try
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
                hashes[file] = Convert.ToHexString(SHA256.HashData(stream));
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            int n = Interlocked.Increment(ref done);
            if (options.Progress is not null && (n % 256 == 0 || n == candidates.Length))
                options.Progress.Report(new DatasetProgress("Looking for duplicate pictures", n, candidates.Length));
        });
        foreach (var group in hashes.GroupBy(h => h.Value).Where(g => g.Count() > 1).OrderBy(g => g.Min(x => x.Key), StringComparer.Ordinal))
        {
            var names = group.Select(g => g.Key).OrderBy(n => n, StringComparer.Ordinal).ToList();
            yield return $"duplicate pictures (same content): {string.Join(", ", names)}";
        }
    }

    private static string SubsetName(ResolvedSubset subset) =>
        $"datasets[{subset.DatasetIndex}].subsets[{subset.SubsetIndex}] ({subset.ImageDir ?? subset.MetadataFile})";
}
