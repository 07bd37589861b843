using System.Text.RegularExpressions;

namespace LoraPS.Models.Lora;

/// <summary>
/// Where a kohya LoRA module lands in a single-file checkpoint: the weight key and, for OpenCLIP's
/// fused attention input (SD2 text encoder, SDXL's second one), the row slice of q, k or v.
/// </summary>
public sealed record CheckpointTarget(string Key, long RowStart = 0, long RowCount = -1);

public static partial class KohyaNames
{
    /// <summary>
    /// The kohya module names a checkpoint weight key receives (usually one; three for a fused
    /// in_proj_weight). Empty for keys no LoRA adapts (biases, norms, embeddings).
    /// </summary>
    public static IReadOnlyList<(string Module, CheckpointTarget Target)> ForCheckpointKey(string key, ModelFamily family, long rows = -1)
    {
        var none = Array.Empty<(string, CheckpointTarget)>();
        const string unet = "model.diffusion_model.";
        if (key.StartsWith(unet, StringComparison.Ordinal) && key.EndsWith(".weight", StringComparison.Ordinal))
        {
            string path = key[unet.Length..^".weight".Length];
            string? modulePath = family == ModelFamily.SDXL ? path : UNetNames.LdmToDiffusers(path, sdxl: false);
            return modulePath is null ? none : new[] { ("lora_unet_" + Underscore(modulePath), new CheckpointTarget(key)) };
        }
        (string Prefix, string Lora, bool OpenClip)[] encoders = family switch
        {
            ModelFamily.SD1 => new[] { ("cond_stage_model.transformer.", "lora_te", false) },
            ModelFamily.SD2 => new[] { ("cond_stage_model.model.", "lora_te", true) },
            ModelFamily.SDXL => new[] { ("conditioner.embedders.0.transformer.", "lora_te1", false), ("conditioner.embedders.1.model.", "lora_te2", true) },
            _ => Array.Empty<(string, string, bool)>(),
        };
        foreach (var (prefix, lora, openClip) in encoders)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal)) continue;
            string rest = key[prefix.Length..];
            if (!openClip)
            {
                if (!rest.EndsWith(".weight", StringComparison.Ordinal)) return none;
                rest = rest[..^".weight".Length];
                if (!rest.StartsWith("text_model.", StringComparison.Ordinal)) rest = "text_model." + rest; // old SD1 files
                return Regex.IsMatch(rest, @"\.(self_attn\.(q|k|v|out)_proj|mlp\.fc[12])$")
                    ? new[] { (lora + "_" + Underscore(rest), new CheckpointTarget(key)) } : none;
            }
            var m = OpenClipRegex().Match(rest);
            if (!m.Success) return none;
            string layer = $"{lora}_text_model_encoder_layers_{m.Groups[1].Value}_";
            switch (m.Groups[2].Value)
            {
                case "attn.in_proj_weight":
                    if (rows < 0 || rows % 3 != 0) return none;
                    long third = rows / 3;
                    return new[]
                    {
                        (layer + "self_attn_q_proj", new CheckpointTarget(key, 0, third)),
                        (layer + "self_attn_k_proj", new CheckpointTarget(key, third, third)),
                        (layer + "self_attn_v_proj", new CheckpointTarget(key, 2 * third, third)),
                    };
                case "attn.out_proj.weight": return new[] { (layer + "self_attn_out_proj", new CheckpointTarget(key)) };
                case "mlp.c_fc.weight": return new[] { (layer + "mlp_fc1", new CheckpointTarget(key)) };
                case "mlp.c_proj.weight": return new[] { (layer + "mlp_fc2", new CheckpointTarget(key)) };
            }
            return none;
        }
        return none;
    }

    public static string Underscore(string dotted) => dotted.Replace('.', '_');

    [GeneratedRegex(@"^transformer\.resblocks\.(\d+)\.(attn\.in_proj_weight|attn\.out_proj\.weight|mlp\.c_fc\.weight|mlp\.c_proj\.weight)$")]
    private static partial Regex OpenClipRegex();

    /// <summary>
    /// Diffusers/PEFT module path → kohya name: "unet." → lora_unet (SAI block names on SDXL),
    /// "text_encoder." → lora_te (lora_te1 on SDXL), "text_encoder_2." → lora_te2; attention
    /// processor names (to_q_lora, to_out_lora) become the layer names.
    /// </summary>
    public static string FromDiffusers(string module, bool sdxl)
    {
        string path = module;
        if (path.StartsWith("base_model.model.", StringComparison.Ordinal)) path = path["base_model.model.".Length..];
        string prefix;
        if (path.StartsWith("unet.", StringComparison.Ordinal)) { prefix = "lora_unet"; path = path[5..]; }
        else if (path.StartsWith("text_encoder_2.", StringComparison.Ordinal)) { prefix = "lora_te2"; path = path["text_encoder_2.".Length..]; }
        else if (path.StartsWith("text_encoder.", StringComparison.Ordinal)) { prefix = sdxl ? "lora_te1" : "lora_te"; path = path["text_encoder.".Length..]; }
        else if (path.StartsWith("text_model.", StringComparison.Ordinal)) prefix = sdxl ? "lora_te1" : "lora_te";
        else prefix = "lora_unet";
        path = path.Replace(".processor.", ".");
        path = ProcessorRegex().Replace(path, m => m.Groups[1].Value == "out" ? "to_out.0" : "to_" + m.Groups[1].Value);
        path = TeProcessorRegex().Replace(path, m => m.Groups[1].Value + "_proj");
        if (prefix == "lora_unet" && sdxl) path = UNetNames.DiffusersToLdm(path, sdxl: true) ?? path;
        return prefix + "_" + Underscore(path);
    }

    [GeneratedRegex(@"to_(q|k|v|out)_lora$")]
    private static partial Regex ProcessorRegex();
    [GeneratedRegex(@"(q|k|v|out)_proj_lora$")]
    private static partial Regex TeProcessorRegex();
}
