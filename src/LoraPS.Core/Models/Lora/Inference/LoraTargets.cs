using LoraPS.Models.StableDiffusion.TextEncoders;
using LoraPS.Models.StableDiffusion.UNet;
using LoraPS.Torch.Modules;

namespace LoraPS.Models.Lora.Inference;

/// <summary>
/// The layers a LoRA can adapt, by kohya module name: the dotted module path with '.' → '_' behind
/// <c>lora_te_</c> (text encoder, Hugging Face CLIPTextModel paths) or <c>lora_unet_</c> (diffusers UNet paths).
/// </summary>
internal sealed class LoraTargets
{
    public const string TextEncoderPrefix = "lora_te_";
    public const string UNetPrefix = "lora_unet_";

    private readonly Dictionary<string, (string Path, AdaptedLayer Layer)> _layers = new(StringComparer.Ordinal);

    public bool HasTextEncoder { get; }
    public bool HasUNet { get; }

    public LoraTargets(ClipTextEncoder? textEncoder, UNet2DConditionModel? unet)
    {
        if (textEncoder is not null) { Add(textEncoder, TextEncoderPrefix); HasTextEncoder = true; }
        if (unet is not null) { Add(unet, UNetPrefix); HasUNet = true; }
    }

    private void Add(Module root, string prefix)
    {
        foreach (var (path, module) in root.named_modules())
            if (AdaptedLayer.Of(module) is { } layer)
                _layers[prefix + KohyaNames.Underscore(path)] = (path, layer);
    }

    /// <summary>Whether the model for this module's part (text encoder or UNet) was given.</summary>
    public bool Covers(LoraModule module) => module.IsTextEncoder ? HasTextEncoder : HasUNet;

    public bool TryFind(string kohyaName, out string path, out AdaptedLayer layer)
    {
        if (_layers.TryGetValue(kohyaName, out var found)) { (path, layer) = found; return true; }
        (path, layer) = ("", null!);
        return false;
    }
}
