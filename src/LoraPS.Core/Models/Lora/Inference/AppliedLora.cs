using LoraPS.Torch.Modules;

namespace LoraPS.Models.Lora.Inference;

/// <summary>
/// A LoRA attached to a text encoder and/or UNet by <see cref="LoraInference.Apply"/>: which of its
/// modules got an adapter, which found no layer, which were skipped. Disposing it removes exactly
/// its adapters (others stay) and frees their tensors; the models are then as before.
/// </summary>
public sealed class AppliedLora : IDisposable
{
    private readonly List<(IList<ILayerAdapter> Layer, ILayerAdapter Adapter)> _adapters;
    private bool _disposed;

    internal AppliedLora(string name, string path, double textEncoderStrength, double unetStrength,
        List<(IList<ILayerAdapter>, ILayerAdapter)> adapters, IReadOnlyList<string> applied, IReadOnlyList<string> unmatched, IReadOnlyList<string> skipped)
    {
        (Name, Path, TextEncoderStrength, UNetStrength) = (name, path, textEncoderStrength, unetStrength);
        _adapters = adapters;
        (AppliedModules, UnmatchedModules, SkippedModules) = (applied, unmatched, skipped);
    }

    /// <summary>The file name without its extension (what a prompt's &lt;lora:name&gt; says).</summary>
    public string Name { get; }
    public string Path { get; }
    public double TextEncoderStrength { get; }
    public double UNetStrength { get; }

    /// <summary>kohya names of the modules that got an adapter.</summary>
    public IReadOnlyList<string> AppliedModules { get; }

    /// <summary>kohya names of the modules with no layer of that name in the model given for their part.</summary>
    public IReadOnlyList<string> UnmatchedModules { get; }

    /// <summary>Modules left out on purpose: their part's model was not given, or their strength (× block weight) is 0.</summary>
    public IReadOnlyList<string> SkippedModules { get; }

    /// <summary>True once disposed: the adapters are gone.</summary>
    public bool IsRemoved => _disposed;

    public override string ToString() =>
        $"{Name} te={TextEncoderStrength} unet={UNetStrength}: {AppliedModules.Count} applied, {UnmatchedModules.Count} unmatched, {SkippedModules.Count} skipped";

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var (layer, adapter) in _adapters)
        {
            layer.Remove(adapter);
            (adapter as IDisposable)?.Dispose();
        }
        _adapters.Clear();
    }
}
