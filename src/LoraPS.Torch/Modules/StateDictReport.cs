namespace LoraPS.Torch.Modules;

/// <summary>What <see cref="Module.load_state_dict"/> found: keys the module has but the dict lacks, keys it
/// does not know, and keys whose shapes differ (which are never loaded).</summary>
public sealed record StateDictReport(
    IReadOnlyList<string> MissingKeys,
    IReadOnlyList<string> UnexpectedKeys,
    IReadOnlyList<ShapeMismatch> ShapeMismatches,
    int LoadedCount)
{
    public bool IsExact => MissingKeys.Count == 0 && UnexpectedKeys.Count == 0 && ShapeMismatches.Count == 0;

    public override string ToString()
    {
        var parts = new List<string>();
        if (MissingKeys.Count > 0) parts.Add($"missing keys ({MissingKeys.Count}): {string.Join(", ", MissingKeys.Take(20))}{(MissingKeys.Count > 20 ? ", …" : "")}");
        if (UnexpectedKeys.Count > 0) parts.Add($"unexpected keys ({UnexpectedKeys.Count}): {string.Join(", ", UnexpectedKeys.Take(20))}{(UnexpectedKeys.Count > 20 ? ", …" : "")}");
        if (ShapeMismatches.Count > 0) parts.Add($"shape mismatches ({ShapeMismatches.Count}): {string.Join("; ", ShapeMismatches.Take(20))}");
        return parts.Count == 0 ? $"all {LoadedCount} keys loaded" : string.Join(". ", parts);
    }
}

public sealed record ShapeMismatch(string Key, long[] Expected, long[] Found)
{
    public override string ToString() => $"{Key}: module has [{string.Join(", ", Expected)}], state dict has [{string.Join(", ", Found)}]";
}

/// <summary>A strict load found missing, unexpected or mis-shaped keys; nothing was loaded.</summary>
public sealed class StateDictMismatchException(StateDictReport report)
    : Exception("the state dict does not match the module: " + report)
{
    public StateDictReport Report { get; } = report;
}
