using LoraPS.Torch;
using LoraPS.Torch.Modules;
using static LoraPS.Torch.torch.nn.functional;

namespace LoraPS.Models.Lora.Inference;

/// <summary>
/// The layer's op applied with a weight delta shaped like the layer's weight: F.linear(x, ΔW) or
/// F.conv2d(x, ΔW) with the layer's geometry. Used for LoHa and LoKr, whose factors do not split
/// into two cheap ops; the delta is rebuilt once, when the LoRA is applied.
/// </summary>
public sealed class DenseDeltaAdapter : ILayerAdapter, IDisposable
{
    private readonly AdaptedLayer _layer;
    private Tensor _delta;

    /// <summary>Takes ownership of <paramref name="delta"/>, which must have the layer's weight shape (scale already applied).</summary>
    public DenseDeltaAdapter(AdaptedLayer layer, Tensor delta)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(delta);
        if (!delta.shape.SequenceEqual(layer.WeightShape))
            throw new ArgumentException($"delta {AdaptedLayer.Format(delta.shape)} does not have the layer's weight shape {AdaptedLayer.Format(layer.WeightShape)}");
        _layer = layer;
        _delta = delta.DetachFromDisposeScope();
    }

    public Tensor Delta => _delta;

    public Tensor Forward(Tensor input)
    {
        var current = _layer.Follow(_delta);
        if (!ReferenceEquals(current, _delta)) { _delta.Dispose(); _delta = current; }
        return _layer.IsConv
            ? conv2d(input, _delta, null, _layer.Stride, _layer.Padding, _layer.Dilation, _layer.Groups)
            : linear(input, _delta);
    }

    public void Dispose() => _delta.Dispose();
}
