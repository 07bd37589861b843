using LoraPS.Formats.Toml;

namespace LoraPS.Workflows.Dataset;

/// <summary>Writes a <see cref="DatasetConfig"/> as the TOML sd-scripts reads, atomically.</summary>
public static class DatasetConfigWriter
{
    public static string ToText(DatasetConfig config, string newline = "\n") => TomlWriter.Write(config.ToToml(), newline);

    /// <summary>Writes <paramref name="path"/>; refuses to replace an existing file unless <paramref name="overwrite"/>.</summary>
    public static void WriteFile(DatasetConfig config, string path, bool overwrite = false, string newline = "\n")
    {
        TomlWriter.WriteFile(path, config.ToToml(), overwrite, newline);
        config.SourcePath = Path.GetFullPath(path);
    }
}
