namespace LoraPS.Models.StableDiffusion.UNet;

/// <summary>
/// The single-file (ldm) names of the UNet's parameters: diffusers <c>down_blocks.b.resnets.j.norm1.weight</c> ↔
/// ldm <c>input_blocks.(1 + b·(L+1) + j).0.in_layers.0.weight</c> and so on (L = num_res_blocks).
/// </summary>
public static class UNetCheckpointLayout
{
    public const string DefaultPrefix = "model.diffusion_model.";

    private static readonly (string Diffusers, string Ldm)[] ResnetRenames =
    {
        ("norm1.", "in_layers.0."), ("conv1.", "in_layers.2."), ("time_emb_proj.", "emb_layers.1."),
        ("norm2.", "out_layers.0."), ("conv2.", "out_layers.3."), ("conv_shortcut.", "skip_connection."),
    };

    /// <summary>The ldm key (without prefix) of a diffusers parameter name; throws for a name this UNet layout does not have.</summary>
    public static string ToLdm(string name, UNetConfig config)
    {
        int L = config.NumResBlocks;
        string[] p = name.Split('.');
        string Rest(int from) => string.Join('.', p.Skip(from));
        string Resnet(string rest)
        {
            foreach (var (d, l) in ResnetRenames)
                if (rest.StartsWith(d, StringComparison.Ordinal)) return l + rest[d.Length..];
            throw new ArgumentException($"'{name}' is not a UNet parameter");
        }

        switch (p[0])
        {
            case "time_embedding": return (p[1] == "linear_1" ? "time_embed.0." : "time_embed.2.") + Rest(2);
            case "conv_in": return "input_blocks.0.0." + Rest(1);
            case "conv_norm_out": return "out.0." + Rest(1);
            case "conv_out": return "out.2." + Rest(1);
            case "down_blocks":
            {
                int b = int.Parse(p[1]);
                if (p[2] == "downsamplers") return $"input_blocks.{1 + b * (L + 1) + L}.0.op.{Rest(5)}";
                int i = 1 + b * (L + 1) + int.Parse(p[3]);
                return p[2] == "resnets" ? $"input_blocks.{i}.0.{Resnet(Rest(4))}" : $"input_blocks.{i}.1.{Rest(4)}";
            }
            case "mid_block":
                return p[1] == "attentions" ? "middle_block.1." + Rest(3) : $"middle_block.{(p[2] == "0" ? 0 : 2)}.{Resnet(Rest(3))}";
            case "up_blocks":
            {
                int b = int.Parse(p[1]);
                bool attention = config.HasAttention(config.Levels - 1 - b);
                if (p[2] == "upsamplers") return $"output_blocks.{b * (L + 1) + L}.{(attention ? 2 : 1)}.conv.{Rest(5)}";
                int i = b * (L + 1) + int.Parse(p[3]);
                return p[2] == "resnets" ? $"output_blocks.{i}.0.{Resnet(Rest(4))}" : $"output_blocks.{i}.1.{Rest(4)}";
            }
            default: throw new ArgumentException($"'{name}' is not a UNet parameter");
        }
    }

    /// <summary>True when <paramref name="file"/> looks like it has an SD UNet under <paramref name="prefix"/>.</summary>
    public static bool Contains(IEnumerable<string> keys, string prefix = DefaultPrefix) =>
        keys.Contains(prefix + "input_blocks.0.0.weight", StringComparer.Ordinal);
}
