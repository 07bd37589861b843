using System.Text.Json;
using LoraPS.Formats;

namespace LoraPS.Models.StableDiffusion;

/// <summary>
/// Reading the model JSON that gives the hyper-parameters keys cannot fix (one section per part:
/// <c>text</c>, <c>unet</c>, <c>vae</c>, as in <c>tiny-sd1-1234.json</c>), with errors that name the
/// file and the field.
/// </summary>
internal static class ModelJson
{
    /// <summary>Opens <paramref name="path"/> and hands <paramref name="read"/> its <paramref name="section"/> object and the root.</summary>
    public static T ReadSection<T>(string path, string section, string part, Func<JsonElement, JsonElement, T> read)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllBytes(path)); }
        catch (JsonException e) { throw new InvalidFileException(path, "not valid JSON: " + e.Message, e); }
        using (doc)
        {
            if (!doc.RootElement.TryGetProperty(section, out var value) || value.ValueKind != JsonValueKind.Object)
                throw new InvalidFileException(path, $"no \"{section}\" section with the {part}'s hyper-parameters");
            return read(value, doc.RootElement);
        }
    }

    /// <summary><c>section.name</c> as an integer, or null when absent.</summary>
    public static int? OptionalInt(JsonElement obj, string section, string name, string source)
    {
        if (!obj.TryGetProperty(name, out var v)) return null;
        return v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i)
            ? i : throw new InvalidFileException(source, $"{section}.{name} must be an integer, found {v}");
    }

    /// <summary><c>section.name</c> as an integer; <paramref name="fallback"/> when absent, else an error.</summary>
    public static int Int(JsonElement obj, string section, string name, string source, int? fallback = null) =>
        OptionalInt(obj, section, name, source) ?? fallback ?? throw new InvalidFileException(source, $"{section}.{name} is missing");
}
