using System.Text.RegularExpressions;

namespace LoraPS.Models.Lora;

/// <summary>
/// Converts UNet module paths between the single-file (ldm/SAI: input_blocks.N.M) and the
/// diffusers (down_blocks.b.attentions.j) naming, with the block index rule of the SD layouts
/// (two res blocks per level). SD1/SD2 have 4 levels, attention on levels 0–2; SDXL 3 levels,
/// attention on levels 1–2.
/// </summary>
public static partial class UNetNames
{
    private static readonly (string Ldm, string Diffusers)[] ResnetRenames =
    {
        ("in_layers.0", "norm1"), ("in_layers.2", "conv1"), ("emb_layers.1", "time_emb_proj"),
        ("out_layers.0", "norm2"), ("out_layers.3", "conv2"), ("skip_connection", "conv_shortcut"),
    };

    /// <summary>Does diffusers' up_blocks.<paramref name="level"/> have attentions?</summary>
    private static bool UpLevelHasAttention(int level, bool sdxl) => sdxl ? level < 2 : level > 0;

    /// <summary>ldm path (after model.diffusion_model.) → diffusers path, or null for keys outside the blocks.</summary>
    public static string? LdmToDiffusers(string path, bool sdxl)
    {
        var m = InputRegex().Match(path);
        if (m.Success)
        {
            int i = int.Parse(m.Groups[1].Value), sub = int.Parse(m.Groups[2].Value);
            string rest = m.Groups[3].Value;
            if (i == 0) return null;
            int b = (i - 1) / 3, j = (i - 1) % 3;
            if (j == 2) return rest == "op" || rest.StartsWith("op.", StringComparison.Ordinal) ? $"down_blocks.{b}.downsamplers.0.conv{rest[2..]}" : null;
            return sub == 0 ? $"down_blocks.{b}.resnets.{j}.{RenameResnet(rest, toDiffusers: true)}" : $"down_blocks.{b}.attentions.{j}.{rest}";
        }
        m = MiddleRegex().Match(path);
        if (m.Success)
        {
            int k = int.Parse(m.Groups[1].Value);
            string rest = m.Groups[2].Value;
            return k == 1 ? $"mid_block.attentions.0.{rest}" : $"mid_block.resnets.{k / 2}.{RenameResnet(rest, toDiffusers: true)}";
        }
        m = OutputRegex().Match(path);
        if (m.Success)
        {
            int i = int.Parse(m.Groups[1].Value), sub = int.Parse(m.Groups[2].Value);
            string rest = m.Groups[3].Value;
            int b = i / 3, j = i % 3;
            if (sub == 0) return $"up_blocks.{b}.resnets.{j}.{RenameResnet(rest, toDiffusers: true)}";
            if (rest == "conv" || rest.StartsWith("conv.", StringComparison.Ordinal)) return $"up_blocks.{b}.upsamplers.0.{rest}";
            return $"up_blocks.{b}.attentions.{j}.{rest}";
        }
        return null;
    }

    /// <summary>diffusers path → ldm path, or null when it is not a block path.</summary>
    public static string? DiffusersToLdm(string path, bool sdxl)
    {
        var m = DiffusersRegex().Match(path);
        if (m.Success)
        {
            string dir = m.Groups[1].Value, kind = m.Groups[3].Value, rest = m.Groups[5].Value;
            int b = int.Parse(m.Groups[2].Value), j = int.Parse(m.Groups[4].Value);
            if (dir == "down")
            {
                int i = 3 * b + j + 1;
                return kind switch
                {
                    "resnets" => $"input_blocks.{i}.0.{RenameResnet(rest, toDiffusers: false)}",
                    "attentions" => $"input_blocks.{i}.1.{rest}",
                    _ => rest.StartsWith("conv", StringComparison.Ordinal) ? $"input_blocks.{3 * b + 3}.0.op{rest[4..]}" : null,
                };
            }
            int o = 3 * b + j;
            return kind switch
            {
                "resnets" => $"output_blocks.{o}.0.{RenameResnet(rest, toDiffusers: false)}",
                "attentions" => $"output_blocks.{o}.1.{rest}",
                _ => $"output_blocks.{3 * b + 2}.{(UpLevelHasAttention(b, sdxl) ? 2 : 1)}.{rest}",
            };
        }
        m = MidRegex().Match(path);
        if (m.Success)
        {
            int k = int.Parse(m.Groups[2].Value);
            string rest = m.Groups[3].Value;
            return m.Groups[1].Value == "attentions" ? $"middle_block.1.{rest}" : $"middle_block.{2 * k}.{RenameResnet(rest, toDiffusers: false)}";
        }
        return null;
    }

    private static string RenameResnet(string rest, bool toDiffusers)
    {
        foreach (var (ldm, diffusers) in ResnetRenames)
        {
            string from = toDiffusers ? ldm : diffusers, to = toDiffusers ? diffusers : ldm;
            if (rest == from) return to;
            if (rest.StartsWith(from + ".", StringComparison.Ordinal)) return to + rest[from.Length..];
        }
        return rest;
    }

    [GeneratedRegex(@"^input_blocks\.(\d+)\.(\d+)\.?(.*)$")]
    private static partial Regex InputRegex();
    [GeneratedRegex(@"^middle_block\.(\d+)\.(.*)$")]
    private static partial Regex MiddleRegex();
    [GeneratedRegex(@"^output_blocks\.(\d+)\.(\d+)\.(.*)$")]
    private static partial Regex OutputRegex();
    [GeneratedRegex(@"^(down|up)_blocks\.(\d+)\.(resnets|attentions|downsamplers|upsamplers)\.(\d+)\.(.*)$")]
    private static partial Regex DiffusersRegex();
    [GeneratedRegex(@"^mid_block\.(resnets|attentions)\.(\d+)\.(.*)$")]
    private static partial Regex MidRegex();
}
