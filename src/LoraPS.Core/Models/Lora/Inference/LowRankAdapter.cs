using LoraPS.Torch;
using LoraPS.Torch.Modules;
using static LoraPS.Torch.torch.nn.functional;

namespace LoraPS.Models.Lora.Inference;

/// <summary>
/// scale · up(down(x)): a LoRA / LoCon / DyLoRA module applied next to its layer. For a linear
/// layer down is [r, in] and up [out, r]; for a convolution down is [r, in, kh, kw] (a k×k
/// convolution with the layer's stride, padding and dilation) and up [out, r, 1, 1].
/// </summary>
public sealed class LowRankAdapter : ILayerAdapter, IDisposable
{
    private readonly AdaptedLayer _layer;
    private Tensor _down, _up;

    /// <summary>Takes ownership of <paramref name="down"/> and <paramref name="up"/> (disposed with the adapter).</summary>
    public LowRankAdapter(AdaptedLayer layer, Tensor down, Tensor up, double scale = 1.0)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(down);
        ArgumentNullException.ThrowIfNull(up);
        long[] d = down.shape, u = up.shape, w = layer.WeightShape;
        bool fits = layer.IsConv
            ? d.Length == 4 && u.Length == 4 && layer.Groups == 1 && d[1] == w[1] && d[2] == w[2] && d[3] == w[3] && u[0] == w[0] && u[1] == d[0] && u[2] == 1 && u[3] == 1
            : d.Length == 2 && u.Length == 2 && d[1] == w[1] && u[0] == w[0] && u[1] == d[0];
        if (!fits)
            throw new ArgumentException($"down {AdaptedLayer.Format(d)} and up {AdaptedLayer.Format(u)} do not fit a layer with weight {AdaptedLayer.Format(w)}"
                + (layer.Groups > 1 ? $" and {layer.Groups} groups" : ""));
        if (!double.IsFinite(scale)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "scale must be a finite number");
        _layer = layer;
        _down = down.DetachFromDisposeScope();
        _up = up.DetachFromDisposeScope();
        Scale = scale;
    }

    public Tensor Down => _down;
    public Tensor Up => _up;
    public double Scale { get; }
    public long Rank => _down.shape[0];

    public Tensor Forward(Tensor input)
    {
        _down = Replace(_down, _layer.Follow(_down));
        _up = Replace(_up, _layer.Follow(_up));
        using var hidden = _layer.IsConv ? conv2d(input, _down, null, _layer.Stride, _layer.Padding, _layer.Dilation) : linear(input, _down);
        if (Scale == 1.0) return _layer.IsConv ? conv2d(hidden, _up) : linear(hidden, _up);
        using var raw = _layer.IsConv ? conv2d(hidden, _up) : linear(hidden, _up);
        return raw * Scale;
    }

    private static Tensor Replace(Tensor old, Tensor current)
    {
        if (!ReferenceEquals(old, current)) old.Dispose();
        return current;
    }

    public void Dispose()
    {
        _down.Dispose();
        _up.Dispose();
    }
}
