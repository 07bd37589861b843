namespace LoraPS.Models.StableDiffusion.TextEncoders;

/// <summary>How a checkpoint names the text encoder's weights.</summary>
public enum ClipKeyStyle
{
    /// <summary>Hugging Face CLIPTextModel names (<c>text_model.encoder.layers.N.self_attn.q_proj</c> …): SD1, SDXL's first encoder, diffusers folders.</summary>
    HuggingFace,

    /// <summary>
    /// Hugging Face names without the <c>text_model.</c> level, as older SD1 checkpoints store them
    /// (<c>cond_stage_model.transformer.encoder.layers.N…</c>).
    /// </summary>
    HuggingFaceWithoutTextModel,

    /// <summary>OpenCLIP names (<c>transformer.resblocks.N.attn.in_proj_weight</c> fused q/k/v …): SD2, SDXL's second encoder.</summary>
    OpenClip,
}

/// <summary>Where in a checkpoint's key space the text encoder is, and how it is named.</summary>
public sealed record ClipCheckpointLayout(ClipKeyStyle Style, string Prefix)
{
    /// <summary>Known layouts, tried in order by <see cref="Detect"/>: (style, prefix, a key fragment that proves it).</summary>
    private static readonly (ClipKeyStyle Style, string Prefix, string Probe)[] Known =
    {
        (ClipKeyStyle.HuggingFace, "cond_stage_model.transformer.", "text_model.embeddings.token_embedding.weight"),
        (ClipKeyStyle.HuggingFaceWithoutTextModel, "cond_stage_model.transformer.", "embeddings.token_embedding.weight"),
        (ClipKeyStyle.OpenClip, "cond_stage_model.model.", "token_embedding.weight"),
        (ClipKeyStyle.HuggingFace, "conditioner.embedders.0.transformer.", "text_model.embeddings.token_embedding.weight"),
        (ClipKeyStyle.OpenClip, "conditioner.embedders.1.model.", "token_embedding.weight"),
        (ClipKeyStyle.HuggingFace, "", "text_model.embeddings.token_embedding.weight"),
    };

    /// <summary>The first known text-encoder layout whose token embedding is among <paramref name="keys"/>, or null.</summary>
    public static ClipCheckpointLayout? Detect(IEnumerable<string> keys)
    {
        var set = keys as IReadOnlySet<string> ?? keys.ToHashSet(StringComparer.Ordinal);
        foreach (var (style, prefix, probe) in Known)
            if (set.Contains(prefix + probe)) return new ClipCheckpointLayout(style, prefix);
        return null;
    }

    /// <summary>
    /// Where each parameter of the encoder (named as Hugging Face's CLIPTextModel names it, which is
    /// also what kohya's LoRA module names derive from) comes from in this layout.
    /// </summary>
    public IReadOnlyList<(string Parameter, WeightSource Source)> Map(ClipTextEncoderConfig config)
    {
        var map = new List<(string, WeightSource)>();
        void Add(string parameter, string key, int part = -1) => map.Add((parameter, new WeightSource(Prefix + key, part)));

        if (Style == ClipKeyStyle.OpenClip)
        {
            Add("text_model.embeddings.token_embedding.weight", "token_embedding.weight");
            Add("text_model.embeddings.position_embedding.weight", "positional_embedding");
            for (int n = 0; n < config.Layers; n++)
            {
                string hf = $"text_model.encoder.layers.{n}.", oc = $"transformer.resblocks.{n}.";
                string[] qkv = { "q_proj", "k_proj", "v_proj" };
                for (int p = 0; p < 3; p++)
                {
                    Add($"{hf}self_attn.{qkv[p]}.weight", oc + "attn.in_proj_weight", p);
                    Add($"{hf}self_attn.{qkv[p]}.bias", oc + "attn.in_proj_bias", p);
                }
                foreach (string t in new[] { "weight", "bias" })
                {
                    Add($"{hf}self_attn.out_proj.{t}", $"{oc}attn.out_proj.{t}");
                    Add($"{hf}layer_norm1.{t}", $"{oc}ln_1.{t}");
                    Add($"{hf}layer_norm2.{t}", $"{oc}ln_2.{t}");
                    Add($"{hf}mlp.fc1.{t}", $"{oc}mlp.c_fc.{t}");
                    Add($"{hf}mlp.fc2.{t}", $"{oc}mlp.c_proj.{t}");
                }
            }
            Add("text_model.final_layer_norm.weight", "ln_final.weight");
            Add("text_model.final_layer_norm.bias", "ln_final.bias");
            return map;
        }

        string strip = Style == ClipKeyStyle.HuggingFaceWithoutTextModel ? "text_model." : "";
        foreach (string parameter in ClipTextEncoderParameterNames(config))
            Add(parameter, parameter[strip.Length..]);
        return map;
    }

    /// <summary>Keys under the prefix that the reference models carry but do not use for SD (not reported as unexpected).</summary>
    public bool IsKnownUnused(string key)
    {
        if (!key.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        string rest = key[Prefix.Length..];
        return Style == ClipKeyStyle.OpenClip
            ? rest is "text_projection" or "logit_scale" or "attn_mask"
            : rest.EndsWith("embeddings.position_ids", StringComparison.Ordinal) || rest.StartsWith("text_projection.", StringComparison.Ordinal);
    }

    /// <summary>The Hugging Face parameter names of a CLIP text model with this configuration.</summary>
    public static IEnumerable<string> ClipTextEncoderParameterNames(ClipTextEncoderConfig config)
    {
        yield return "text_model.embeddings.token_embedding.weight";
        yield return "text_model.embeddings.position_embedding.weight";
        for (int n = 0; n < config.Layers; n++)
        {
            string hf = $"text_model.encoder.layers.{n}.";
            foreach (string module in new[] { "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.out_proj", "layer_norm1", "mlp.fc1", "mlp.fc2", "layer_norm2" })
            {
                yield return $"{hf}{module}.weight";
                yield return $"{hf}{module}.bias";
            }
        }
        yield return "text_model.final_layer_norm.weight";
        yield return "text_model.final_layer_norm.bias";
    }
}

/// <summary>
/// Where one parameter's values are in a checkpoint: a key, or (for OpenCLIP's fused q/k/v) one
/// third of a key's rows, <see cref="Part"/> 0 = q, 1 = k, 2 = v.
/// </summary>
public readonly record struct WeightSource(string Key, int Part = -1)
{
    public bool IsSlice => Part >= 0;

    public override string ToString() => IsSlice ? $"{Key}[{"qkv"[Part]} rows]" : Key;
}
