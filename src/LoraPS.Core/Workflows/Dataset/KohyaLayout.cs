using LoraPS.Formats;

namespace LoraPS.Workflows.Dataset;

/// <summary>How pictures get into a kohya layout.</summary>
public enum LinkMode
{
    Copy,
    /// <summary>A second name for the same file: no extra disk space; falls back to a copy across volumes.</summary>
    HardLink,
}

/// <summary>One folder of the layout to fill: <c>img/&lt;repeats&gt;_&lt;tokens&gt;</c> or <c>reg/&lt;repeats&gt;_&lt;class&gt;</c>.</summary>
public sealed record LayoutGroup(bool IsReg, int Repeats, string ClassTokens, IReadOnlyList<string> Files);

/// <summary>What a layout is (or would be, under -WhatIf).</summary>
public sealed record KohyaLayoutResult(string Root, string TrainDataDir, string? RegDataDir, string OutputDir, string LoggingDir,
    IReadOnlyList<(LayoutGroup Group, string Folder)> Folders, int FilesWritten, int FilesSkipped);

/// <summary>
/// The kohya_ss GUI's "Prepare training data" layout: <c>img/&lt;repeats&gt;_&lt;instance&gt; &lt;class&gt;/</c>,
/// <c>reg/&lt;repeats&gt;_&lt;class&gt;/</c>, <c>log/</c> and <c>model/</c> under one destination, filled by
/// copying or hard-linking the pictures and their caption files.
/// </summary>
public static class KohyaLayout
{
    public static KohyaLayoutResult Create(string destination, IReadOnlyList<LayoutGroup> groups, LinkMode mode, bool overwrite,
        bool whatIf, List<string> warnings, CancellationToken cancellation = default, IProgress<DatasetProgress>? progress = null)
    {
        string root = Path.GetFullPath(destination);
        string img = Path.Combine(root, "img"), reg = Path.Combine(root, "reg");
        string model = Path.Combine(root, "model"), log = Path.Combine(root, "log");
        var folders = new List<(LayoutGroup, string)>();
        foreach (var group in groups)
        {
            if (group.Repeats < 1) throw new ArgumentException($"repeats must be at least 1 for {group.ClassTokens}");
            if (string.IsNullOrWhiteSpace(group.ClassTokens)) throw new ArgumentException("the layout needs an instance and class prompt (-Instance, -Class) for every folder");
            string name = LegacyFolders.FolderName(group.Repeats, group.ClassTokens.Trim());
            if (name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.Contains('/') || name.Contains('\\'))
                throw new ArgumentException($"'{name}' cannot be a folder name");
            string folder = Path.Combine(group.IsReg ? reg : img, name);
            foreach (string file in group.Files)
            {
                string source = Path.GetFullPath(Path.GetDirectoryName(file)!);
                if (PathsOverlap(source, folder))
                    throw new ArgumentException($"the source folder {source} and the target {folder} are the same or inside each other");
            }
            folders.Add((group, folder));
        }
        // Two different pictures with one name would land on the same file: refuse before writing anything.
        foreach (var byFolder in folders.GroupBy(f => f.Item2, StringComparer.Ordinal))
        {
            var clash = byFolder.SelectMany(f => f.Item1.Files).Select(Path.GetFullPath).Distinct(StringComparer.Ordinal)
                .GroupBy(Path.GetFileName, OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal)
                .FirstOrDefault(g => g.Count() > 1);
            if (clash is not null)
                throw new ArgumentException($"{clash.Count()} different pictures are named {clash.Key} ({string.Join(", ", clash)}); they cannot share {byFolder.Key}. Rename them first (Rename-TrainingImages)");
        }
        if (whatIf)
            return new KohyaLayoutResult(root, img, groups.Any(g => g.IsReg) ? reg : null, model, log, folders, 0, 0);

        int written = 0, skipped = 0, done = 0, total = groups.Sum(g => g.Files.Count);
        string stage = mode == LinkMode.HardLink ? "Linking pictures into the layout" : "Copying pictures into the layout";
        foreach (var (group, folder) in folders)
        {
            Directory.CreateDirectory(folder);
            foreach (string file in group.Files.SelectMany(WithCaptions).Distinct(StringComparer.Ordinal))
            {
                cancellation.ThrowIfCancellationRequested();
                if (DatasetPlanner.ImageExtensions.Contains(Path.GetExtension(file)) && (++done % 64 == 0 || done == total))
                    progress?.Report(new DatasetProgress(stage, done, total));
                string target = Path.Combine(folder, Path.GetFileName(file));
                if (File.Exists(target))
                {
                    if (SameContent(file, target)) { skipped++; continue; }
                    if (!overwrite) throw new IOException($"{target} already exists with other content; use -Force (or --force) to replace it");
                }
                Transfer(file, target, mode, overwrite, warnings);
                written++;
            }
        }
        Directory.CreateDirectory(model);
        Directory.CreateDirectory(log);
        return new KohyaLayoutResult(root, img, groups.Any(g => g.IsReg) ? reg : null, model, log, folders, written, skipped);
    }

    /// <summary>A picture and the caption-like files beside it with the same stem (.txt, .caption …).</summary>
    public static IEnumerable<string> WithCaptions(string image)
    {
        yield return Path.GetFullPath(image);
        string dir = Path.GetDirectoryName(Path.GetFullPath(image))!;
        string stem = Path.GetFileNameWithoutExtension(image);
        foreach (string ext in DatasetPlanner.CommonCaptionExtensions)
        {
            string caption = Path.Combine(dir, stem + ext);
            if (File.Exists(caption)) yield return caption;
        }
    }

    private static void Transfer(string source, string target, LinkMode mode, bool overwrite, List<string> warnings)
    {
        if (mode == LinkMode.HardLink)
        {
            // Link under a temporary name, then rename into place: the target is never half-made.
            string temp = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
            if (FileLinks.TryCreateHardLink(source, temp, out string? error))
            {
                File.Move(temp, target, overwrite);
                return;
            }
            warnings.Add($"could not hard-link {source} ({error}); copied it instead");
        }
        AtomicFile.Write(target, output =>
        {
            using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            input.CopyTo(output);
        }, overwrite);
    }

    private static bool SameContent(string a, string b)
    {
        var fa = new FileInfo(a);
        var fb = new FileInfo(b);
        if (fa.Length != fb.Length) return false;
        return File.ReadAllBytes(a).AsSpan().SequenceEqual(File.ReadAllBytes(b));
    }

    private static bool PathsOverlap(string a, string b)
    {
        string na = Path.TrimEndingDirectorySeparator(a) + Path.DirectorySeparatorChar;
        string nb = Path.TrimEndingDirectorySeparator(b) + Path.DirectorySeparatorChar;
        var cmp = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return na.StartsWith(nb, cmp) || nb.StartsWith(na, cmp);
    }
}
