using System.Text.Json;
using System.Text.Json.Serialization;
using LoraPS.Formats;

namespace LoraPS.Workflows.Rename;

/// <summary>
/// The journal a rename writes next to the images before touching any of them: every move as
/// source → temporary name → target, and the phase reached (1: sources to temporary names, 2:
/// temporary names to targets). It is rewritten atomically when the phase changes and deleted at the
/// end, so after a crash the file system plus the journal say exactly where every file is.
/// </summary>
public sealed class RenameJournal
{
    public const string FileName = ".loraps-rename.journal";

    /// <summary>Temporary names start with this; scans skip them.</summary>
    public const string TempPrefix = ".loraps-rename-";

    public int Version { get; set; } = 1;
    public string RunId { get; set; } = "";
    public int Phase { get; set; } = 1;
    public List<Entry> Moves { get; set; } = [];

    public sealed record Entry(string Source, string Temp, string Target);

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string PathIn(string folder) => Path.Combine(folder, FileName);

    public static bool ExistsIn(string folder) => File.Exists(PathIn(folder));

    public static bool IsOwnFile(string name) =>
        name.StartsWith(TempPrefix, StringComparison.Ordinal) || name.StartsWith(FileName, StringComparison.Ordinal)
        || name.StartsWith("." + FileName, StringComparison.Ordinal); // AtomicFile's temporary copy of the journal

    public static RenameJournal? Read(string folder)
    {
        string path = PathIn(folder);
        if (!File.Exists(path)) return null;
        try
        {
            var journal = JsonSerializer.Deserialize<RenameJournal>(File.ReadAllText(path), Json)
                          ?? throw new JsonException("empty");
            if (journal.Version != 1 || journal.Phase is not (1 or 2) || journal.Moves.Any(m => !SafeName(m.Source) || !SafeName(m.Temp) || !SafeName(m.Target)))
                throw new JsonException("unexpected content");
            return journal;
        }
        catch (JsonException e)
        {
            throw new InvalidFileException(path, $"the rename journal is unreadable ({e.Message}); the files were left as they are — inspect the folder and delete the journal", e);
        }
    }

    /// <summary>Journal names are plain file names in the folder, never paths elsewhere.</summary>
    private static bool SafeName(string name) =>
        !string.IsNullOrEmpty(name) && name == Path.GetFileName(name) && name is not ("." or "..");

    public void Write(string folder) =>
        AtomicFile.Write(PathIn(folder), s => JsonSerializer.Serialize(s, this, Json), overwrite: true);

    /// <summary>Removes leftovers of a journal write that was cut short (AtomicFile's temporary copies).</summary>
    public static void CleanStaleTemporaries(string folder)
    {
        foreach (string f in Directory.EnumerateFiles(folder, "." + FileName + ".*.tmp"))
            try { File.Delete(f); } catch (IOException) { }
    }
}
