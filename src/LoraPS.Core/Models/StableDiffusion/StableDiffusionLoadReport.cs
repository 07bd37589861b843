using LoraPS.Formats.SafeTensors;

namespace LoraPS.Models.StableDiffusion;

/// <summary>Where the loader's family or prediction type came from, strongest first.</summary>
public enum DetectionSource
{
    /// <summary>Given in the load options.</summary>
    Override,

    /// <summary>A config file: the model JSON (ConfigPath), a diffusers config.json / scheduler_config.json, or an ldm .yaml beside the checkpoint.</summary>
    Config,

    /// <summary>The safetensors metadata (modelspec.*).</summary>
    Metadata,

    /// <summary>The checkpoint's keys and shapes (or a .ckpt's global_step).</summary>
    Keys,

    /// <summary>Nothing said; the family's usual value was taken.</summary>
    Default,
}

/// <summary>What loading one part (text encoder, UNet, VAE) found in the file it came from. Keys are the file's names.</summary>
public sealed record ModelPartLoadReport
{
    /// <summary>The part's name as a diffusers folder names it: "text_encoder", "unet", "vae".</summary>
    public required string Part { get; init; }

    /// <summary>The file its weights came from.</summary>
    public required string SourcePath { get; init; }

    /// <summary>How the file names the part's weights, e.g. "ldm, prefix model.diffusion_model." or "diffusers".</summary>
    public required string KeyLayout { get; init; }

    /// <summary>Keys the part needs that the file lacks (a load with any fails).</summary>
    public IReadOnlyList<string> Missing { get; init; } = Array.Empty<string>();

    /// <summary>"key [stored shape] (expected [shape])" for keys of the wrong shape or a non-float type (a load with any fails).</summary>
    public IReadOnlyList<string> WrongShape { get; init; } = Array.Empty<string>();

    /// <summary>Keys in the part's key space that nothing reads and that are not known to be unused.</summary>
    public IReadOnlyList<string> Unexpected { get; init; } = Array.Empty<string>();

    /// <summary>Keys in the part's key space that are known to be unused (position_ids, OpenCLIP's text_projection, the VAE's training loss …).</summary>
    public IReadOnlyList<string> Ignored { get; init; } = Array.Empty<string>();

    /// <summary>Parameters filled from the file.</summary>
    public int LoadedParameters { get; init; }

    /// <summary>The most common stored float type of the part's weights (F16, F32 …), null before loading.</summary>
    public SafeTensorDType? StoredDType { get; init; }

    public bool IsComplete => Missing.Count == 0 && WrongShape.Count == 0;

    public override string ToString()
    {
        string problems = ModelWeights.DescribeProblems(Part, Missing, WrongShape, Unexpected);
        return $"{Part} from {SourcePath} ({KeyLayout}): " + (problems.Length > 0 ? problems : $"{LoadedParameters} parameters loaded")
            + (Ignored.Count > 0 ? $", {Ignored.Count} known-unused key(s) ignored" : "");
    }
}

/// <summary>
/// What <see cref="StableDiffusionModel.Load"/> did: the family and prediction type and where each came from, and per
/// part the keys that were missing, left over, mis-shaped or ignored. A load only returns when no part has missing or
/// mis-shaped keys; unexpected keys do not stop it and are listed here.
/// </summary>
public sealed record StableDiffusionLoadReport
{
    public required ModelFamily Family { get; init; }
    public required DetectionSource FamilySource { get; init; }

    /// <summary>Why: e.g. "keys cond_stage_model.model.* (OpenCLIP text encoder)" or "unet/config.json cross_attention_dim 1024".</summary>
    public required string FamilyEvidence { get; init; }

    public required PredictionType Prediction { get; init; }
    public required DetectionSource PredictionSource { get; init; }
    public required string PredictionEvidence { get; init; }

    /// <summary>One report per part, in the family's order (text_encoder, unet, vae for SD1/SD2).</summary>
    public required IReadOnlyList<ModelPartLoadReport> Parts { get; init; }

    /// <summary>Keys of the main file outside every part that are known to be unused (model_ema.*, the noise schedule's betas/alphas_cumprod …, a VAE replaced by VaePath).</summary>
    public IReadOnlyList<string> IgnoredKeys { get; init; } = Array.Empty<string>();

    /// <summary>Keys of the main file outside every part that nothing reads.</summary>
    public IReadOnlyList<string> UnexpectedKeys { get; init; } = Array.Empty<string>();

    /// <summary>The part named <paramref name="part"/> ("text_encoder", "unet", "vae").</summary>
    public ModelPartLoadReport this[string part] =>
        Parts.FirstOrDefault(p => p.Part == part) ?? throw new KeyNotFoundException($"no part named '{part}' (parts: {string.Join(", ", Parts.Select(p => p.Part))})");

    /// <summary>True when every part is complete.</summary>
    public bool IsComplete => Parts.All(p => p.IsComplete);

    /// <summary>True when nothing was missing, mis-shaped or unexpected anywhere.</summary>
    public bool IsExact => IsComplete && UnexpectedKeys.Count == 0 && Parts.All(p => p.Unexpected.Count == 0);

    public override string ToString()
    {
        var lines = new List<string>
        {
            $"family {Family} ({FamilySource}: {FamilyEvidence}); prediction {Prediction} ({PredictionSource}: {PredictionEvidence})",
        };
        lines.AddRange(Parts.Select(p => p.ToString()));
        if (UnexpectedKeys.Count > 0) lines.Add($"{UnexpectedKeys.Count} unexpected key(s) outside the parts: {string.Join(", ", UnexpectedKeys.Take(12))}{(UnexpectedKeys.Count > 12 ? " …" : "")}");
        if (IgnoredKeys.Count > 0) lines.Add($"{IgnoredKeys.Count} known-unused key(s) outside the parts ignored");
        return string.Join(Environment.NewLine, lines);
    }
}
