using LoraPS.Formats;
using LoraPS.Formats.SafeTensors;
using LoraPS.Torch;

namespace LoraPS.Models.StableDiffusion.TextEncoders;

/// <summary>A checkpoint's text encoder weights are missing or have the wrong shapes; the message lists each key.</summary>
public sealed class TextEncoderWeightsException : InvalidFileException
{
    public IReadOnlyList<string> Missing { get; }
    public IReadOnlyList<string> WrongShape { get; }

    public TextEncoderWeightsException(string? filePath, IReadOnlyList<string> missing, IReadOnlyList<string> wrongShape)
        : base(filePath, ModelWeights.DescribeProblems("text encoder", missing, wrongShape))
    {
        Missing = missing;
        WrongShape = wrongShape;
    }

}

/// <summary>The text encoder's tensors read from a checkpoint, by parameter name, and the keys nothing used.</summary>
public sealed class ClipTextEncoderWeights : IDisposable
{
    public IReadOnlyDictionary<string, Tensor> Tensors { get; }

    /// <summary>Keys under the text encoder's prefix that no parameter reads (and that are not known to be unused).</summary>
    public IReadOnlyList<string> Unexpected { get; }

    private ClipTextEncoderWeights(Dictionary<string, Tensor> tensors, List<string> unexpected)
    {
        Tensors = tensors;
        Unexpected = unexpected;
    }

    public void Dispose()
    {
        foreach (var t in Tensors.Values) t.Dispose();
    }

    /// <summary>The shape each parameter must have under <paramref name="config"/>.</summary>
    public static long[] ExpectedShape(string parameter, ClipTextEncoderConfig config)
    {
        long w = config.Width, m = config.EffectiveMlpWidth;
        if (parameter.EndsWith("token_embedding.weight", StringComparison.Ordinal)) return new[] { (long)config.VocabSize, w };
        if (parameter.EndsWith("position_embedding.weight", StringComparison.Ordinal)) return new[] { (long)config.MaxPositions, w };
        if (parameter.EndsWith("mlp.fc1.weight", StringComparison.Ordinal)) return new[] { m, w };
        if (parameter.EndsWith("mlp.fc1.bias", StringComparison.Ordinal)) return new[] { m };
        if (parameter.EndsWith("mlp.fc2.weight", StringComparison.Ordinal)) return new[] { w, m };
        if (parameter.EndsWith("_proj.weight", StringComparison.Ordinal)) return new[] { w, w };
        return new[] { w }; // biases and layer norms
    }

    /// <summary>
    /// Reads every parameter of the encoder from <paramref name="file"/> in <paramref name="dtype"/> on
    /// <paramref name="device"/>. Missing or mis-shaped keys fail together, each named; OpenCLIP's fused
    /// q/k/v rows are split in thirds.
    /// </summary>
    public static ClipTextEncoderWeights Load(ITensorFile file, ClipCheckpointLayout layout, ClipTextEncoderConfig config,
        ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var map = layout.Map(config);
        var missing = new List<string>();
        var wrongShape = new List<string>();
        foreach (var (parameter, source) in map)
        {
            if (!file.Contains(source.Key)) { if (!missing.Contains(source.Key)) missing.Add(source.Key); continue; }
            long[] expected = ExpectedShape(parameter, config);
            if (source.IsSlice) expected = expected.Select((d, i) => i == 0 ? d * 3 : d).ToArray();
            long[] actual = file.GetInfo(source.Key).Shape;
            if (!actual.SequenceEqual(expected) && !wrongShape.Any(s => s.StartsWith(source.Key + " ", StringComparison.Ordinal)))
                wrongShape.Add($"{source.Key} [{string.Join(", ", actual)}] (expected [{string.Join(", ", expected)}])");
        }
        if (missing.Count > 0 || wrongShape.Count > 0) throw new TextEncoderWeightsException(file.Path, missing, wrongShape);

        var used = map.Select(m => m.Source.Key).ToHashSet(StringComparer.Ordinal);
        var unexpected = file.TensorNames
            .Where(k => k.StartsWith(layout.Prefix, StringComparison.Ordinal) && !used.Contains(k) && !layout.IsKnownUnused(k))
            .Where(k => layout.Prefix.Length > 0 || k.StartsWith("text_model.", StringComparison.Ordinal))
            .ToList();

        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            var cache = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (var (parameter, source) in map)
            {
                if (!cache.TryGetValue(source.Key, out Tensor? whole))
                {
                    whole = ModelWeights.ReadFloat(file, source.Key, "a text encoder weight");
                    if (source.IsSlice) cache[source.Key] = whole;
                }
                Tensor value;
                if (source.IsSlice)
                {
                    long rows = whole.shape[0] / 3;
                    using var part = whole.narrow(0, source.Part * rows, rows);
                    value = part.to(device ?? Device.CPU, dtype, copy: true).contiguous();
                }
                else
                {
                    value = whole.to(device ?? Device.CPU, dtype, copy: true);
                    whole.Dispose();
                }
                tensors[parameter] = value;
            }
            foreach (var t in cache.Values) t.Dispose();
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        return new ClipTextEncoderWeights(tensors, unexpected);
    }

}
