using System.Globalization;
using LoraPS.Formats;
using LoraPS.Formats.Images;
using LoraPS.Formats.Images.Exif;

namespace LoraPS.Workflows.Rename;

/// <summary>
/// Works out a rename without touching anything: which images belong to the set (readable pictures;
/// the rest are reported and left alone), their order, their new names, the sidecars that follow
/// them, and the numbers to skip because a file outside the set already has that name.
/// </summary>
internal static class RenamePlanner
{
    /// <summary>What to rename in one folder: the whole folder (Files null) or the listed files only.</summary>
    internal sealed record FolderInput(string Folder, IReadOnlyList<string>? Files);

    public static RenamePlan Plan(RenameOptions options, CancellationToken cancel)
    {
        options.Validate();
        var problems = new List<RenameProblem>();
        var inputs = ResolveInputs(options, problems);
        var folders = new List<FolderRenamePlan>();
        foreach (var input in inputs)
        {
            cancel.ThrowIfCancellationRequested();
            folders.Add(PlanFolder(input, options, problems, cancel));
        }
        return new RenamePlan(options, folders, problems);
    }

    private static List<FolderInput> ResolveInputs(RenameOptions options, List<RenameProblem> problems)
    {
        var wholeFolders = new List<string>();
        var files = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (string raw in options.Paths)
        {
            string path = Path.GetFullPath(raw);
            if (Directory.Exists(path))
            {
                string folder = Path.TrimEndingDirectorySeparator(path);
                wholeFolders.Add(folder);
                if (options.Recurse)
                    // Hidden and system folders (.git, $RECYCLE.BIN …) are not training data.
                    wholeFolders.AddRange(Directory.EnumerateDirectories(folder, "*", new EnumerationOptions { RecurseSubdirectories = true })
                        .Order(StringComparer.Ordinal));
            }
            else if (File.Exists(path))
            {
                // Sidecars piped in with their images (Get-ChildItem -File) travel with them anyway.
                if (RenameOptions.SidecarExtensions.Contains(Path.GetExtension(path).ToLowerInvariant())) continue;
                string folder = Path.GetDirectoryName(path)!;
                if (!files.TryGetValue(folder, out var list)) files[folder] = list = [];
                if (!list.Contains(Path.GetFileName(path))) list.Add(Path.GetFileName(path));
            }
            else if (RenameJournal.ExistsIn(Path.GetDirectoryName(path)!))
            {
                // Probably moved by the interrupted rename whose journal is there: it is followed after recovery.
                string folder = Path.GetDirectoryName(path)!;
                if (!files.TryGetValue(folder, out var list)) files[folder] = list = [];
                list.Add(Path.GetFileName(path));
            }
            else problems.Add(new RenameProblem(path, new FileNotFoundException($"{path} does not exist", path)));
        }
        var inputs = wholeFolders.Distinct(StringComparer.Ordinal).Select(f => new FolderInput(f, null)).ToList();
        foreach (var (folder, list) in files)
            if (!inputs.Any(i => i.Folder == folder)) inputs.Add(new FolderInput(folder, list));
        return inputs;
    }

    private sealed record Candidate(string Name, ImageHeader Header, DateTime SortTime);

    public static FolderRenamePlan PlanFolder(FolderInput input, RenameOptions options, List<RenameProblem> problems, CancellationToken cancel)
    {
        string folder = input.Folder;
        if (RenameJournal.ExistsIn(folder))
            // An interrupted rename is finished first; what is there afterwards is planned then.
            return new FolderRenamePlan { Folder = folder, Moves = [], Images = [], HasPendingJournal = true, Input = input };
        var entries = Directory.EnumerateFileSystemEntries(folder).Select(e => Path.GetFileName(e)!).ToList();
        var fileNames = entries.Where(n => File.Exists(Path.Combine(folder, n))).ToHashSet(StringComparer.Ordinal);

        IEnumerable<string> names = input.Files ?? fileNames.Where(n => IsImageName(n) && !RenameJournal.IsOwnFile(n));
        var candidates = new List<Candidate>();
        foreach (string name in names)
        {
            cancel.ThrowIfCancellationRequested();
            string path = Path.Combine(folder, name);
            if (input.Files != null && !fileNames.Contains(name))
            {
                problems.Add(new RenameProblem(path, new FileNotFoundException($"{path} does not exist", path)));
                continue;
            }
            if (!IsImageName(name))
            {
                problems.Add(new RenameProblem(path, new ImageFormatException(path, $"'{Path.GetExtension(name)}' is not a training image extension ({string.Join(", ", RenameOptions.ImageExtensions)}); left as it is")));
                continue;
            }
            try
            {
                var header = ImageCodecs.Probe(path);
                DateTime time = options.Sort switch
                {
                    RenameSort.Modified => File.GetLastWriteTimeUtc(path),
                    RenameSort.DateTaken => ExifReader.Read(path).DateTaken ?? File.GetLastWriteTime(path),
                    _ => default,
                };
                candidates.Add(new Candidate(name, header, time));
            }
            catch (Exception e) when (e is InvalidFileException or IOException or UnauthorizedAccessException)
            {
                problems.Add(new RenameProblem(path, e is InvalidFileException ? e : new InvalidFileException(path, "cannot be read: " + e.Message, e)));
            }
        }

        IComparer<string> natural = NaturalStringComparer.Instance;
        candidates = (options.Sort switch
        {
            RenameSort.Name => candidates.OrderBy(c => c.Name, StringComparer.Ordinal),
            RenameSort.DateTaken or RenameSort.Modified => candidates.OrderBy(c => c.SortTime).ThenBy(c => c.Name, natural),
            _ => candidates.OrderBy(c => c.Name, natural),
        }).ToList();

        // Sidecars: same stem, one of the sidecar extensions. The first image (in order) with a stem claims them.
        var notes = new List<string>();
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        var sidecarsOf = new List<List<string>>();
        foreach (var c in candidates)
        {
            string stem = Path.GetFileNameWithoutExtension(c.Name);
            var mine = new List<string>();
            foreach (string ext in RenameOptions.SidecarExtensions)
                foreach (string f in fileNames.Where(f => Path.GetFileNameWithoutExtension(f) == stem
                                                          && string.Equals(Path.GetExtension(f), ext, StringComparison.OrdinalIgnoreCase)))
                {
                    if (claimed.Add(f)) mine.Add(f);
                    else notes.Add($"{f} belongs to an earlier image with the same stem; it stays with that one, not {c.Name}");
                }
            sidecarsOf.Add(mine);
        }

        // Everything in the folder that does not move with the set keeps its name, and no target may take it.
        var inSet = new HashSet<string>(candidates.Select(c => c.Name).Concat(claimed), StringComparer.Ordinal);
        var outside = new HashSet<string>(entries.Where(e => !inSet.Contains(e)), StringComparer.OrdinalIgnoreCase);

        string prefix = string.IsNullOrEmpty(options.Prefix) ? Path.GetFileName(folder) : options.Prefix;
        var moves = new List<RenameMove>();
        var images = new List<TrainingImage>();
        int number = options.Start;
        for (int k = 0; k < candidates.Count; k++)
        {
            var c = candidates[k];
            string stem;
            while (true)
            {
                stem = FormatName(prefix, number, options);
                string s = stem;
                var clash = new[] { c.Name }.Concat(sidecarsOf[k]).Select(n => s + Path.GetExtension(n)).FirstOrDefault(outside.Contains);
                if (clash == null) break;
                notes.Add($"number {number} skipped: {clash} is not part of the set and is never overwritten");
                number++;
            }
            number++;
            string imageTarget = stem + Path.GetExtension(c.Name);
            moves.Add(new RenameMove(c.Name, imageTarget, true));
            string? caption = null, captionPath = null;
            foreach (string sidecar in sidecarsOf[k])
            {
                string target = stem + Path.GetExtension(sidecar);
                moves.Add(new RenameMove(sidecar, target, false));
                bool isCaption = Path.GetExtension(sidecar).ToLowerInvariant() is ".txt" or ".caption";
                if (isCaption && (captionPath == null || Path.GetExtension(sidecar).Equals(".txt", StringComparison.OrdinalIgnoreCase)))
                {
                    captionPath = Path.Combine(folder, target);
                    caption = ReadCaption(Path.Combine(folder, sidecar));
                }
            }
            images.Add(new TrainingImage
            {
                Path = Path.Combine(folder, imageTarget),
                Width = c.Header.DisplayWidth,
                Height = c.Header.DisplayHeight,
                Format = c.Header.Format,
                CaptionPath = captionPath ?? Path.Combine(folder, stem + ".txt"),
                Caption = caption,
            });
        }
        return new FolderRenamePlan
        {
            Folder = folder,
            Moves = moves,
            Images = images,
            Notes = notes,
            Input = input,
        };
    }

    public static string FormatName(string prefix, int number, RenameOptions options) =>
        options.Style == RenameStyle.Explorer
            ? $"{prefix} ({number.ToString(CultureInfo.InvariantCulture)})"
            : $"{prefix}_{number.ToString(CultureInfo.InvariantCulture).PadLeft(options.Digits, '0')}";

    public static bool IsImageName(string name)
    {
        string ext = Path.GetExtension(name).ToLowerInvariant();
        return RenameOptions.ImageExtensions.Contains(ext) || ImageCodecs.IsImageExtension(name);
    }

    private static string? ReadCaption(string path)
    {
        try { return File.ReadAllText(path).Trim(); }
        catch (IOException) { return null; }
    }
}
