using System.Text;
using LoraPS.Formats;
using LoraPS.Workflows;

namespace LoraPS.Models.Tagging;

/// <summary>One row of selected_tags.csv; the row index is the model's output index.</summary>
public sealed record Wd14Tag(int Index, long TagId, string Name, TagCategory Category, long Count);

/// <summary>
/// A WD14 tagger's selected_tags.csv (header tag_id,name,category,count; row i = output i;
/// category 9 rating, 0 general, 4 character; others treated as general).
/// </summary>
public sealed class Wd14TagSet
{
    public IReadOnlyList<Wd14Tag> Tags { get; }
    public string Path { get; }

    private Wd14TagSet(IReadOnlyList<Wd14Tag> tags, string path) => (Tags, Path) = (tags, path);

    public int Count => Tags.Count;

    public static Wd14TagSet Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"tag list {path} does not exist", path);
        return Parse(File.ReadAllText(path, Encoding.UTF8), path);
    }

    public static Wd14TagSet Parse(string text, string path)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        if (lines.Length == 0 || lines[0].Trim().TrimStart('\uFEFF').Length == 0)
            throw new InvalidFileException(path, "the tag list is empty (expected a header tag_id,name,category,count)");
        var header = SplitCsv(lines[0].TrimStart('\uFEFF'), path, 1).Select(h => h.Trim()).ToList();
        int nameCol = header.IndexOf("name"), categoryCol = header.IndexOf("category"), idCol = header.IndexOf("tag_id"), countCol = header.IndexOf("count");
        if (nameCol < 0 || categoryCol < 0)
            throw new InvalidFileException(path, $"line 1: the header '{lines[0]}' lacks the name and category columns of selected_tags.csv");
        var tags = new List<Wd14Tag>();
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var cells = SplitCsv(lines[i], path, i + 1);
            if (cells.Count < header.Count)
                throw new InvalidFileException(path, $"line {i + 1}: {cells.Count} columns, the header has {header.Count}");
            if (!int.TryParse(cells[categoryCol], out int category))
                throw new InvalidFileException(path, $"line {i + 1}: category '{cells[categoryCol]}' is not a number");
            long id = idCol >= 0 && long.TryParse(cells[idCol], out long v) ? v : tags.Count;
            long count = countCol >= 0 && long.TryParse(cells[countCol], out long c) ? c : 0;
            var kind = category switch { 9 => TagCategory.Rating, 4 => TagCategory.Character, _ => TagCategory.General };
            if (cells[nameCol].Length == 0) throw new InvalidFileException(path, $"line {i + 1}: the tag name is empty");
            tags.Add(new Wd14Tag(tags.Count, id, cells[nameCol], kind, count));
        }
        if (tags.Count == 0) throw new InvalidFileException(path, "the tag list has a header but no tags");
        return new Wd14TagSet(tags, path);
    }

    /// <summary>RFC 4180 fields: commas separate, double quotes quote, "" is a quote.</summary>
    private static List<string> SplitCsv(string line, string path, int lineNumber)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else cell.Append(ch);
            }
            else if (ch == '"' && cell.Length == 0) quoted = true;
            else if (ch == ',') { cells.Add(cell.ToString()); cell.Clear(); }
            else cell.Append(ch);
        }
        if (quoted) throw new InvalidFileException(path, $"line {lineNumber}: a quoted field is not closed");
        cells.Add(cell.ToString());
        return cells;
    }
}
