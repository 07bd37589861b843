namespace LoraPS.Models.StableDiffusion.Vae;

/// <summary>How a diffusers VAE names its mid-block attention: since diffusers 0.17 <c>to_q</c>… <c>to_out.0</c>, before it <c>query</c>… <c>proj_attn</c>.</summary>
public enum VaeAttentionNames
{
    Current,
    Legacy,
}

/// <summary>
/// diffusers' AutoencoderKL names for the VAE's parameters, which <see cref="AutoencoderKL"/> names as ldm does:
/// <c>encoder.down.i.block.j</c> ↔ <c>encoder.down_blocks.i.resnets.j</c>, <c>decoder.up.k</c> ↔
/// <c>decoder.up_blocks.(levels−1−k)</c> (the decoder's levels are numbered the other way), <c>mid.block_1</c> ↔
/// <c>mid_block.resnets.0</c>, <c>mid.attn_1.q</c> ↔ <c>mid_block.attentions.0.to_q</c>, <c>norm_out</c> ↔
/// <c>conv_norm_out</c>, <c>nin_shortcut</c> ↔ <c>conv_shortcut</c>. diffusers stores the attention projections as
/// Linear ([C, C]) where ldm has 1×1 convolutions ([C, C, 1, 1]); loaders reshape.
/// </summary>
public static class VaeDiffusersNames
{
    private const string ResnetProbe = "encoder.down_blocks.0.resnets.0.norm1.weight";

    /// <summary>True when <paramref name="keys"/> hold a diffusers-named VAE under <paramref name="prefix"/>.</summary>
    public static bool IsDiffusers(IReadOnlySet<string> keys, string prefix = "") => keys.Contains(prefix + ResnetProbe);

    /// <summary>The attention naming of a diffusers VAE (current unless the legacy <c>query</c> key is there).</summary>
    public static VaeAttentionNames DetectAttentionNames(IReadOnlySet<string> keys, string prefix = "") =>
        keys.Contains(prefix + "encoder.mid_block.attentions.0.query.weight") ? VaeAttentionNames.Legacy : VaeAttentionNames.Current;

    /// <summary>The diffusers name of the ldm parameter <paramref name="ldm"/> of a VAE with <paramref name="levels"/> levels.</summary>
    public static string ToDiffusers(string ldm, int levels, VaeAttentionNames attention = VaeAttentionNames.Current)
    {
        string[] p = ldm.Split('.');
        string Rest(int from) => string.Join('.', p.Skip(from));
        string Fail() => throw new ArgumentException($"'{ldm}' is not a VAE parameter");
        int Index(string s) => int.TryParse(s, out int i) && i >= 0 ? i : throw new ArgumentException($"'{ldm}' is not a VAE parameter");

        if (p.Length < 2) return Fail();
        if (p[0] is "quant_conv" or "post_quant_conv") return ldm;
        if (p[0] is not ("encoder" or "decoder")) return Fail();
        string half = p[0];
        switch (p[1])
        {
            case "conv_in" or "conv_out": return ldm;
            case "norm_out": return $"{half}.conv_norm_out.{Rest(2)}";
            case "mid" when p.Length > 3:
                return p[2] switch
                {
                    "block_1" => $"{half}.mid_block.resnets.0.{Resnet(Rest(3))}",
                    "block_2" => $"{half}.mid_block.resnets.1.{Resnet(Rest(3))}",
                    "attn_1" => $"{half}.mid_block.attentions.0.{Attention(p[3], attention, Fail)}.{Rest(4)}",
                    _ => Fail(),
                };
            case "down" when half == "encoder" && p.Length > 4:
            {
                int i = Index(p[2]);
                return p[3] switch
                {
                    "block" => $"encoder.down_blocks.{i}.resnets.{Index(p[4])}.{Resnet(Rest(5))}",
                    "downsample" => $"encoder.down_blocks.{i}.downsamplers.0.{Rest(4)}",
                    _ => Fail(),
                };
            }
            case "up" when half == "decoder" && p.Length > 4:
            {
                int k = Index(p[2]);
                if (k >= levels) return Fail();
                int block = levels - 1 - k;
                return p[3] switch
                {
                    "block" => $"decoder.up_blocks.{block}.resnets.{Index(p[4])}.{Resnet(Rest(5))}",
                    "upsample" => $"decoder.up_blocks.{block}.upsamplers.0.{Rest(4)}",
                    _ => Fail(),
                };
            }
            default: return Fail();
        }
    }

    private static string Resnet(string rest) =>
        rest.StartsWith("nin_shortcut.", StringComparison.Ordinal) ? "conv_shortcut." + rest["nin_shortcut.".Length..] : rest;

    private static string Attention(string ldm, VaeAttentionNames style, Func<string> fail) => (ldm, style) switch
    {
        ("norm", _) => "group_norm",
        ("q", VaeAttentionNames.Current) => "to_q",
        ("k", VaeAttentionNames.Current) => "to_k",
        ("v", VaeAttentionNames.Current) => "to_v",
        ("proj_out", VaeAttentionNames.Current) => "to_out.0",
        ("q", VaeAttentionNames.Legacy) => "query",
        ("k", VaeAttentionNames.Legacy) => "key",
        ("v", VaeAttentionNames.Legacy) => "value",
        ("proj_out", VaeAttentionNames.Legacy) => "proj_attn",
        _ => fail(),
    };
}
