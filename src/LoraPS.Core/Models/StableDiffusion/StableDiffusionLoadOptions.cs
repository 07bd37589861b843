using LoraPS.Torch;

namespace LoraPS.Models.StableDiffusion;

/// <summary>What <see cref="StableDiffusionModel.Load"/> loads, and how.</summary>
public sealed record StableDiffusionLoadOptions
{
    /// <summary>A single-file checkpoint (.safetensors or .ckpt), or a diffusers folder (the one holding model_index.json).</summary>
    public required string Path { get; init; }

    /// <summary>
    /// A separate VAE that replaces the checkpoint's (sd-scripts' --vae): a .safetensors/.ckpt file with ldm names (bare,
    /// or under first_stage_model. / vae.) or diffusers names, or a diffusers vae folder (config.json + weights).
    /// </summary>
    public string? VaePath { get; init; }

    /// <summary>
    /// A model JSON (sections "text", "unet", "vae", and "family" / "prediction", as in tiny-sd1-1234.json) for sizes
    /// other than the family's standard ones. When given it wins over a diffusers folder's config.json files.
    /// </summary>
    public string? ConfigPath { get; init; }

    /// <summary>Overrides the family detected from the keys or configs.</summary>
    public ModelFamily? Family { get; init; }

    /// <summary>Overrides the prediction type detected from configs, metadata or keys.</summary>
    public PredictionType? Prediction { get; init; }

    /// <summary>The floating type every part's parameters are created in (weights are converted while they are read).</summary>
    public ScalarType DType { get; init; } = ScalarType.Float32;

    /// <summary>Where the parameters live; CPU when null.</summary>
    public Device? Device { get; init; }
}
