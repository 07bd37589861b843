using System.Globalization;
using System.Text;

namespace LoraPS.Workflows.Preview;

/// <summary>
/// The generation settings as AUTOMATIC1111 writes them into the "parameters" text of its PNGs, so the
/// web UI's PNG Info tab and tools that read A1111 images read ours:
/// <code>
/// a photo of a cat
/// Negative prompt: blurry
/// Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 42, Size: 512x512, Model hash: 6ce0161689, Model: v1-5, Clip skip: 2, Lora hashes: "cat: 0123abcd"
/// </code>
/// Line 1 is the prompt (it may span lines), the negative prompt line appears only when there is one,
/// the last line is "key: value" pairs joined by ", ". A value holding a comma, colon or line break is
/// written as a JSON string (quotes, escapes) as A1111 does; missing optional values are left out.
/// </summary>
public static class InfoText
{
    /// <summary>The PNG text keyword A1111 stores the infotext under.</summary>
    public const string PngKeyword = "parameters";

    /// <param name="clipSkip">Written only above 1, as A1111 does (1 is the default).</param>
    /// <param name="loraHashes">Written as one quoted "name: hash, name: hash" value; an empty list is left out.</param>
    public static string Format(string prompt, string negativePrompt, int steps, string sampler, double cfgScale, long seed,
        int width, int height, string? modelName = null, string? modelHash = null, int? clipSkip = null,
        IReadOnlyList<(string Name, string Hash)>? loraHashes = null)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(negativePrompt);
        ArgumentException.ThrowIfNullOrWhiteSpace(sampler);
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be 1 or more");
        if (!double.IsFinite(cfgScale)) throw new ArgumentOutOfRangeException(nameof(cfgScale), cfgScale, "the CFG scale must be a finite number");
        if (width < 1 || height < 1) throw new ArgumentOutOfRangeException(nameof(width), $"size {width}x{height} is not positive");

        var parameters = new List<(string Key, string Value)>
        {
            ("Steps", steps.ToString(CultureInfo.InvariantCulture)),
            ("Sampler", sampler),
            ("CFG scale", cfgScale.ToString("R", CultureInfo.InvariantCulture)),
            ("Seed", seed.ToString(CultureInfo.InvariantCulture)),
            ("Size", $"{width}x{height}"),
        };
        if (!string.IsNullOrEmpty(modelHash)) parameters.Add(("Model hash", modelHash));
        if (!string.IsNullOrEmpty(modelName)) parameters.Add(("Model", modelName));
        if (clipSkip is > 1) parameters.Add(("Clip skip", clipSkip.Value.ToString(CultureInfo.InvariantCulture)));
        if (loraHashes is { Count: > 0 })
            parameters.Add(("Lora hashes", string.Join(", ", loraHashes.Select(l => $"{l.Name}: {l.Hash}"))));

        var text = new StringBuilder(prompt);
        if (negativePrompt.Length > 0) text.Append("\nNegative prompt: ").Append(negativePrompt);
        text.Append('\n').Append(string.Join(", ", parameters.Select(kv => $"{kv.Key}: {Quote(kv.Value)}")));
        // A1111 strips the whole text, which drops the empty first line when there is no prompt.
        return text.ToString().Trim();
    }

    /// <summary>A value as A1111 writes it: unchanged unless it holds ',', ':' or a line break, then a JSON string (non-ASCII kept as is).</summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.IndexOfAny([',', ':', '\n']) < 0) return value;
        var quoted = new StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': quoted.Append("\\\""); break;
                case '\\': quoted.Append("\\\\"); break;
                case '\n': quoted.Append("\\n"); break;
                case '\r': quoted.Append("\\r"); break;
                case '\t': quoted.Append("\\t"); break;
                case '\b': quoted.Append("\\b"); break;
                case '\f': quoted.Append("\\f"); break;
                default:
                    if (c < 0x20) quoted.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else quoted.Append(c);
                    break;
            }
        }
        return quoted.Append('"').ToString();
    }
}
