namespace LoraPS.Torch.Modules;

#pragma warning disable IDE1006 // naming: mirrors torch

/// <summary>
/// Something added to a layer's output without touching its weight: a LoRA applied at inference,
/// or a trainable LoRA network. <see cref="Forward"/> gets the layer's input and returns the
/// additive term (same shape as the layer's output, strength already applied). Gradients flow
/// through it like through any other op.
/// </summary>
public interface ILayerAdapter
{
    Tensor Forward(Tensor input);
}

/// <summary>Adds the terms of an ordered list of adapters to a layer's output.</summary>
internal static class LayerAdapters
{
    /// <summary>output + Σ adapter(input), in list order; <paramref name="output"/> is consumed.</summary>
    public static Tensor Sum(Tensor input, Tensor output, List<ILayerAdapter> adapters)
    {
        Tensor result = output;
        try
        {
            foreach (var adapter in adapters)
            {
                using var term = adapter.Forward(input);
                Tensor next = result + term;
                result.Dispose();
                result = next;
            }
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }
}

public sealed partial class Linear
{
    private readonly List<ILayerAdapter> _adapters = new();

    /// <summary>Adapters whose outputs are added to this layer's, in order; empty runs the plain linear.</summary>
    public IList<ILayerAdapter> adapters => _adapters;

    private Tensor WithAdapters(Tensor input, Tensor output) => LayerAdapters.Sum(input, output, _adapters);
}

public sealed partial class Conv2d
{
    private readonly List<ILayerAdapter> _adapters = new();

    /// <summary>Adapters whose outputs are added to this layer's, in order; empty runs the plain convolution.</summary>
    public IList<ILayerAdapter> adapters => _adapters;

    private Tensor WithAdapters(Tensor input, Tensor output) => LayerAdapters.Sum(input, output, _adapters);
}
