using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace LoraPS.Models.Lora.Inference;

/// <summary>
/// AUTOMATIC1111's LoRA prompt tags: <c>&lt;lora:name&gt;</c> (strength 1), <c>&lt;lora:name:0.8&gt;</c>
/// (both parts), <c>&lt;lora:name:0.8:0.5&gt;</c> (text encoder, UNet), the named forms
/// <c>te=</c> / <c>unet=</c>, and the same with <c>lyco</c>. Tags are cut out of the prompt text;
/// text that is not a complete tag (no closing '&gt;', another network kind) is left as it is.
/// </summary>
public static partial class LoraPromptSyntax
{
    /// <summary>File extensions a LoRA name resolves to, in order of preference.</summary>
    public static readonly IReadOnlyList<string> Extensions = new[] { ".safetensors", ".ckpt", ".pt" };

    /// <summary>
    /// The prompt without its LoRA tags, and the tags in prompt order (a LoRA named twice appears
    /// twice). A tag that is meant as one but is unreadable (no name, a strength that is not a number,
    /// DyLoRA's dyn or another option LoraPS does not support) throws <see cref="LoraPromptSyntaxException"/>.
    /// </summary>
    public static (string Prompt, IReadOnlyList<LoraPromptReference> Loras) Extract(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var loras = new List<LoraPromptReference>();
        var text = new StringBuilder(prompt.Length);
        int last = 0;
        foreach (Match m in TagRegex().Matches(prompt))
        {
            loras.Add(ParseTag(m.Value, m.Groups[2].Value, m.Index));
            text.Append(prompt, last, m.Index - last);
            last = m.Index + m.Length;
        }
        text.Append(prompt, last, prompt.Length - last);
        return (text.ToString(), loras);
    }

    private static LoraPromptReference ParseTag(string tag, string body, int index)
    {
        LoraPromptSyntaxException Bad(string defect) => new(tag, index, defect);
        string[] parts = body.Split(':');
        string name = parts[0].Trim();
        if (name.Length == 0) throw Bad("the LoRA has no name (write <lora:name:strength>)");
        var positional = new List<double>();
        double? te = null, unet = null;
        foreach (string raw in parts.Skip(1))
        {
            string part = raw.Trim();
            if (part.Length == 0) throw Bad("an empty value between ':' (write <lora:name:0.8> or <lora:name:0.8:0.5>)");
            int eq = part.IndexOf('=');
            if (eq < 0)
            {
                if (positional.Count == 2)
                    throw Bad($"a third value '{part}' (DyLoRA's dynamic rank) is not supported; give a text encoder and a UNet strength at most");
                positional.Add(Number(part, positional.Count == 0 ? "text encoder strength" : "UNet strength"));
                continue;
            }
            string key = part[..eq].Trim(), value = part[(eq + 1)..].Trim();
            switch (key.ToLowerInvariant())
            {
                case "te":
                    if (te is not null) throw Bad("te= is given twice");
                    te = Number(value, "te");
                    break;
                case "unet":
                    if (unet is not null) throw Bad("unet= is given twice");
                    unet = Number(value, "unet");
                    break;
                default:
                    throw Bad($"the option '{key}' is not supported (supported: te=, unet=)");
            }
        }
        double teStrength = te ?? (positional.Count > 0 ? positional[0] : 1.0);
        double unetStrength = unet ?? (positional.Count > 1 ? positional[1] : teStrength);
        return new LoraPromptReference(name, teStrength, unetStrength);

        double Number(string text, string what)
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
                throw Bad($"the {what} '{text}' is not a number (use a dot for decimals: 0.8)");
            return v;
        }
    }

    /// <summary>
    /// The file of LoRA <paramref name="name"/>: a full path as given (with or without extension),
    /// else name.safetensors / .ckpt / .pt in each folder in turn (name may hold a subfolder), else a
    /// file of that name anywhere below the folders (ignoring case and Unicode normalisation, as on
    /// Windows). Throws <see cref="FileNotFoundException"/> naming the LoRA and the folders searched.
    /// </summary>
    public static string Resolve(string name, IEnumerable<string> folders)
    {
        ArgumentNullException.ThrowIfNull(folders);
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("the LoRA name is empty", nameof(name));
        var searched = folders.Where(f => !string.IsNullOrWhiteSpace(f)).ToList();

        if (Path.IsPathRooted(name))
            foreach (string candidate in Candidates("", name))
                if (File.Exists(candidate)) return Path.GetFullPath(candidate);
        foreach (string folder in searched)
            foreach (string candidate in Candidates(folder, name))
                if (File.Exists(candidate)) return Path.GetFullPath(candidate);

        string wanted = name.Replace('\\', '/').Split('/')[^1].Normalize(NormalizationForm.FormC);
        bool withExtension = Extensions.Any(e => wanted.EndsWith(e, StringComparison.OrdinalIgnoreCase));
        foreach (string folder in searched.Where(Directory.Exists))
        {
            var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System };
            var found = Directory.EnumerateFiles(folder, "*", options)
                .Where(f => ExtensionRank(f) >= 0)
                .Where(f => string.Equals((withExtension ? Path.GetFileName(f) : Path.GetFileNameWithoutExtension(f)).Normalize(NormalizationForm.FormC), wanted, StringComparison.OrdinalIgnoreCase))
                .OrderBy(ExtensionRank).ThenBy(f => f, StringComparer.Ordinal)
                .FirstOrDefault();
            if (found is not null) return Path.GetFullPath(found);
        }

        string where = searched.Count == 0 ? "no LoRA folders were given"
            : "searched " + string.Join(", ", searched.Select(f => Directory.Exists(f) ? $"'{f}'" : $"'{f}' (missing)")) + " and their subfolders";
        throw new FileNotFoundException($"LoRA '{name}' not found: no {name}.safetensors, .ckpt or .pt; {where}", name);
    }

    private static IEnumerable<string> Candidates(string folder, string name)
    {
        if (Extensions.Any(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase))) yield return Path.Combine(folder, name);
        foreach (string e in Extensions) yield return Path.Combine(folder, name + e);
    }

    private static int ExtensionRank(string file)
    {
        for (int i = 0; i < Extensions.Count; i++)
            if (file.EndsWith(Extensions[i], StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }

    [GeneratedRegex(@"<(lora|lyco):([^<>]*)>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TagRegex();
}
