using LoraPS.Formats;
using LoraPS.Formats.Checkpoint;
using LoraPS.Formats.SafeTensors;

namespace LoraPS.Models.Checkpoints;

/// <summary>Tells SD1.x, SD2.x and SDXL single-file checkpoints apart by their keys and shapes.</summary>
public static class CheckpointRecognizer
{
    public const string UNetPrefix = "model.diffusion_model.";

    /// <summary>True when the file has the single-file (ldm) UNet keys.</summary>
    public static bool LooksLikeCheckpoint(ITensorFile file) => file.TensorNames.Any(n => n.StartsWith(UNetPrefix, StringComparison.Ordinal));

    public static ModelFamily DetectFamily(ITensorFile file)
    {
        var names = file.TensorNames;
        if (names.Any(n => n.StartsWith("conditioner.embedders.", StringComparison.Ordinal))
            || file.Contains(UNetPrefix + "label_emb.0.0.weight"))
            return ModelFamily.SDXL;
        if (names.Any(n => n.StartsWith("cond_stage_model.model.", StringComparison.Ordinal))) return ModelFamily.SD2;
        if (names.Any(n => n.StartsWith("cond_stage_model.transformer.", StringComparison.Ordinal))) return ModelFamily.SD1;
        // UNet only: the cross-attention context width decides (768 SD1, 1024 SD2).
        string toK = UNetPrefix + "input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight";
        if (file.Contains(toK))
            return file.GetInfo(toK).Shape[^1] switch { 1024 => ModelFamily.SD2, 2048 => ModelFamily.SDXL, _ => ModelFamily.SD1 };
        return LooksLikeCheckpoint(file) ? ModelFamily.SD1 : ModelFamily.Unknown;
    }

    /// <summary>
    /// Epsilon or v. The weights do not say; use modelspec metadata when present, else the family's
    /// default, and for SD2 the step count diffusers uses (875000 = 512-base, epsilon; otherwise v).
    /// </summary>
    public static PredictionType DetectPrediction(ITensorFile file, ModelFamily family)
    {
        if (file.Metadata.TryGetValue("modelspec.prediction_type", out var p))
        {
            if (p.StartsWith("v", StringComparison.OrdinalIgnoreCase)) return PredictionType.V;
            if (p.StartsWith("eps", StringComparison.OrdinalIgnoreCase)) return PredictionType.Epsilon;
        }
        if (family != ModelFamily.SD2) return family == ModelFamily.Unknown ? PredictionType.Unknown : PredictionType.Epsilon;
        if (file is CheckpointFile ckpt && ckpt.OtherEntries.TryGetValue("global_step", out var step) && step is long s)
            return s == 875000 ? PredictionType.Epsilon : PredictionType.V;
        return PredictionType.Unknown;
    }

    public static Checkpoint Describe(ITensorFile file)
    {
        var family = DetectFamily(file);
        if (family == ModelFamily.Unknown)
            throw new InvalidFileException(file.Path, "not a Stable Diffusion checkpoint: no model.diffusion_model.* keys");
        var unet = file.TensorNames.Where(n => n.StartsWith(UNetPrefix, StringComparison.Ordinal)).ToList();
        var dtype = unet.Select(n => file.GetInfo(n).DType).Where(d => d.IsFloatingPoint())
            .GroupBy(d => d).OrderByDescending(g => g.Count()).Select(g => (SafeTensorDType?)g.Key).FirstOrDefault();
        return new Checkpoint
        {
            Path = file.Path,
            Family = family,
            PredictionType = DetectPrediction(file, family),
            Format = file is CheckpointFile ? "ckpt" : "safetensors",
            FileSize = file.FileSize,
            Precision = dtype is { } d ? PrecisionName(d) : "",
            TensorCount = file.TensorNames.Count,
            HasTextEncoder = file.TensorNames.Any(n => n.StartsWith("cond_stage_model.", StringComparison.Ordinal) || n.StartsWith("conditioner.", StringComparison.Ordinal)),
            HasVae = file.TensorNames.Any(n => n.StartsWith("first_stage_model.", StringComparison.Ordinal) || n.StartsWith("vae.", StringComparison.Ordinal)),
            Metadata = file.Metadata,
        };
    }

    /// <summary>sd-scripts' precision words: float → "fp32", F16 → "fp16", BF16 → "bf16".</summary>
    public static string PrecisionName(SafeTensorDType dtype) => dtype switch
    {
        SafeTensorDType.F32 => "fp32",
        SafeTensorDType.F16 => "fp16",
        SafeTensorDType.BF16 => "bf16",
        SafeTensorDType.F64 => "fp64",
        SafeTensorDType.F8_E4M3 => "fp8_e4m3",
        SafeTensorDType.F8_E5M2 => "fp8_e5m2",
        _ => dtype.ToString().ToLowerInvariant(),
    };
}
