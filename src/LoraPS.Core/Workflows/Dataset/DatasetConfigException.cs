using LoraPS.Formats;

namespace LoraPS.Workflows.Dataset;

/// <summary>One problem in a dataset config: where it is and what is wrong.</summary>
public sealed record ConfigProblem(int Line, int Column, string Location, string Message)
{
    public override string ToString() => Line > 0 ? $"line {Line}, column {Column} ({Location}): {Message}" : $"{Location}: {Message}";
}

/// <summary>
/// A dataset config that sd-scripts would refuse (unknown key, key at the wrong level, wrong type,
/// missing required key, mixed subset kinds). Lists every problem found, each with its line.
/// </summary>
public sealed class DatasetConfigException : InvalidFileException
{
    public IReadOnlyList<ConfigProblem> Problems { get; }

    public DatasetConfigException(string? filePath, IReadOnlyList<ConfigProblem> problems)
        : base(filePath, problems.Count == 1 ? problems[0].ToString()
            : $"{problems.Count} problems:\n  " + string.Join("\n  ", problems))
    {
        Problems = problems;
    }
}
