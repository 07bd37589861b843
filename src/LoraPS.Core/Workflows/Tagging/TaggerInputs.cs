using LoraPS.Formats.Images;

namespace LoraPS.Workflows.Tagging;

/// <summary>Turns -Path arguments (files and folders) into the pictures to tag.</summary>
public static class TaggerInputs
{
    /// <summary>
    /// Files are taken as they are; folders give their pictures (by extension), sorted by name,
    /// with sub-folders when <paramref name="recurse"/>. Paths that do not exist are returned as errors.
    /// </summary>
    public static (List<TrainingImage> Images, List<(string Path, Exception Error)> Errors) Expand(IEnumerable<string> paths, bool recurse)
    {
        var images = new List<TrainingImage>();
        var errors = new List<(string, Exception)>();
        var seen = new HashSet<string>(OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        foreach (string raw in paths)
        {
            string path = Path.GetFullPath(raw);
            if (Directory.Exists(path))
            {
                var files = Directory.EnumerateFiles(path, "*", recurse ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
                    .Where(ImageCodecs.IsImageExtension)
                    .OrderBy(f => f, StringComparer.Ordinal);
                foreach (string file in files)
                    if (seen.Add(file)) images.Add(new TrainingImage { Path = file });
            }
            else if (File.Exists(path))
            {
                if (seen.Add(path)) images.Add(new TrainingImage { Path = path });
            }
            else errors.Add((raw, new FileNotFoundException($"{raw} does not exist", raw)));
        }
        return (images, errors);
    }
}
