using LoraPS.Formats;
using LoraPS.Formats.SafeTensors;
using LoraPS.Torch;

namespace LoraPS.Models.StableDiffusion.UNet;

/// <summary>What loading a UNet found: checkpoint keys (ldm names with prefix) that were missing, left over, or of the wrong shape.</summary>
public sealed record UNetLoadReport(IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected, IReadOnlyList<string> WrongShape)
{
    public bool IsExact => Missing.Count == 0 && Unexpected.Count == 0 && WrongShape.Count == 0;

    public override string ToString() =>
        IsExact ? "all UNet weights loaded" : ModelWeights.DescribeProblems("UNet", Missing, WrongShape, Unexpected);
}

/// <summary>A checkpoint's UNet weights are missing or have the wrong shapes; the message lists each key.</summary>
public sealed class UNetWeightsException(string? filePath, UNetLoadReport report) : InvalidFileException(filePath, report.ToString())
{
    public UNetLoadReport Report { get; } = report;
}

/// <summary>Reads a single-file checkpoint's <c>model.diffusion_model.*</c> tensors into a <see cref="UNet2DConditionModel"/>.</summary>
public static class UNetWeights
{
    /// <summary>
    /// Copies every parameter of <paramref name="unet"/> from its ldm key in <paramref name="file"/> (converted to the
    /// model's dtype and device). Missing or mis-shaped keys fail together, each named, before anything is copied
    /// (<see cref="UNetWeightsException"/>); keys under the prefix that nothing reads are returned in the report.
    /// </summary>
    public static UNetLoadReport Load(UNet2DConditionModel unet, ITensorFile file, string prefix = UNetCheckpointLayout.DefaultPrefix)
    {
        var config = unet.Config;
        var own = unet.state_dict();
        var map = own.Keys.ToDictionary(k => k, k => prefix + UNetCheckpointLayout.ToLdm(k, config), StringComparer.Ordinal);
        var missing = new List<string>();
        var wrongShape = new List<string>();
        foreach (var (name, key) in map)
        {
            if (!file.Contains(key)) { missing.Add(key); continue; }
            long[] expected = own[name].shape, actual = file.GetInfo(key).Shape;
            if (!actual.SequenceEqual(expected))
                wrongShape.Add($"{key} [{string.Join(", ", actual)}] (expected [{string.Join(", ", expected)}] for {name})");
        }
        var used = map.Values.ToHashSet(StringComparer.Ordinal);
        var unexpected = file.TensorNames.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && !used.Contains(k)).ToList();
        var report = new UNetLoadReport(missing, unexpected, wrongShape);
        if (missing.Count > 0 || wrongShape.Count > 0) throw new UNetWeightsException(file.Path, report);

        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var (name, key) in map)
            {
                using var raw = ModelWeights.ReadFloat(file, key, "a UNet weight");
                tensors[name] = raw.to(own[name].device, own[name].dtype, copy: true);
            }
            unet.load_state_dict(tensors, strict: true);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
        return report;
    }

}
