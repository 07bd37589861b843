using System.Text.Json;
using LoraPS.Formats;

namespace LoraPS.Models.StableDiffusion.Loading;

/// <summary>
/// One JSON object read from a config file of a model folder (diffusers' <c>config.json</c>,
/// <c>model_index.json</c>, <c>scheduler_config.json</c>): bounded in size and depth, and every typed read
/// names the file and the field when the value is absent, of the wrong type or out of range.
/// </summary>
internal sealed class JsonConfig
{
    /// <summary>Config files are a few kilobytes; anything past this is not one.</summary>
    public const int MaxBytes = 1 << 20;

    /// <summary>Largest integer a size field may hold: far above any real width or count, far below an overflow.</summary>
    public const int MaxInt = 1 << 20;

    private readonly JsonElement root;

    public string Path { get; }

    private JsonConfig(string path, JsonElement root)
    {
        Path = path;
        this.root = root;
    }

    /// <summary>Reads <paramref name="path"/>; the top level must be an object.</summary>
    public static JsonConfig Read(string path)
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new FileNotFoundException($"{path} does not exist", path);
            if (info.Length > MaxBytes) throw new InvalidFileException(path, $"is {info.Length} bytes, more than a config file's {MaxBytes}-byte limit");
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException e) when (e is not FileNotFoundException) { throw new InvalidFileException(path, "cannot be read: " + e.Message, e); }
        try
        {
            using var doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 32 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidFileException(path, $"the top level is a JSON {doc.RootElement.ValueKind.ToString().ToLowerInvariant()}, not an object");
            return new JsonConfig(path, doc.RootElement.Clone());
        }
        catch (JsonException e) { throw new InvalidFileException(path, "not valid JSON: " + e.Message, e); }
        catch (ArgumentException e) { throw new InvalidFileException(path, "not valid JSON: " + e.Message, e); }
    }

    public bool Has(string field) => root.TryGetProperty(field, out var v) && v.ValueKind != JsonValueKind.Null;

    private InvalidFileException Bad(string field, string what) => new(Path, $"{field} {what}");

    private JsonElement? Get(string field) =>
        root.TryGetProperty(field, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    /// <summary>An integer in [<paramref name="min"/>, <see cref="MaxInt"/>]; <paramref name="fallback"/> when absent or null, else an error.</summary>
    public int Int(string field, int? fallback = null, int min = 1)
    {
        if (Get(field) is not { } v) return fallback ?? throw Bad(field, "is missing");
        return ToInt(field, v, min);
    }

    private int ToInt(string field, JsonElement v, int min)
    {
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out long n)) throw Bad(field, $"must be an integer, found {Show(v)}");
        if (n < min || n > MaxInt) throw Bad(field, $"is {n}, outside {min}…{MaxInt}");
        return (int)n;
    }

    /// <summary>A list of integers (each in range), or a single integer repeated <paramref name="count"/> times when <paramref name="count"/> is given.</summary>
    public int[] Ints(string field, int? count = null, int min = 1)
    {
        if (Get(field) is not { } v) throw Bad(field, "is missing");
        if (v.ValueKind == JsonValueKind.Number && count is int c) return Enumerable.Repeat(ToInt(field, v, min), c).ToArray();
        if (v.ValueKind != JsonValueKind.Array) throw Bad(field, $"must be a list of integers, found {Show(v)}");
        if (v.GetArrayLength() == 0 || v.GetArrayLength() > 64) throw Bad(field, $"must hold 1…64 integers, found {v.GetArrayLength()}");
        var result = v.EnumerateArray().Select((e, i) => ToInt($"{field}[{i}]", e, min)).ToArray();
        if (count is int n && result.Length != n) throw Bad(field, $"has {result.Length} entries, expected {n}");
        return result;
    }

    /// <summary>True when the field is a list (rather than a single value).</summary>
    public bool IsList(string field) => Get(field) is { ValueKind: JsonValueKind.Array };

    public string? OptionalString(string field)
    {
        if (Get(field) is not { } v) return null;
        return v.ValueKind == JsonValueKind.String ? v.GetString() : throw Bad(field, $"must be a string, found {Show(v)}");
    }

    public string String(string field, string? fallback = null) => OptionalString(field) ?? fallback ?? throw Bad(field, "is missing");

    public string[] Strings(string field)
    {
        if (Get(field) is not { } v) throw Bad(field, "is missing");
        if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() > 64 || v.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
            throw Bad(field, $"must be a list of strings, found {Show(v)}");
        return v.EnumerateArray().Select(e => e.GetString()!).ToArray();
    }

    public bool Bool(string field, bool fallback)
    {
        if (Get(field) is not { } v) return fallback;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Bad(field, $"must be true or false, found {Show(v)}"),
        };
    }

    /// <summary>A finite number greater than 0; <paramref name="fallback"/> when absent.</summary>
    public double Positive(string field, double fallback)
    {
        if (Get(field) is not { } v) return fallback;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out double d) || !double.IsFinite(d) || d <= 0)
            throw Bad(field, $"must be a positive number, found {Show(v)}");
        return d;
    }

    /// <summary>Fails naming the field when it is present with a value other than one of <paramref name="allowed"/> (compared as JSON text).</summary>
    public void Require(string field, string why, params string[] allowed)
    {
        if (Get(field) is not { } v) return;
        string text = v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText();
        bool Matches(string a) => v.ValueKind == JsonValueKind.Number
            ? v.TryGetDouble(out double d) && double.TryParse(a, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double x) && d == x
            : text == a;
        if (!allowed.Any(Matches))
            throw Bad(field, $"is {Show(v)}; {why} (supported: {string.Join(", ", allowed)})");
    }

    private static string Show(JsonElement v)
    {
        string text = v.GetRawText();
        return text.Length > 60 ? text[..60] + "…" : text;
    }
}
