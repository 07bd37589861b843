using System.Globalization;
using System.Text;
using System.Text.Json;
using LoraPS.Formats.Toml;
using LoraPS.Models.StableDiffusion.Sampling;

namespace LoraPS.Models.StableDiffusion.Generation;

/// <summary>
/// One sd-scripts sample prompt (<c>--sample_prompts</c>): the prompt text and the options that override
/// the run's defaults. A line reads <c>prompt --n negative --w 512 --h 768 --d 42 --s 28 --l 7.5 --ss euler_a</c>
/// (options after " --", keys case-insensitive; later ones win). Widths and heights are kept as written
/// (the generator floors them to multiples of 8, at least 64); steps are clamped to 1…1000. Options of other
/// architectures (--g, --cn, --ctr, --rcfg, --fs) and unknown ones are not errors, as in sd-scripts: they
/// are listed in <see cref="IgnoredOptions"/>. A known option with a malformed value is an error naming the
/// file and line.
/// </summary>
public sealed record SamplePrompt
{
    public required string Prompt { get; init; }
    public string? NegativePrompt { get; init; }
    public int? Width { get; init; }
    public int? Height { get; init; }
    public long? Seed { get; init; }
    public int? Steps { get; init; }
    public double? CfgScale { get; init; }
    public SamplerChoice? Sampler { get; init; }

    /// <summary>Options read but not used (e.g. <c>--g 3.5</c>, <c>controlnet_image = "x.png"</c>), as written.</summary>
    public IReadOnlyList<string> IgnoredOptions { get; init; } = Array.Empty<string>();

    /// <summary>The file the prompt came from, when read from one.</summary>
    public string? Source { get; init; }

    /// <summary>1-based line of the prompt in <see cref="Source"/> (0 when unknown).</summary>
    public int LineNumber { get; init; }

    /// <summary>Files larger than this are refused.</summary>
    public const long MaxFileBytes = 16L << 20;

    /// <summary>At most this many prompts per file.</summary>
    public const int MaxPrompts = 100_000;

    /// <summary>sd-scripts' defaults for sample images: 512×512, 30 steps, CFG 7.5, DDIM.</summary>
    public static GenerationRequest SdScriptsDefaults { get; } = new()
    {
        Prompt = "", Width = 512, Height = 512, Steps = 30, CfgScale = 7.5, Sampler = new SamplerChoice(SamplerKind.Ddim),
    };

    private static readonly HashSet<string> OtherArchitectureOptions = new(StringComparer.Ordinal) { "g", "cn", "ctr", "rcfg", "fs" };

    /// <summary>
    /// Reads one prompt line. <paramref name="source"/> and <paramref name="lineNumber"/> only name the place
    /// in errors and are kept on the result. Throws <see cref="SamplePromptException"/> for an empty line or a
    /// malformed option value.
    /// </summary>
    public static SamplePrompt ParseLine(string line, string? source = null, int lineNumber = 0)
    {
        ArgumentNullException.ThrowIfNull(line);
        string text = line.Trim();
        if (text.Length == 0) throw new SamplePromptException(source, lineNumber, "the prompt line is empty");

        string prompt;
        IEnumerable<string> options;
        string[] segments = text.Split(" --");
        if (segments[0].StartsWith("--", StringComparison.Ordinal))
        {
            prompt = "";
            options = segments.Skip(1).Prepend(segments[0][2..]);
        }
        else
        {
            prompt = segments[0].Trim();
            options = segments.Skip(1);
        }

        var result = new SamplePrompt { Prompt = prompt, Source = source, LineNumber = lineNumber };
        var ignored = new List<string>();
        foreach (string segment in options)
        {
            int space = segment.IndexOfAny(new[] { ' ', '\t' });
            string key = (space < 0 ? segment : segment[..space]).ToLowerInvariant();
            string value = space < 0 ? "" : segment[(space + 1)..].Trim();
            SamplePromptException Bad(string what) => new(source, lineNumber, $"--{key} {what}, found \"{Shorten(value)}\"");
            switch (key)
            {
                case "n":
                    result = result with { NegativePrompt = value };
                    break;
                case "w":
                    result = result with { Width = Side(value, () => Bad("expects a width in pixels (a whole number up to " + GenerationRequest.MaxSide + ")")) };
                    break;
                case "h":
                    result = result with { Height = Side(value, () => Bad("expects a height in pixels (a whole number up to " + GenerationRequest.MaxSide + ")")) };
                    break;
                case "d":
                    result = result with { Seed = IsDigits(value) && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long seed) ? seed : throw Bad($"expects a seed (a whole number from 0 to {long.MaxValue})") };
                    break;
                case "s":
                    result = result with { Steps = IsDigits(value) ? ClampSteps(value) : throw Bad("expects a number of steps (a whole number)") };
                    break;
                case "l":
                    result = result with { CfgScale = Scale(value) ?? throw Bad("expects a CFG scale (a number such as 7.5)") };
                    break;
                case "ss":
                    try { result = result with { Sampler = SamplerChoice.Parse(value) }; }
                    catch (ArgumentException e) { throw new SamplePromptException(source, lineNumber, "--ss: " + e.Message.Split(" (Parameter")[0], e); }
                    break;
                default:
                    ignored.Add("--" + segment.TrimEnd());
                    break;
            }
        }
        return result with { IgnoredOptions = ignored };
    }

    /// <summary>
    /// Reads a prompt file as sd-scripts does, by extension: <c>.txt</c> (one prompt per line; blank lines and
    /// lines starting with # are skipped), <c>.toml</c> (a <c>[prompt]</c> table whose keys are defaults for
    /// each table of its <c>subset</c> list) or <c>.json</c> (a list whose items are prompt lines or tables).
    /// Table keys: prompt, negative_prompt, width, height, seed, sample_steps, scale, sample_sampler. Errors
    /// are <see cref="SamplePromptException"/> (or <see cref="TomlException"/>) naming the file and line.
    /// </summary>
    public static IReadOnlyList<SamplePrompt> ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"sample prompt file not found: {path}", path);
        if (info.Length > MaxFileBytes)
            throw new SamplePromptException(path, 0, $"the file is {info.Length:N0} bytes; sample prompt files are limited to {MaxFileBytes >> 20} MiB");
        string extension = Path.GetExtension(path).ToLowerInvariant();
        var prompts = extension switch
        {
            ".txt" => ReadText(path),
            ".toml" => ReadToml(path),
            ".json" => ReadJson(path),
            _ => throw new SamplePromptException(path, 0, $"unknown sample prompt file type \"{extension}\"; use .txt, .toml or .json"),
        };
        return prompts;
    }

    /// <summary>
    /// The request for this prompt: <paramref name="defaults"/> with every option this prompt sets replaced.
    /// A prompt without --d takes the defaults' seed.
    /// </summary>
    public GenerationRequest ToRequest(GenerationRequest defaults)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        return defaults with
        {
            Prompt = Prompt,
            NegativePrompt = NegativePrompt ?? defaults.NegativePrompt,
            Width = Width ?? defaults.Width,
            Height = Height ?? defaults.Height,
            Seed = Seed ?? defaults.Seed,
            Steps = Steps ?? defaults.Steps,
            CfgScale = CfgScale ?? defaults.CfgScale,
            Sampler = Sampler ?? defaults.Sampler,
        };
    }

    private static List<SamplePrompt> ReadText(string path)
    {
        string text = ReadUtf8(path);
        var prompts = new List<SamplePrompt>();
        int number = 0;
        foreach (string raw in text.Split('\n'))
        {
            number++;
            string line = raw.TrimEnd('\r');
            string trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed[0] == '#') continue;
            Add(prompts, ParseLine(line, path, number), path, number);
        }
        return prompts;
    }

    private static List<SamplePrompt> ReadToml(string path)
    {
        var root = TomlParser.ParseFile(path);
        if (!root.TryGetValue("prompt", out object promptValue) || promptValue is not TomlTable table)
            throw new SamplePromptException(path, root.ContainsKey("prompt") ? root.PositionOf("prompt").Line : 1, "a sample prompt TOML needs a [prompt] table");
        if (!table.TryGetValue("subset", out object subsetValue) || subsetValue is not TomlArray subsets || subsets.Any(s => s is not TomlTable))
            throw new SamplePromptException(path, table.ContainsKey("subset") ? table.PositionOf("subset").Line : table.Line,
                "[prompt] needs a subset list of tables ([[prompt.subset]] with a prompt each)");
        var prompts = new List<SamplePrompt>();
        foreach (TomlTable subset in subsets.Cast<TomlTable>())
        {
            int line = subset.Line > 0 ? subset.Line : table.Line;
            var items = table.Where(kv => kv.Key != "subset").Select(kv => (kv.Key, (object?)kv.Value, table.PositionOf(kv.Key).Line))
                .Concat(subset.Select(kv => (kv.Key, (object?)kv.Value, subset.PositionOf(kv.Key).Line)));
            Add(prompts, FromTable(items, path, line), path, line);
        }
        return prompts;
    }

    private static List<SamplePrompt> ReadJson(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int start = bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? 3 : 0;
        var body = bytes.AsMemory(start);
        JsonDocument document;
        try { document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 }); }
        catch (JsonException e) { throw new SamplePromptException(path, (int)(e.LineNumber ?? -1) + 1, "not valid JSON: " + e.Message, e); }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
                throw new SamplePromptException(path, 1, $"a sample prompt JSON is a list of prompts (strings or objects), not {Kind(document.RootElement)}");
            var lines = ItemLines(body.Span);
            var prompts = new List<SamplePrompt>();
            int index = 0;
            foreach (var item in document.RootElement.EnumerateArray())
            {
                int line = index < lines.Count ? lines[index] : 0;
                index++;
                var prompt = item.ValueKind switch
                {
                    JsonValueKind.String => ParseLine(item.GetString()!, path, line),
                    JsonValueKind.Object => FromTable(item.EnumerateObject().Select(p => (p.Name, JsonValue(p.Value), line)), path, line),
                    _ => throw new SamplePromptException(path, line, $"item {index} of the list is {Kind(item)}; expected a prompt string or an object"),
                };
                Add(prompts, prompt, path, line);
            }
            return prompts;
        }
    }

    /// <summary>A prompt from a table's keys (TOML subset merged over [prompt], or a JSON object); later keys win.</summary>
    private static SamplePrompt FromTable(IEnumerable<(string Key, object? Value, int Line)> items, string path, int line)
    {
        string? prompt = null;
        var result = new SamplePrompt { Prompt = "", Source = path, LineNumber = line };
        var ignored = new List<string>();
        foreach (var (key, value, keyLine) in items)
        {
            int at = keyLine > 0 ? keyLine : line;
            SamplePromptException Bad(string what) => new(path, at, $"{key} {what}, found {Describe(value)}");
            switch (key)
            {
                case "prompt":
                    prompt = value as string ?? throw Bad("must be a string");
                    break;
                case "negative_prompt":
                    result = result with { NegativePrompt = value as string ?? throw Bad("must be a string") };
                    break;
                case "width":
                    result = result with { Width = WholeNumber(value, 0, GenerationRequest.MaxSide) is long w ? (int)w : throw Bad($"must be a whole number of pixels up to {GenerationRequest.MaxSide}") };
                    break;
                case "height":
                    result = result with { Height = WholeNumber(value, 0, GenerationRequest.MaxSide) is long h ? (int)h : throw Bad($"must be a whole number of pixels up to {GenerationRequest.MaxSide}") };
                    break;
                case "seed":
                    result = result with { Seed = WholeNumber(value, 0, long.MaxValue) ?? throw Bad("must be a whole number ≥ 0") };
                    break;
                case "sample_steps":
                    result = result with { Steps = WholeNumber(value, long.MinValue, long.MaxValue) is long s ? (int)Math.Clamp(s, 1, 1000) : throw Bad("must be a whole number") };
                    break;
                case "scale":
                    result = result with { CfgScale = value is long or double && Convert.ToDouble(value, CultureInfo.InvariantCulture) is double d && double.IsFinite(d) && d >= 0 ? d : throw Bad("must be a number ≥ 0") };
                    break;
                case "sample_sampler":
                    if (value is not string name) throw Bad("must be a string");
                    try { result = result with { Sampler = SamplerChoice.Parse(name) }; }
                    catch (ArgumentException e) { throw new SamplePromptException(path, at, "sample_sampler: " + e.Message.Split(" (Parameter")[0], e); }
                    break;
                default:
                    ignored.Add($"{key} = {Describe(value)}");
                    break;
            }
        }
        if (prompt is null) throw new SamplePromptException(path, line, "the prompt table has no \"prompt\" key");
        return result with { Prompt = prompt, IgnoredOptions = ignored };
    }

    private static void Add(List<SamplePrompt> prompts, SamplePrompt prompt, string path, int line)
    {
        if (prompts.Count >= MaxPrompts) throw new SamplePromptException(path, line, $"more than {MaxPrompts:N0} prompts in one file");
        prompts.Add(prompt);
    }

    private static string ReadUtf8(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        try
        {
            string text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            return text.Length > 0 && text[0] == '\uFEFF' ? text[1..] : text;
        }
        catch (DecoderFallbackException e)
        {
            int offset = Math.Clamp(e.Index, 0, bytes.Length);
            int line = 1 + bytes.AsSpan(0, offset).Count((byte)'\n');
            throw new SamplePromptException(path, line, "the file is not valid UTF-8", e);
        }
    }

    /// <summary>1-based line of each item of the top-level JSON array, from the item's byte offset.</summary>
    private static List<int> ItemLines(ReadOnlySpan<byte> json)
    {
        var lines = new List<int>();
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
        int line = 1;
        long counted = 0;
        while (reader.Read())
        {
            if (reader.CurrentDepth != 1 || reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray or JsonTokenType.PropertyName) continue;
            long offset = reader.TokenStartIndex;
            line += json[(int)counted..(int)offset].Count((byte)'\n');
            counted = offset;
            lines.Add(line);
        }
        return lines;
    }

    private static object? JsonValue(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.TryGetInt64(out long l) ? l : e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        _ => e, // objects and arrays: only ever reported
    };

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.Null => "null",
        _ => "a boolean",
    };

    private static string Describe(object? value) => value switch
    {
        null => "null",
        string s => "\"" + Shorten(s) + "\"",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        TomlTable => "a table",
        TomlArray => "a list",
        JsonElement e => Kind(e),
        _ => Shorten(value.ToString() ?? ""),
    };

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..57] + "…";

    private static bool IsDigits(string s) => s.Length > 0 && s.All(char.IsAsciiDigit);

    private static int? Side(string value, Func<SamplePromptException> bad) =>
        IsDigits(value) && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n <= GenerationRequest.MaxSide ? n : throw bad();

    // sd-scripts clamps --s to 1…1000; a number too long for int is simply large
    private static int ClampSteps(string digits) =>
        int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? Math.Clamp(n, 1, 1000) : 1000;

    private static double? Scale(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiDigit(c) || c == '.')
        && double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d) ? d : null;

    private static long? WholeNumber(object? value, long min, long max) => value switch
    {
        long l when l >= min && l <= max => l,
        double d when Math.Abs(d) < 9007199254740992.0 && Math.Floor(d) == d && d >= min && d <= max => (long)d,
        _ => null,
    };
}
