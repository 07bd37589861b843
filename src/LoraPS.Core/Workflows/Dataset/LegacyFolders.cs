using System.Globalization;

namespace LoraPS.Workflows.Dataset;

/// <summary>
/// sd-scripts' folder convention without a config: every sub-folder of --train_data_dir named
/// <c>&lt;repeats&gt;_&lt;class tokens&gt;</c> is a subset (e.g. <c>20_mylora 1boy</c>), and sub-folders of
/// --reg_data_dir the same with is_reg. Reads such a layout into a <see cref="DatasetConfig"/>.
/// </summary>
public static class LegacyFolders
{
    /// <summary>
    /// Splits a folder name at its first '_': the part before must be an integer as Python's int()
    /// reads it (spaces and a sign allowed), the rest is the class tokens.
    /// </summary>
    public static bool TryParse(string folderName, out int repeats, out string classTokens)
    {
        repeats = 0;
        classTokens = "";
        int underscore = folderName.IndexOf('_');
        if (underscore < 0) return false;
        string head = folderName[..underscore].Trim();
        if (!int.TryParse(head, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out repeats)) return false;
        classTokens = folderName[(underscore + 1)..];
        return true;
    }

    /// <summary>The folder name for <paramref name="repeats"/> and <paramref name="classTokens"/>.</summary>
    public static string FolderName(int repeats, string classTokens) => $"{repeats}_{classTokens}";

    /// <summary>True when <paramref name="folder"/> holds at least one <c>&lt;n&gt;_&lt;name&gt;</c> sub-folder.</summary>
    public static bool IsParentOfSubsets(string folder) =>
        Directory.Exists(folder) && Directory.EnumerateDirectories(folder).Any(d => TryParse(Path.GetFileName(d), out _, out _));

    /// <summary>The subsets sd-scripts makes from a train (or reg) data folder, with its warnings for skipped folders.</summary>
    public static List<SubsetConfig> ReadSubsets(string parent, bool isReg, List<string> warnings)
    {
        var subsets = new List<SubsetConfig>();
        foreach (string dir in Directory.EnumerateDirectories(parent).OrderBy(d => d, StringComparer.Ordinal))
        {
            string name = Path.GetFileName(dir);
            if (!TryParse(name, out int repeats, out string tokens))
            {
                warnings.Add($"ignored folder '{name}' in {parent}: its name does not start with <repeats>_ (e.g. 20_mylora 1boy)");
                continue;
            }
            if (repeats < 1)
            {
                warnings.Add($"ignored folder '{name}' in {parent}: repeats {repeats} is less than 1");
                continue;
            }
            var subset = new SubsetConfig();
            subset.Options["image_dir"] = Path.GetFullPath(dir);
            subset.Options["num_repeats"] = (long)repeats;
            subset.Options["class_tokens"] = tokens;
            if (isReg) subset.Options["is_reg"] = true;
            subsets.Add(subset);
        }
        return subsets;
    }

    /// <summary>
    /// The config sd-scripts would build from --train_data_dir / --reg_data_dir plus the given
    /// general settings (resolution, batch size, caption extension …).
    /// </summary>
    public static DatasetConfig ToConfig(string trainDataDir, string? regDataDir, DatasetOptions general, List<string> warnings)
    {
        if (!Directory.Exists(trainDataDir)) throw new DirectoryNotFoundException($"training folder not found: {trainDataDir}");
        var config = new DatasetConfig();
        foreach (string key in general.Keys) config.General[key] = general[key];
        var dataset = new DatasetEntryConfig();
        dataset.Subsets.AddRange(ReadSubsets(trainDataDir, isReg: false, warnings));
        if (regDataDir is not null)
        {
            if (!Directory.Exists(regDataDir)) throw new DirectoryNotFoundException($"regularisation folder not found: {regDataDir}");
            dataset.Subsets.AddRange(ReadSubsets(regDataDir, isReg: true, warnings));
        }
        config.Datasets.Add(dataset);
        return config;
    }
}
