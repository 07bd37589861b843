using System.Text.RegularExpressions;
using LoraPS.Formats;

namespace LoraPS.Workflows.Dataset;

/// <summary>CharFramework's size classes of a picture side.</summary>
public enum CharSizeClass
{
    Low,
    Mid,
    High,
}

/// <summary>
/// Zuntan03/CharFramework's dataset rules (GenerateCharTag / GenerateCharToml): tags and
/// class_tokens from folder names, <c>_flip_</c>/<c>_noflip_</c>, tags from <c>[fb][0-2][0-7]</c> file
/// names, datasets split by picture size class with a batch-size table chosen by GPU memory.
/// </summary>
public static partial class CharFrameworkRules
{
    [GeneratedRegex("^[fb][0-2][0-7]")]
    private static partial Regex ViewNamePattern();

    /// <summary>The name cut at its first '_' (what both tags and class_tokens start from).</summary>
    private static string BeforeUnderscore(string folderName)
    {
        int i = folderName.IndexOf('_');
        return i < 0 ? folderName : folderName[..i];
    }

    /// <summary>class_tokens: the folder name cut at the first '_', then at the first ','.</summary>
    public static string ClassTokens(string folderName)
    {
        string head = BeforeUnderscore(folderName);
        int comma = head.IndexOf(',');
        return comma < 0 ? head : head[..comma];
    }

    /// <summary>The keyword tags: the first word of the class tokens, then the comma tags of the name.</summary>
    public static IReadOnlyList<string> KeywordTags(string folderName)
    {
        string head = BeforeUnderscore(folderName);
        int comma = head.IndexOf(',');
        string first = comma < 0 ? head : head[..comma];
        string rest = comma < 0 ? "" : head[comma..];
        int space = first.IndexOf(' ');
        if (space >= 0) first = first[..space];
        var tags = new List<string> { first };
        tags.AddRange(rest.Split(',').Select(t => t.Trim()).Where(t => t.Length > 0));
        return tags;
    }

    /// <summary>flip_aug for a folder: <c>_noflip_</c> turns it off, otherwise it is on (CharFramework's default).</summary>
    public static bool FlipAug(string folderName) => !folderName.Contains("_noflip_", StringComparison.Ordinal);

    /// <summary>Repeats from the top folder's integer prefix (e.g. <c>4_krnk</c> → 4); 1 without one.</summary>
    public static int Repeats(string topFolderName) =>
        LegacyFolders.TryParse(topFolderName, out int n, out _) && n > 0 ? n : 1;

    /// <summary>True for file names CharFramework tags: f/b, view height 0–2, direction 0–7.</summary>
    public static bool IsViewName(string fileName) => ViewNamePattern().IsMatch(fileName);

    /// <summary>The view tags of a <c>[fb][0-2][0-7]…</c> file name, in CharFramework's order (keywords excluded).</summary>
    public static IReadOnlyList<string> ViewTags(string fileName)
    {
        if (!IsViewName(fileName)) throw new ArgumentException($"'{fileName}' does not start with [fb][0-2][0-7]", nameof(fileName));
        bool face = fileName[0] == 'f';
        int d2 = fileName[1] - '0', d3 = fileName[2] - '0';
        bool front = d3 is 0 or 1 or 2 or 6 or 7;
        var tags = new List<string> { "white background", "black background", "simple background" };
        tags.Add(d2 switch { 0 => "from horizontal", 1 => "from above", _ => "from below" });
        tags.Add(d3 is 0 or 1 or 7 ? "from front" : d3 is 2 or 6 ? "from side" : "from behind");
        tags.Add(face ? "upper body" : "full body");
        tags.AddRange(new[] { "standing", "straight standing" });
        if (face)
        {
            tags.AddRange(new[] { "nude", "completely nude", "bare shoulders" });
            if (front) tags.AddRange(new[] { "nipples", "collarbone", "abs", "ribs" });
            else tags.AddRange(new[] { "shoulder blades", "median furrow" });
            if ((d2 == 1 && front) || (d2 == 2 && d3 is 0 or 1 or 7)) tags.Add("navel");
        }
        tags.Add(d3 == 0 ? "looking at viewer" : "looking away");
        if (d3 != 4) tags.AddRange(new[] { "smile", "open mouth", "blush" });
        return tags;
    }

    /// <summary>The whole tag line for a picture: folder keywords then view tags, joined with ", ".</summary>
    public static string TagLine(string folderName, string fileName) =>
        string.Join(", ", KeywordTags(folderName).Concat(ViewTags(fileName)));

    public static CharSizeClass SizeClass(int side) => side <= 512 ? CharSizeClass.Low : side <= 768 ? CharSizeClass.Mid : CharSizeClass.High;

    public static int ClassResolution(CharSizeClass c) => c switch { CharSizeClass.Low => 512, CharSizeClass.Mid => 768, _ => 1024 };

    /// <summary>
    /// Batch size for a size class pair. Below 12 GB of GPU memory CharFramework's table: LOW_LOW 2, the rest 1;
    /// from 12 GB its commented 12 GB table: LOW_LOW 4, MID_LOW and LOW_MID 3, MID_MID, HIGH_LOW and LOW_HIGH 2, the rest 1.
    /// </summary>
    public static int BatchSize(CharSizeClass width, CharSizeClass height, int gpuMemoryGB)
    {
        if (gpuMemoryGB < 12) return width == CharSizeClass.Low && height == CharSizeClass.Low ? 2 : 1;
        return (width, height) switch
        {
            (CharSizeClass.Low, CharSizeClass.Low) => 4,
            (CharSizeClass.Mid, CharSizeClass.Low) or (CharSizeClass.Low, CharSizeClass.Mid) => 3,
            (CharSizeClass.Mid, CharSizeClass.Mid) or (CharSizeClass.High, CharSizeClass.Low) or (CharSizeClass.Low, CharSizeClass.High) => 2,
            _ => 1,
        };
    }

    public static string ClassName(CharSizeClass width, CharSizeClass height) => $"{width.ToString().ToUpperInvariant()}_{height.ToString().ToUpperInvariant()}";

    /// <summary>Where CharFramework writes a top folder's config: <c>&lt;folder&gt;/&lt;folder&gt;.toml</c>.</summary>
    public static string ConfigPath(string topFolder)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(topFolder));
        return Path.Combine(full, Path.GetFileName(full) + ".toml");
    }

    /// <summary>
    /// GenerateCharToml: for a top folder such as <c>4_krnk</c>, one [[datasets]] per size class
    /// present (resolution and batch size from the class) and one subset per picture folder, with
    /// image_dir written as CharFramework does (<c>..\top\sub</c>, valid from sd-scripts\ and from the
    /// config's own folder). Every picture of a folder must share one size class.
    /// </summary>
    public static DatasetConfig BuildConfig(string topFolder, IImageSizeSource sizes, int gpuMemoryGB)
    {
        string top = Path.TrimEndingDirectorySeparator(Path.GetFullPath(topFolder));
        if (!Directory.Exists(top)) throw new DirectoryNotFoundException($"CharFramework folder not found: {top}");
        string topName = Path.GetFileName(top);
        var config = new DatasetConfig();
        config.General["color_aug"] = true;
        config.General["enable_bucket"] = true;
        config.General["bucket_no_upscale"] = true;
        config.General["caption_extension"] = ".txt";
        config.General["num_repeats"] = (long)Repeats(topName);

        var byClass = new SortedDictionary<(CharSizeClass W, CharSizeClass H), List<SubsetConfig>>();
        var folders = new[] { top }.Concat(Directory.EnumerateDirectories(top, "*", SearchOption.AllDirectories)).OrderBy(d => d, StringComparer.Ordinal);
        foreach (string folder in folders)
        {
            var pngs = Directory.EnumerateFiles(folder, "*.*").Where(f => Path.GetExtension(f).Equals(".png", StringComparison.OrdinalIgnoreCase))
                .OrderBy(f => f, StringComparer.Ordinal).ToList();
            if (pngs.Count == 0) continue;
            var classes = pngs.Select(p => { var s = sizes.SizeOf(p); return (W: SizeClass(s.Width), H: SizeClass(s.Height), File: p); }).ToList();
            var distinct = classes.Select(c => (c.W, c.H)).Distinct().ToList();
            if (distinct.Count > 1)
                throw new InvalidFileException(folder, "CharFramework needs every picture of a folder in one size class, but this folder mixes "
                    + string.Join(", ", distinct.Select(d => $"{ClassName(d.W, d.H)} ({Path.GetFileName(classes.First(c => (c.W, c.H) == d).File)})")));
            string name = Path.GetFileName(folder);
            string relative = Path.GetRelativePath(Path.GetDirectoryName(top)!, folder).Replace('/', '\\');
            var subset = new SubsetConfig();
            subset.Options["image_dir"] = "..\\" + relative;
            subset.Options["class_tokens"] = ClassTokens(name);
            subset.Options["flip_aug"] = FlipAug(name);
            if (!byClass.TryGetValue(distinct[0], out var list)) byClass[distinct[0]] = list = new List<SubsetConfig>();
            list.Add(subset);
        }
        foreach (var ((w, h), subsets) in byClass)
        {
            var dataset = new DatasetEntryConfig();
            dataset.Options["resolution"] = new Size2(ClassResolution(w), ClassResolution(h));
            dataset.Options["batch_size"] = (long)BatchSize(w, h, gpuMemoryGB);
            dataset.Subsets.AddRange(subsets);
            config.Datasets.Add(dataset);
        }
        return config;
    }

    /// <summary>GenerateCharTag: writes &lt;name&gt;.txt (no newline) for every <c>[fb][0-2][0-7]*.png</c> under the folder. Returns the files written (or that would be, with <paramref name="whatIf"/>).</summary>
    public static IReadOnlyList<string> WriteTagFiles(string topFolder, bool overwrite, bool whatIf)
    {
        var written = new List<string>();
        foreach (string png in Directory.EnumerateFiles(Path.GetFullPath(topFolder), "*.*", SearchOption.AllDirectories)
                     .Where(f => Path.GetExtension(f).Equals(".png", StringComparison.OrdinalIgnoreCase)).OrderBy(f => f, StringComparer.Ordinal))
        {
            string fileName = Path.GetFileName(png);
            if (!IsViewName(fileName)) continue;
            string txt = Path.ChangeExtension(png, ".txt");
            if (File.Exists(txt) && !overwrite) continue;
            string folderName = Path.GetFileName(Path.GetDirectoryName(png)!);
            if (!whatIf) AtomicFile.WriteAllText(txt, TagLine(folderName, fileName), overwrite);
            written.Add(txt);
        }
        return written;
    }
}
