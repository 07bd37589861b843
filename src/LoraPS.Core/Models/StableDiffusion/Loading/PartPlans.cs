using LoraPS.Formats;
using LoraPS.Models.StableDiffusion.TextEncoders;
using LoraPS.Models.StableDiffusion.UNet;
using LoraPS.Models.StableDiffusion.Vae;

namespace LoraPS.Models.StableDiffusion.Loading;

/// <summary>The weight plans of each part in each key layout: single-file (ldm) checkpoints, diffusers files, separate VAEs.</summary>
internal static class PartPlans
{
    /// <summary>Keys any file may carry that no part reads: an EMA copy of the weights.</summary>
    public static bool IsEmaKey(string key) => key.StartsWith("model_ema.", StringComparison.Ordinal);

    /// <summary>
    /// The text encoder of a single-file checkpoint, in whichever known layout its keys show; when none is found, the
    /// family's usual layout, so that the report lists the keys it lacks.
    /// </summary>
    public static WeightPlan TextEncoderFromCheckpoint(ITensorFile file, PartDescription part, ClipTextEncoderConfig config, ModelFamily family)
    {
        var keys = file.TensorNames.Where(part.Owns).ToHashSet(StringComparer.Ordinal);
        var layout = ClipCheckpointLayout.Detect(keys)
            ?? (family == ModelFamily.SD2
                ? new ClipCheckpointLayout(ClipKeyStyle.OpenClip, "cond_stage_model.model.")
                : new ClipCheckpointLayout(ClipKeyStyle.HuggingFace, "cond_stage_model.transformer."));
        return TextEncoder(file, part.Name, layout, config, part.Owns);
    }

    /// <summary>The text encoder under <paramref name="layout"/>; <paramref name="owns"/> says which keys are in its key space.</summary>
    public static WeightPlan TextEncoder(ITensorFile file, string part, ClipCheckpointLayout layout, ClipTextEncoderConfig config, Func<string, bool> owns) => new()
    {
        Part = part,
        File = file,
        KeyLayout = $"{Describe(layout.Style)}, prefix {layout.Prefix}",
        Sources = layout.Map(config),
        Owns = owns,
        IsIgnored = layout.IsKnownUnused,
    };

    /// <summary>A diffusers <c>text_encoder</c> file: transformers' CLIPTextModel names, no prefix.</summary>
    public static WeightPlan TextEncoderDiffusers(ITensorFile file, PartDescription part, ClipTextEncoderConfig config)
    {
        var layout = new ClipCheckpointLayout(ClipKeyStyle.HuggingFace, "");
        return new WeightPlan
        {
            Part = part.Name,
            File = file,
            KeyLayout = "diffusers (transformers CLIPTextModel)",
            Sources = layout.Map(config),
            Owns = _ => true,
            IsIgnored = k => layout.IsKnownUnused(k) || IsEmaKey(k),
        };
    }

    /// <summary>The UNet of a single-file checkpoint: ldm names under <c>model.diffusion_model.</c>.</summary>
    public static WeightPlan UNetFromCheckpoint(ITensorFile file, PartDescription part, UNet2DConditionModel unet) =>
        UNetFromCheckpoint(file, part.Name, unet, UNetCheckpointLayout.DefaultPrefix, part.Owns);

    /// <summary>
    /// The UNet's ldm names under <paramref name="prefix"/>; <paramref name="owns"/> says which keys are in its key space,
    /// <paramref name="exactShapes"/> whether a 1×1 convolution stored as Linear (or back) counts as mis-shaped.
    /// </summary>
    public static WeightPlan UNetFromCheckpoint(ITensorFile file, string part, UNet2DConditionModel unet, string prefix, Func<string, bool> owns,
        bool exactShapes = false) => new()
    {
        Part = part,
        File = file,
        KeyLayout = $"ldm, prefix {prefix}",
        Sources = unet.state_dict().Keys.Select(p => (p, new WeightSource(prefix + UNetCheckpointLayout.ToLdm(p, unet.Config)))).ToList(),
        Owns = owns,
        ExactShapes = exactShapes,
    };

    /// <summary>A diffusers <c>unet</c> file: the module's own names.</summary>
    public static WeightPlan UNetDiffusers(ITensorFile file, PartDescription part, UNet2DConditionModel unet) => new()
    {
        Part = part.Name,
        File = file,
        KeyLayout = "diffusers (UNet2DConditionModel)",
        Sources = unet.state_dict().Keys.Select(p => (p, new WeightSource(p))).ToList(),
        Owns = _ => true,
        IsIgnored = IsEmaKey,
    };

    /// <summary>
    /// The VAE of <paramref name="file"/>: ldm names (<c>encoder.down.0.block.0…</c>) or diffusers names
    /// (<c>encoder.down_blocks.0.resnets.0…</c>), under <c>first_stage_model.</c> or <c>vae.</c>, or bare in a
    /// separate VAE file (<paramref name="separate"/>). When no VAE is found the ldm layout under the part's first key
    /// space is planned, so the report lists what is missing.
    /// </summary>
    public static WeightPlan Vae(ITensorFile file, PartDescription part, AutoencoderKL vae, bool separate)
    {
        var keys = file.TensorNames.ToHashSet(StringComparer.Ordinal);
        var prefixes = separate ? part.SingleFileKeySpaces.Append("") : part.SingleFileKeySpaces;
        string? prefix = prefixes.FirstOrDefault(p => keys.Contains(p + "encoder.conv_in.weight"));
        prefix ??= separate ? "" : part.SingleFileKeySpaces[0];
        string p = prefix;
        // A separate file is all VAE; in a checkpoint only the prefix found is (another VAE prefix would be unexpected).
        return Vae(file, part.Name, vae, p, separate ? (k => k.StartsWith(p, StringComparison.Ordinal)) : part.Owns);
    }

    /// <summary>
    /// The VAE under <paramref name="prefix"/>, in ldm names or diffusers names (whichever the file's keys show);
    /// <paramref name="owns"/> says which keys are in its key space.
    /// </summary>
    public static WeightPlan Vae(ITensorFile file, string part, AutoencoderKL vae, string prefix, Func<string, bool> owns)
    {
        var keys = file.TensorNames.ToHashSet(StringComparer.Ordinal);
        bool diffusers = VaeDiffusersNames.IsDiffusers(keys, prefix);
        var attention = diffusers ? VaeDiffusersNames.DetectAttentionNames(keys, prefix) : VaeAttentionNames.Current;
        int levels = vae.Config.ChMult.Count;
        return new WeightPlan
        {
            Part = part,
            File = file,
            KeyLayout = (diffusers ? "diffusers" + (attention == VaeAttentionNames.Legacy ? " (pre-0.17 attention names)" : "") : "ldm")
                + (prefix.Length > 0 ? $", prefix {prefix}" : ", no prefix"),
            Sources = vae.state_dict().Keys
                .Select(name => (name, new WeightSource(prefix + (diffusers ? VaeDiffusersNames.ToDiffusers(name, levels, attention) : name)))).ToList(),
            Owns = owns,
            // ldm checkpoints may keep the VAE's training loss (discriminator, logvar) beside it.
            IsIgnored = k => IsEmaKey(k) || (k.StartsWith(prefix, StringComparison.Ordinal) && k[prefix.Length..].StartsWith("loss.", StringComparison.Ordinal)),
        };
    }

    private static string Describe(ClipKeyStyle style) => style switch
    {
        ClipKeyStyle.OpenClip => "OpenCLIP (fused q/k/v)",
        ClipKeyStyle.HuggingFaceWithoutTextModel => "Hugging Face CLIP without text_model.",
        _ => "Hugging Face CLIP",
    };
}
