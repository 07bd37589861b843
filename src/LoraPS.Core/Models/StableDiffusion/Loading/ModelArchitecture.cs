using LoraPS.Formats;

namespace LoraPS.Models.StableDiffusion.Loading;

/// <summary>What kind of network a part is (decides its config, module and key names).</summary>
internal enum PartKind
{
    TextEncoder,
    UNet,
    Vae,
}

/// <summary>
/// One part of a family's model: its name (a diffusers folder's subfolder, also the report's name), the key spaces a
/// single-file checkpoint keeps it under, and the weight file names a diffusers subfolder may hold, in preference order.
/// </summary>
internal sealed record PartDescription(string Name, PartKind Kind, IReadOnlyList<string> SingleFileKeySpaces, IReadOnlyList<string> DiffusersWeightNames)
{
    public bool Owns(string key) => SingleFileKeySpaces.Any(p => key.StartsWith(p, StringComparison.Ordinal));
}

/// <summary>
/// The parts a family's model is made of. SD1 and SD2 have one text encoder, a UNet and a VAE; SDXL will add a second
/// text encoder (<c>text_encoder_2</c>, <c>conditioner.embedders.1.</c>) and its own UNet layout here, and a second
/// text-encoder property on the model, without changing how parts are planned, checked and streamed.
/// </summary>
internal sealed record ModelArchitecture(ModelFamily Family, IReadOnlyList<PartDescription> Parts)
{
    // diffusers writes diffusion_pytorch_model.* for diffusers models and model.* / pytorch_model.* for transformers ones.
    private static readonly string[] DiffusersModelWeights = { "diffusion_pytorch_model" };
    private static readonly string[] TransformersModelWeights = { "model", "pytorch_model" };

    public static readonly PartDescription TextEncoder = new("text_encoder", PartKind.TextEncoder, new[] { "cond_stage_model." }, TransformersModelWeights);
    public static readonly PartDescription UNet = new("unet", PartKind.UNet, new[] { "model.diffusion_model." }, DiffusersModelWeights);
    public static readonly PartDescription Vae = new("vae", PartKind.Vae, new[] { "first_stage_model.", "vae." }, DiffusersModelWeights);

    /// <summary>The architecture of <paramref name="family"/>; SDXL and unknown families are refused naming <paramref name="source"/> and <paramref name="evidence"/>.</summary>
    public static ModelArchitecture For(ModelFamily family, string source, string evidence) => family switch
    {
        ModelFamily.SD1 or ModelFamily.SD2 => new ModelArchitecture(family, new[] { TextEncoder, UNet, Vae }),
        ModelFamily.SDXL => throw new InvalidFileException(source, $"is an SDXL model ({evidence}); SDXL loading is not supported yet (SD1.x and SD2.x are)"),
        _ => throw new InvalidFileException(source, "the model family cannot be told from its keys or configs; set Family (SD1 or SD2)"),
    };
}
