using LoraPS.Models.Text;

namespace LoraPS.Bench;

/// <summary>Files the benchmarks read from ../shared beside the repository, when it is there.</summary>
internal static class SharedData
{
    /// <summary>../shared/data/bpe_simple_vocab_16e6.txt.gz, or null.</summary>
    public static string? FindVocabulary()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "LoraPS.sln"))) continue;
            string candidate = Path.Combine(dir.FullName, "..", "shared", "data", ClipTokenizerFiles.OpenAiBpeFileName);
            return File.Exists(candidate) ? Path.GetFullPath(candidate) : null;
        }
        return null;
    }
}
