using System.Text.RegularExpressions;
using LoraPS.Formats;
using LoraPS.Formats.Checkpoint;
using LoraPS.Models.Checkpoints;

namespace LoraPS.Models.StableDiffusion.Loading;

/// <summary>A detected value, where it came from, and the fact that decided it (for the load report).</summary>
internal readonly record struct Detected<T>(T Value, DetectionSource Source, string Evidence);

/// <summary>
/// Family and prediction type, each from the strongest source that says anything: the options, a config (the model
/// JSON, a diffusers folder's configs, an ldm .yaml beside a checkpoint), safetensors metadata, the keys (and a .ckpt's
/// global_step), then the family's usual value.
/// </summary>
internal static partial class ModelDetection
{
    /// <summary>The family a model JSON's top-level <c>family</c> names, or null when it has none.</summary>
    public static ModelFamily? FamilyFromModelJson(JsonConfig json) => json.OptionalString("family")?.ToLowerInvariant() switch
    {
        null => null,
        "sd1" or "sd1.x" or "sd15" => ModelFamily.SD1,
        "sd2" or "sd2.x" or "sd21" => ModelFamily.SD2,
        "sdxl" => ModelFamily.SDXL,
        var other => throw new InvalidFileException(json.Path, $"family \"{other}\" is not one of sd1, sd2, sdxl"),
    };

    /// <summary>The prediction type a model JSON's top-level <c>prediction</c> names, or null when it has none.</summary>
    public static PredictionType? PredictionFromModelJson(JsonConfig json) => json.OptionalString("prediction")?.ToLowerInvariant() switch
    {
        null => null,
        "epsilon" or "eps" => PredictionType.Epsilon,
        "v" or "v_prediction" => PredictionType.V,
        var other => throw new InvalidFileException(json.Path, $"prediction \"{other}\" is not one of epsilon, v_prediction"),
    };

    /// <summary>A single-file checkpoint's family from its keys (the same rules as <see cref="CheckpointRecognizer.DetectFamily"/>, with the key that decided).</summary>
    public static Detected<ModelFamily> FamilyFromKeys(ITensorFile file)
    {
        var names = file.TensorNames;
        string unet = CheckpointRecognizer.UNetPrefix;
        if (names.Any(n => n.StartsWith("conditioner.embedders.", StringComparison.Ordinal)))
            return new(ModelFamily.SDXL, DetectionSource.Keys, "keys conditioner.embedders.* (SDXL's two text encoders)");
        if (file.Contains(unet + "label_emb.0.0.weight"))
            return new(ModelFamily.SDXL, DetectionSource.Keys, $"key {unet}label_emb.0.0.weight (SDXL's size conditioning)");
        if (names.Any(n => n.StartsWith("cond_stage_model.model.", StringComparison.Ordinal)))
            return new(ModelFamily.SD2, DetectionSource.Keys, "keys cond_stage_model.model.* (OpenCLIP text encoder)");
        if (names.Any(n => n.StartsWith("cond_stage_model.transformer.", StringComparison.Ordinal)))
            return new(ModelFamily.SD1, DetectionSource.Keys, "keys cond_stage_model.transformer.* (OpenAI CLIP text encoder)");
        string toK = unet + "input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight";
        if (file.Contains(toK))
        {
            long width = file.GetInfo(toK).Shape[^1];
            var family = width switch { 1024 => ModelFamily.SD2, 2048 => ModelFamily.SDXL, _ => ModelFamily.SD1 };
            return new(family, width is 768 or 1024 or 2048 ? DetectionSource.Keys : DetectionSource.Default,
                $"UNet cross-attention width {width} ({toK})" + (width is 768 or 1024 or 2048 ? "" : "; not a standard width, SD1 assumed"));
        }
        if (CheckpointRecognizer.LooksLikeCheckpoint(file))
            return new(ModelFamily.SD1, DetectionSource.Default, "UNet keys without a text encoder or cross-attention key; SD1 assumed");
        throw new InvalidFileException(file.Path, $"not a Stable Diffusion checkpoint: no {unet}* keys");
    }

    /// <summary>A diffusers folder's family from model_index.json and the unet / text_encoder configs.</summary>
    public static Detected<ModelFamily> FamilyFromDiffusers(DiffusersFolder folder)
    {
        string? pipeline = folder.ModelIndex.OptionalString("_class_name");
        if (pipeline is not null && pipeline.Contains("XL", StringComparison.Ordinal))
            return new(ModelFamily.SDXL, DetectionSource.Config, $"model_index.json _class_name {pipeline}");
        var unet = folder.PartConfig("unet");
        if (unet.OptionalString("addition_embed_type") == "text_time")
            return new(ModelFamily.SDXL, DetectionSource.Config, "unet/config.json addition_embed_type text_time");
        if (!unet.IsList("cross_attention_dim") && unet.Has("cross_attention_dim"))
        {
            int width = unet.Int("cross_attention_dim");
            if (width is 768 or 1024 or 2048)
                return new(width switch { 768 => ModelFamily.SD1, 1024 => ModelFamily.SD2, _ => ModelFamily.SDXL }, DetectionSource.Config,
                    $"unet/config.json cross_attention_dim {width}");
        }
        if (folder.HasPart("text_encoder"))
        {
            var text = folder.PartConfig("text_encoder");
            return text.String("hidden_act", "quick_gelu") switch
            {
                "quick_gelu" => new(ModelFamily.SD1, DetectionSource.Config, "text_encoder/config.json hidden_act quick_gelu (OpenAI CLIP)"),
                "gelu" => new(ModelFamily.SD2, DetectionSource.Config, "text_encoder/config.json hidden_act gelu (OpenCLIP)"),
                var other => throw new InvalidFileException(text.Path, $"hidden_act is \"{other}\"; only quick_gelu and gelu are supported"),
            };
        }
        return new(ModelFamily.Unknown, DetectionSource.Default, "no config says");
    }

    /// <summary>
    /// The prediction type from the weaker sources, after the options and the model JSON: a diffusers scheduler config,
    /// an ldm .yaml beside a checkpoint, modelspec metadata, an SD2 .ckpt's global_step, then the family's usual value.
    /// </summary>
    public static Detected<PredictionType> Prediction(ModelFamily family, ITensorFile? checkpoint, DiffusersFolder? folder)
    {
        if (folder?.SchedulerConfig() is { } scheduler && DiffusersConfigs.Prediction(scheduler) is { } fromScheduler)
            return new(fromScheduler, DetectionSource.Config, $"scheduler/scheduler_config.json prediction_type {Word(fromScheduler)}");
        if (checkpoint is not null)
        {
            if (LdmYamlPrediction(checkpoint.Path) is { } yaml) return yaml;
            if (checkpoint.Metadata.TryGetValue("modelspec.prediction_type", out var spec))
            {
                if (spec.StartsWith("v", StringComparison.OrdinalIgnoreCase))
                    return new(PredictionType.V, DetectionSource.Metadata, $"modelspec.prediction_type {spec}");
                if (spec.StartsWith("eps", StringComparison.OrdinalIgnoreCase))
                    return new(PredictionType.Epsilon, DetectionSource.Metadata, $"modelspec.prediction_type {spec}");
            }
            if (family == ModelFamily.SD2 && checkpoint is CheckpointFile ckpt && ckpt.OtherEntries.TryGetValue("global_step", out var step) && step is long s)
                return s == 875000
                    ? new(PredictionType.Epsilon, DetectionSource.Keys, "global_step 875000 (SD 2.x 512-base)")
                    : new(PredictionType.V, DetectionSource.Keys, $"global_step {s} (not the 512-base's 875000, so 768-v)");
        }
        return family == ModelFamily.SD2
            ? new(PredictionType.V, DetectionSource.Default, "SD2 without a hint is taken as v-prediction (768-v), as diffusers does; set Prediction = Epsilon for a 512-base model")
            : new(PredictionType.Epsilon, DetectionSource.Default, $"{family} predicts noise");
    }

    /// <summary>
    /// AUTOMATIC1111's convention: an ldm config <c>name.yaml</c> beside <c>name.safetensors</c>. Its
    /// <c>parameterization: "v"</c> means v-prediction; an ldm config without one means ldm's default, epsilon.
    /// </summary>
    private static Detected<PredictionType>? LdmYamlPrediction(string checkpointPath)
    {
        string yaml = Path.ChangeExtension(checkpointPath, ".yaml");
        var info = new FileInfo(yaml);
        if (!info.Exists || info.Length > JsonConfig.MaxBytes) return null;
        string text;
        try { text = File.ReadAllText(yaml); }
        catch (IOException) { return null; }
        if (!text.Contains("target:", StringComparison.Ordinal)) return null; // not an ldm config
        var match = Parameterization().Match(text);
        string name = Path.GetFileName(yaml);
        if (!match.Success) return new(PredictionType.Epsilon, DetectionSource.Config, $"{name} has no parameterization (ldm's default: eps)");
        return match.Groups[1].Value switch
        {
            "v" => new(PredictionType.V, DetectionSource.Config, $"{name} parameterization v"),
            "eps" => new(PredictionType.Epsilon, DetectionSource.Config, $"{name} parameterization eps"),
            var other => throw new InvalidFileException(yaml, $"parameterization \"{other}\" is not one of eps, v"),
        };
    }

    private static string Word(PredictionType p) => p == PredictionType.V ? "v_prediction" : "epsilon";

    [GeneratedRegex(@"^\s*parameterization:\s*[""']?([A-Za-z_]+)[""']?\s*(#.*)?$", RegexOptions.Multiline)]
    private static partial Regex Parameterization();
}
