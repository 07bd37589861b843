using System.Text.Json;
using System.Text.Json.Serialization;

namespace LoraPS.Cli.Commands;

/// <summary>Printing shared by the verbs: aligned "name : value" lines for people, JSON for scripts.</summary>
internal static class CliOutput
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        // Paths and prompts in any language print as they are (still valid JSON); the default escapes all non-ASCII.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    public static void WriteJson<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Json));

    public static void WriteList(IEnumerable<(string Name, object? Value)> rows)
    {
        var list = rows.ToList();
        int width = list.Max(r => r.Name.Length);
        foreach (var (name, value) in list)
        {
            string text = value switch
            {
                null => "",
                string s => s,
                System.Collections.IEnumerable e => string.Join(", ", e.Cast<object>()),
                _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
            };
            Console.Out.WriteLine($"{name.PadRight(width)} : {text}");
        }
    }

    /// <summary>Prints an error the way every verb does, and returns the exit code for it.</summary>
    public static int Fail(Exception e)
    {
        Console.Error.WriteLine($"loraps: {e.Message}");
        return 1;
    }
}
