using System.Globalization;
using System.Text.RegularExpressions;

namespace LoraPS.Models.Lora;

/// <summary>
/// LoRA Block Weight vectors: 26 slots BASE, IN00–IN11, M00, OUT00–OUT11 (SDXL uses IN00–IN08 and
/// OUT00–OUT08 of them). Accepts the 26-value form, the 17-value SD1 attention form, the 12-value
/// SDXL attention form, the 20-value SDXL LoCon form, or a preset name. Slots a short form does not
/// name keep weight 1, as sd-scripts' --lbws does.
/// </summary>
public sealed partial class BlockWeights
{
    public const int SlotCount = 26;
    private static readonly int[] Slots17 = { 0, 2, 3, 5, 6, 8, 9, 13, 17, 18, 19, 20, 21, 22, 23, 24, 25 };
    private static readonly int[] Slots12 = { 0, 5, 6, 8, 9, 13, 14, 15, 16, 17, 18, 19 };
    private static readonly int[] Slots20 = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22 };

    /// <summary>The slot names in order.</summary>
    public static readonly IReadOnlyList<string> SlotNames =
        new[] { "BASE" }.Concat(Enumerable.Range(0, 12).Select(i => $"IN{i:00}")).Append("M00").Concat(Enumerable.Range(0, 12).Select(i => $"OUT{i:00}")).ToArray();

    /// <summary>Named presets: the LoRA Block Weight extension's 17-value defaults and CharFramework's 26-value FACE/BODY.</summary>
    public static readonly IReadOnlyDictionary<string, string> Presets = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["NONE"] = "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0",
        ["ALL"] = "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1",
        ["ALL0.5"] = "0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5",
        ["INS"] = "1,1,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0",
        ["IND"] = "1,0,0,0,1,1,1,0,0,0,0,0,0,0,0,0,0",
        ["INALL"] = "1,1,1,1,1,1,1,0,0,0,0,0,0,0,0,0,0",
        ["MIDD"] = "1,0,0,0,1,1,1,1,1,1,1,1,0,0,0,0,0",
        ["OUTD"] = "1,0,0,0,0,0,0,0,1,1,1,1,0,0,0,0,0",
        ["OUTS"] = "1,0,0,0,0,0,0,0,0,0,0,0,1,1,1,1,1",
        ["OUTALL"] = "1,0,0,0,0,0,0,0,1,1,1,1,1,1,1,1,1",
        ["FACE"] = "0,1,1,1,1,1,0,0,0,1,0,0,0,0,1,0,1,1,1,0,1,1,1,0,0,1",
        ["BODY"] = "0,1,1,1,0,1,0,0,0,1,0,0,0,0,0,0,1,1,1,1,1,1,1,0,0,1",
    };

    private readonly double[] _slots;

    public string Source { get; }

    private BlockWeights(double[] slots, string source)
    {
        _slots = slots;
        Source = source;
    }

    public double this[int slot] => _slots[slot];
    public IReadOnlyList<double> Slots => _slots;

    /// <summary>Parses "0,1,1,…" (26, 17, 12 or 20 values) or a preset name; "NAME:values" keeps only the values.</summary>
    public static BlockWeights Parse(string text)
    {
        string t = text.Trim();
        if (Presets.TryGetValue(t, out var preset)) return new BlockWeights(Parse(preset)._slots, t);
        int colon = t.IndexOf(':');
        if (colon > 0 && !t[..colon].Contains(',')) t = t[(colon + 1)..];
        var parts = t.Trim('[', ']', ' ').Split(',', StringSplitOptions.TrimEntries);
        var values = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
                throw new FormatException($"block weight '{parts[i]}' (position {i + 1} of \"{text}\") is not a number; give 26, 17, 12 or 20 numbers or a preset ({string.Join(", ", Presets.Keys)})");
        int[]? map = values.Length switch { 26 => null, 17 => Slots17, 12 => Slots12, 20 => Slots20, _ => throw new FormatException($"a block weight vector has 26, 17, 12 or 20 values, \"{text}\" has {values.Length}") };
        var slots = Enumerable.Repeat(1.0, SlotCount).ToArray();
        for (int i = 0; i < values.Length; i++) slots[map?[i] ?? i] = values[i];
        return new BlockWeights(slots, text.Trim());
    }

    /// <summary>The slot of a kohya module name (0 = text encoder), or null for modules outside the blocks.</summary>
    public static int? SlotOf(string module)
    {
        if (module.StartsWith("lora_te", StringComparison.Ordinal)) return 0;
        var m = DownRegex().Match(module);
        if (m.Success)
        {
            int i = int.Parse(m.Groups[1].Value);
            return m.Groups[2].Value == "downsamplers" ? 1 + 3 * (i + 1) : 1 + 3 * i + int.Parse(m.Groups[3].Value) + 1;
        }
        m = UpRegex().Match(module);
        if (m.Success)
        {
            int i = int.Parse(m.Groups[1].Value);
            return m.Groups[2].Value == "upsamplers" ? 14 + 3 * i + 2 : 14 + 3 * i + int.Parse(m.Groups[3].Value);
        }
        if (module.StartsWith("lora_unet_mid_block_", StringComparison.Ordinal) || module.StartsWith("lora_unet_middle_block_", StringComparison.Ordinal)) return 13;
        m = SaiRegex().Match(module);
        if (m.Success) return (m.Groups[1].Value == "input" ? 1 : 14) + int.Parse(m.Groups[2].Value);
        return null;
    }

    /// <summary>The weight for <paramref name="module"/> (1 outside the blocks).</summary>
    public double For(string module) => SlotOf(module) is { } s ? _slots[s] : 1.0;

    public override string ToString() => Source;

    [GeneratedRegex(@"^lora_unet_down_blocks_(\d+)_(resnets|attentions|downsamplers)_(\d+)_")]
    private static partial Regex DownRegex();
    [GeneratedRegex(@"^lora_unet_up_blocks_(\d+)_(resnets|attentions|upsamplers)_(\d+)_")]
    private static partial Regex UpRegex();
    [GeneratedRegex(@"^lora_unet_(input|output)_blocks_(\d+)_")]
    private static partial Regex SaiRegex();
}
