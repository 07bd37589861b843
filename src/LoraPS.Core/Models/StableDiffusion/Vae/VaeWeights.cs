using LoraPS.Formats;
using LoraPS.Formats.SafeTensors;
using LoraPS.Torch;

namespace LoraPS.Models.StableDiffusion.Vae;

/// <summary>A file's VAE weights are missing or have the wrong shapes; the message lists each key.</summary>
public sealed class VaeWeightsException : InvalidFileException
{
    public IReadOnlyList<string> Missing { get; }
    public IReadOnlyList<string> WrongShape { get; }

    public VaeWeightsException(string? filePath, IReadOnlyList<string> missing, IReadOnlyList<string> wrongShape)
        : base(filePath, ModelWeights.DescribeProblems("VAE", missing, wrongShape))
    {
        Missing = missing;
        WrongShape = wrongShape;
    }

}

/// <summary>
/// Where a file keeps the VAE: <c>first_stage_model.</c> in a single-file checkpoint, <c>vae.</c> in
/// some, or no prefix in a separate VAE file (sd-scripts' <c>--vae</c>). Key names below the prefix
/// are ldm's (<c>encoder.down.N.block.M…</c>, <c>mid.attn_1.q</c>), which are also the module's names.
/// </summary>
public static class VaeCheckpointLayout
{
    private static readonly string[] Prefixes = { "first_stage_model.", "vae.", "" };
    private const string Probe = "encoder.conv_in.weight";

    /// <summary>The prefix under which <paramref name="keys"/> hold the VAE, or null when none is found.</summary>
    public static string? DetectPrefix(IEnumerable<string> keys)
    {
        var set = keys as IReadOnlySet<string> ?? keys.ToHashSet(StringComparer.Ordinal);
        return Prefixes.FirstOrDefault(p => set.Contains(p + Probe));
    }

    /// <summary>Whether a key (below the prefix) belongs to the VAE's module tree.</summary>
    internal static bool IsVaeKey(string rest) =>
        rest.StartsWith("encoder.", StringComparison.Ordinal) || rest.StartsWith("decoder.", StringComparison.Ordinal)
        || rest.StartsWith("quant_conv.", StringComparison.Ordinal) || rest.StartsWith("post_quant_conv.", StringComparison.Ordinal);
}

/// <summary>The VAE's tensors read from a file, by parameter name, and the keys nothing used.</summary>
public sealed class VaeWeights : IDisposable
{
    public IReadOnlyDictionary<string, Tensor> Tensors { get; }

    /// <summary>VAE keys under the prefix that no parameter reads.</summary>
    public IReadOnlyList<string> Unexpected { get; }

    private VaeWeights(Dictionary<string, Tensor> tensors, List<string> unexpected)
    {
        Tensors = tensors;
        Unexpected = unexpected;
    }

    public void Dispose()
    {
        foreach (var t in Tensors.Values) t.Dispose();
    }

    /// <summary>
    /// Reads a tensor for every entry of <paramref name="expected"/> (parameter name → shape) from
    /// <paramref name="file"/> under <paramref name="prefix"/>, in <paramref name="dtype"/> on <paramref name="device"/>.
    /// A stored shape that differs only by singleton dimensions (the mid attention's 1×1 conv weights
    /// saved as Linear [C, C], biases as [C, 1, 1]) is reshaped. Missing or mis-shaped keys fail together.
    /// </summary>
    public static VaeWeights Load(ITensorFile file, string prefix, IReadOnlyDictionary<string, long[]> expected,
        ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var missing = new List<string>();
        var wrongShape = new List<string>();
        foreach (var (name, shape) in expected)
        {
            string key = prefix + name;
            if (!file.Contains(key)) { missing.Add(key); continue; }
            long[] actual = file.GetInfo(key).Shape;
            if (!SameUpToSingletons(actual, shape))
                wrongShape.Add($"{key} [{string.Join(", ", actual)}] (expected [{string.Join(", ", shape)}])");
        }
        if (missing.Count > 0 || wrongShape.Count > 0) throw new VaeWeightsException(file.Path, missing, wrongShape);

        var unexpected = file.TensorNames
            .Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && VaeCheckpointLayout.IsVaeKey(k[prefix.Length..]) && !expected.ContainsKey(k[prefix.Length..]))
            .ToList();

        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var (name, shape) in expected)
            {
                using var stored = ModelWeights.ReadFloat(file, prefix + name, "a VAE weight");
                using var shaped = stored.reshape(shape);
                tensors[name] = shaped.to(device ?? Device.CPU, dtype, copy: true);
            }
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        return new VaeWeights(tensors, unexpected);
    }

    private static bool SameUpToSingletons(long[] a, long[] b) =>
        a.Where(d => d != 1).SequenceEqual(b.Where(d => d != 1));

}
