using LoraPS.Formats;
using LoraPS.Formats.SafeTensors;
using LoraPS.Models.StableDiffusion.TextEncoders;
using LoraPS.Torch;
using LoraPS.Torch.Modules;

namespace LoraPS.Models.StableDiffusion.Loading;

/// <summary>
/// Where every parameter of one part comes from in one file, and which of the file's keys belong to the part (so
/// left-over keys can be told apart as unexpected or known-unused). <see cref="Check"/> compares the plan with the
/// module before anything is read; <see cref="Stream"/> then copies the weights in one tensor at a time.
/// </summary>
internal sealed class WeightPlan
{
    public required string Part { get; init; }
    public required ITensorFile File { get; init; }
    public required string KeyLayout { get; init; }

    /// <summary>Module parameter name → where its values are stored (a key, or a third of a fused q/k/v key's rows).</summary>
    public required IReadOnlyList<(string Parameter, WeightSource Source)> Sources { get; init; }

    /// <summary>Whether a key of <see cref="File"/> is in this part's key space.</summary>
    public required Func<string, bool> Owns { get; init; }

    /// <summary>Whether an owned key that nothing reads is known to be unused (not reported as unexpected).</summary>
    public Func<string, bool> IsIgnored { get; init; } = _ => false;

    /// <summary>Whether stored shapes must equal the module's exactly, without the singleton-dimension leeway.</summary>
    public bool ExactShapes { get; init; }

    /// <summary>
    /// The part's report against <paramref name="module"/>'s own parameters: keys missing from the file, stored with
    /// another shape (unless <see cref="ExactShapes"/>, equal up to singleton dimensions passes: 1×1 convolutions stored as Linear and back) or a non-float
    /// type, and owned keys nobody reads. Throws if the plan does not cover the module exactly (a loader bug).
    /// </summary>
    public ModelPartLoadReport Check(Module module)
    {
        var own = module.state_dict();
        var planned = Sources.Select(s => s.Parameter).ToHashSet(StringComparer.Ordinal);
        if (!planned.SetEquals(own.Keys))
            throw new InvalidOperationException($"the {Part} weight plan does not cover its module: {string.Join(", ", own.Keys.Except(planned).Concat(planned.Except(own.Keys)).Take(5))}");

        var missing = new List<string>();
        var wrong = new List<string>();
        var dtypes = new List<SafeTensorDType>();
        foreach (var (parameter, source) in Sources)
        {
            if (!File.Contains(source.Key))
            {
                if (!missing.Contains(source.Key)) missing.Add(source.Key);
                continue;
            }
            var info = File.GetInfo(source.Key);
            if (wrong.Any(w => w.StartsWith(source.Key + " ", StringComparison.Ordinal))) continue;
            long[] expected = own[parameter].shape;
            if (source.IsSlice) expected = expected.Select((d, i) => i == 0 ? d * 3 : d).ToArray();
            if (ModelWeights.ScalarTypeOf(info.DType) is null)
                wrong.Add($"{source.Key} {info.DType}[{string.Join(", ", info.Shape)}] (expected a float type)");
            else if (ExactShapes ? !info.Shape.SequenceEqual(expected) : !SameUpToSingletons(info.Shape, expected))
                wrong.Add($"{source.Key} [{string.Join(", ", info.Shape)}] (expected [{string.Join(", ", expected)}])");
            else dtypes.Add(info.DType);
        }
        var used = Sources.Select(s => s.Source.Key).ToHashSet(StringComparer.Ordinal);
        var leftOver = File.TensorNames.Where(k => Owns(k) && !used.Contains(k)).ToList();
        return new ModelPartLoadReport
        {
            Part = Part,
            SourcePath = File.Path,
            KeyLayout = KeyLayout,
            Missing = missing,
            WrongShape = wrong,
            Unexpected = leftOver.Where(k => !IsIgnored(k)).ToList(),
            Ignored = leftOver.Where(IsIgnored).ToList(),
            StoredDType = dtypes.GroupBy(d => d).OrderByDescending(g => g.Count()).Select(g => (SafeTensorDType?)g.Key).FirstOrDefault(),
        };
    }

    /// <summary>
    /// Copies every planned tensor into <paramref name="module"/>'s parameters (converting type and device on the way),
    /// reading one stored tensor at a time; a memory-mapped file's pages are given back after each key's last use, so the
    /// resident set stays near the module's own size. Call after <see cref="Check"/> found nothing missing or mis-shaped.
    /// </summary>
    public int Stream(Module module, CancellationToken cancellationToken)
    {
        var own = module.state_dict();
        // A fused q/k/v key feeds three parameters (and weights and biases interleave): keep it until its last use.
        var usesLeft = Sources.GroupBy(s => s.Source.Key).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var open = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        int copied = 0;
        try
        {
            using var noGrad = torch.no_grad();
            foreach (var (parameter, source) in Sources)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!open.TryGetValue(source.Key, out var stored))
                    open[source.Key] = stored = ModelWeights.ReadFloat(File, source.Key, $"a {Part} weight");
                Tensor destination = own[parameter];
                Tensor? slice = null, shaped = null;
                try
                {
                    Tensor value = stored;
                    if (source.IsSlice)
                    {
                        long rows = stored.shape[0] / 3;
                        value = slice = stored.narrow(0, source.Part * rows, rows);
                    }
                    if (!value.shape.SequenceEqual(destination.shape)) value = shaped = value.reshape(destination.shape);
                    destination.copy_(value);
                }
                finally
                {
                    shaped?.Dispose();
                    slice?.Dispose();
                }
                copied++;
                if (--usesLeft[source.Key] == 0)
                {
                    open.Remove(source.Key);
                    stored.Dispose();
                    if (File is SafeTensorsFile mapped) mapped.ReleasePages(source.Key);
                }
            }
        }
        finally
        {
            foreach (var t in open.Values) t.Dispose();
        }
        return copied;
    }

    private static bool SameUpToSingletons(long[] a, long[] b) =>
        a.SequenceEqual(b) || a.Where(d => d != 1).SequenceEqual(b.Where(d => d != 1));
}
