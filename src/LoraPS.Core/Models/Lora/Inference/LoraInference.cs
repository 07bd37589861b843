using LoraPS.Torch;
using LoraPS.Torch.Modules;
using LoraPS.Models.StableDiffusion.TextEncoders;
using LoraPS.Models.StableDiffusion.UNet;

namespace LoraPS.Models.Lora.Inference;

/// <summary>
/// Applies a LoRA file to a text encoder and UNet without merging: each module becomes an adapter
/// on its layer (<see cref="ILayerAdapter"/>) that adds strength × scale × ΔW·x to the layer's
/// output. LoRA / LoCon / DyLoRA modules run as two small ops (down then up); LoHa and LoKr as one
/// op with their dense delta. Several LoRAs stack; disposing the result removes this one.
/// </summary>
public static class LoraInference
{
    /// <summary>
    /// Attaches <paramref name="lora"/>'s modules: <c>lora_te_…</c> to <paramref name="textEncoder"/> at
    /// <paramref name="textEncoderStrength"/>, <c>lora_unet_…</c> to <paramref name="unet"/> at
    /// <paramref name="unetStrength"/>, each times its block weight when <paramref name="blockWeights"/>
    /// are given (BASE scales the text encoder, as when merging). A module whose strength comes to 0
    /// gets no adapter. Throws <see cref="LoraModelMismatchException"/> (and applies nothing) when
    /// modules do not fit their layers.
    /// </summary>
    public static AppliedLora Apply(LoraFile lora, double textEncoderStrength, double unetStrength, ClipTextEncoder? textEncoder, UNet2DConditionModel? unet,
        BlockWeights? blockWeights = null)
    {
        ArgumentNullException.ThrowIfNull(lora);
        if (!double.IsFinite(textEncoderStrength)) throw new ArgumentOutOfRangeException(nameof(textEncoderStrength), textEncoderStrength, "strength must be a finite number");
        if (!double.IsFinite(unetStrength)) throw new ArgumentOutOfRangeException(nameof(unetStrength), unetStrength, "strength must be a finite number");

        var targets = new LoraTargets(textEncoder, unet);
        var plan = new List<(LoraModule Module, AdaptedLayer Layer, double Coefficient)>();
        var unmatched = new List<string>();
        var skipped = new List<string>();
        var mismatches = new List<LoraModuleMismatch>();
        foreach (var module in lora.Modules)
        {
            if (!targets.Covers(module)) { skipped.Add(module.Name); continue; }
            if (!targets.TryFind(module.Name, out string path, out var layer)) { unmatched.Add(module.Name); continue; }
            if (Misfit(module, layer) is { } reason)
            {
                mismatches.Add(new LoraModuleMismatch(module.Name, LoraShape(module), path, layer.WeightShape, reason.Length == 0 ? null : reason));
                continue;
            }
            if (module.TensorKeys.ContainsKey("dora_scale"))
                throw new NotSupportedException($"{lora.Path}: module '{module.Name}' is DoRA (dora_scale), which LoraPS cannot apply yet");
            double strength = module.IsTextEncoder ? textEncoderStrength : unetStrength;
            double coefficient = strength * (blockWeights?.For(module.Name) ?? 1.0) * module.Scale;
            if (coefficient == 0) { skipped.Add(module.Name); continue; }
            plan.Add((module, layer, coefficient));
        }
        if (mismatches.Count > 0) throw new LoraModelMismatchException(lora.Path, mismatches);

        var attached = new List<(IList<ILayerAdapter>, ILayerAdapter)>();
        try
        {
            using (torch.no_grad())
                foreach (var (module, layer, coefficient) in plan)
                {
                    var adapter = Build(lora, module, layer, coefficient);
                    layer.Adapters.Add(adapter);
                    attached.Add((layer.Adapters, adapter));
                }
        }
        catch
        {
            foreach (var (list, adapter) in attached)
            {
                list.Remove(adapter);
                (adapter as IDisposable)?.Dispose();
            }
            throw;
        }
        return new AppliedLora(System.IO.Path.GetFileNameWithoutExtension(lora.Path), lora.Path, textEncoderStrength, unetStrength, attached,
            plan.Select(p => p.Module.Name).ToList(), unmatched, skipped);
    }

    /// <summary>The module's weight shape as the file implies it: [out, in] or [out, in, kh, kw].</summary>
    private static long[] LoraShape(LoraModule m) => m.LayerKind == LoraLayerKind.Linear
        ? new[] { m.OutFeatures, m.InFeatures }
        : new[] { m.OutFeatures, m.InFeatures, m.KernelHeight, m.KernelWidth };

    /// <summary>Null when the module fits the layer; "" for a plain shape difference, else why not. A 1×1 conv module fits a linear layer and the reverse.</summary>
    private static string? Misfit(LoraModule m, AdaptedLayer layer)
    {
        if (m.OutFeatures != layer.OutFeatures || m.InFeatures != layer.InFeatures
            || m.KernelHeight != layer.KernelHeight || m.KernelWidth != layer.KernelWidth) return "";
        if (m.Algorithm == LoraAlgorithm.LoRA && layer.Groups != 1) return $"the layer is a convolution of {layer.Groups} groups, which up/down factors cannot adapt";
        return null;
    }

    private static Tensor Widen(Tensor float32, ScalarType dtype) => dtype == ScalarType.Float64 ? float32.to(ScalarType.Float64) : float32;

    private static ILayerAdapter Build(LoraFile lora, LoraModule module, AdaptedLayer layer, double coefficient)
    {
        using var scope = torch.NewDisposeScope();
        Device device = layer.Weight.device;
        ScalarType dtype = layer.Weight.dtype;
        if (module.Algorithm == LoraAlgorithm.LoRA)
        {
            var (up, down) = LoraTensors.Factors(lora, module); // float32 [out, r], [r, in·kh·kw]
            long rank = down.size(0);
            if (layer.IsConv)
            {
                down = down.reshape(rank, layer.InFeatures, layer.KernelHeight, layer.KernelWidth);
                up = up.reshape(layer.OutFeatures, rank, 1, 1);
            }
            // The coefficient goes into up, so the adapter runs two ops, not three; it is multiplied in
            // float32 (or float64 for a float64 layer) before the cast, so a half layer rounds once.
            var scaledUp = Widen(up, dtype).mul(coefficient);
            return new LowRankAdapter(layer, down.to(device, dtype, copy: true), scaledUp.to(device, dtype, copy: true));
        }
        var delta = Widen(LoraTensors.DenseDelta(lora, module), dtype).mul(coefficient).reshape(layer.WeightShape);
        return new DenseDeltaAdapter(layer, delta.to(device, dtype, copy: true));
    }
}
