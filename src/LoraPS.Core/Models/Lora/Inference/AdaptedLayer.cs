using LoraPS.Torch;
using LoraPS.Torch.Modules;

namespace LoraPS.Models.Lora.Inference;

/// <summary>
/// The layer an adapter is attached to, as the adapter needs it: its weight (whose dtype and device
/// the adapter follows), its weight shape, and for a convolution the geometry the adapter's own
/// convolution must repeat so its output lines up with the layer's.
/// </summary>
public sealed class AdaptedLayer
{
    public Module Module { get; }
    public Parameter Weight { get; }
    public IList<ILayerAdapter> Adapters { get; }
    public bool IsConv { get; }
    public long Stride { get; }
    public long Padding { get; }
    public long Dilation { get; }
    public long Groups { get; }

    /// <summary>The layer's weight shape: [out, in] or [out, in/groups, kh, kw].</summary>
    public long[] WeightShape { get; }

    public AdaptedLayer(Linear linear)
    {
        ArgumentNullException.ThrowIfNull(linear);
        (Module, Weight, Adapters, Groups) = (linear, linear.weight, linear.adapters, 1);
        WeightShape = linear.weight.shape;
    }

    public AdaptedLayer(Conv2d conv)
    {
        ArgumentNullException.ThrowIfNull(conv);
        (Module, Weight, Adapters, IsConv) = (conv, conv.weight, conv.adapters, true);
        (Stride, Padding, Dilation, Groups) = (conv.stride, conv.padding, conv.dilation, conv.groups);
        WeightShape = conv.weight.shape;
    }

    /// <summary>A Linear or Conv2d, or null for any other module.</summary>
    public static AdaptedLayer? Of(Module module) => module switch
    {
        Linear l => new AdaptedLayer(l),
        Conv2d c => new AdaptedLayer(c),
        _ => null,
    };

    public long OutFeatures => WeightShape[0];

    /// <summary>Input features of a linear, input channels per group of a convolution.</summary>
    public long InFeatures => WeightShape[1];
    public long KernelHeight => IsConv ? WeightShape[2] : 1;
    public long KernelWidth => IsConv ? WeightShape[3] : 1;

    internal static string Format(long[] shape) => "[" + string.Join(", ", shape) + "]";

    /// <summary>
    /// <paramref name="t"/> in the layer's dtype and on its device (itself when it already is). A
    /// tensor that requires grad is a trainable factor: it is never replaced behind the trainer's back.
    /// </summary>
    internal Tensor Follow(Tensor t)
    {
        ScalarType dtype = Weight.dtype;
        Device device = Weight.device;
        if (t.dtype == dtype && t.device == device) return t;
        if (t.requires_grad)
            throw new InvalidOperationException($"an adapter's trainable tensor is {t.dtype} on {t.device} but its layer is {dtype} on {device}; move both together");
        return t.to(device, dtype).DetachFromDisposeScope();
    }
}
