using LoraPS.Formats;

namespace LoraPS.Models.StableDiffusion.UNet;

/// <summary>What loading a UNet found: checkpoint keys (ldm names with prefix) that were missing, left over, or of the wrong shape.</summary>
public sealed record UNetLoadReport(IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected, IReadOnlyList<string> WrongShape)
{
    internal static UNetLoadReport From(ModelPartLoadReport part) => new(part.Missing, part.Unexpected, part.WrongShape);

    public bool IsExact => Missing.Count == 0 && Unexpected.Count == 0 && WrongShape.Count == 0;

    public override string ToString() =>
        IsExact ? "all UNet weights loaded" : ModelWeights.DescribeProblems("UNet", Missing, WrongShape, Unexpected);
}

/// <summary>A checkpoint's UNet weights are missing or have the wrong shapes; the message lists each key.</summary>
public sealed class UNetWeightsException(string? filePath, UNetLoadReport report) : InvalidFileException(filePath, report.ToString())
{
    public UNetLoadReport Report { get; } = report;
}
