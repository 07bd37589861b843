using LoraPS.Formats;

namespace LoraPS.Models.StableDiffusion;

/// <summary>
/// A model could not be loaded because parts have missing or mis-shaped weights. The message lists every such key of
/// every part (each list cut after 12 names; <see cref="Report"/> has them all) and the file it was looked for in.
/// </summary>
public sealed class StableDiffusionLoadException : InvalidFileException
{
    public StableDiffusionLoadReport Report { get; }

    public StableDiffusionLoadException(string? filePath, StableDiffusionLoadReport report, string? hint = null)
        : base(filePath, Describe(report, filePath) + (hint is null ? "" : " " + hint))
    {
        Report = report;
    }

    private static string Describe(StableDiffusionLoadReport report, string? mainPath)
    {
        var parts = report.Parts.Where(p => !p.IsComplete).Select(p =>
        {
            string where = p.SourcePath == mainPath ? "" : $" in {p.SourcePath}";
            return $"{p.Part}{where}: {ModelWeights.DescribeProblems(p.Part, p.Missing, p.WrongShape)}";
        });
        return $"cannot load the {report.Family} model: " + string.Join("; ", parts) + ".";
    }
}
