using System.Globalization;
using System.Text;

namespace LoraPS.Formats.Toml;

/// <summary>
/// Writes a <see cref="TomlTable"/> as TOML 1.0 text that <see cref="TomlParser"/> reads back to an
/// equal table: plain values first, then sub-tables as <c>[a.b]</c> headers and arrays of tables as
/// <c>[[a]]</c>, in insertion order.
/// </summary>
public static class TomlWriter
{
    /// <summary>The document text. <paramref name="newline"/> is "\n" or "\r\n".</summary>
    public static string Write(TomlTable table, string newline = "\n")
    {
        var sb = new StringBuilder();
        WriteTable(sb, table, new List<string>(), newline);
        return sb.ToString();
    }

    /// <summary>Writes the document to <paramref name="path"/> atomically (UTF-8, no BOM).</summary>
    public static void WriteFile(string path, TomlTable table, bool overwrite = false, string newline = "\n") =>
        AtomicFile.WriteAllText(path, Write(table, newline), overwrite);

    private static void WriteTable(StringBuilder sb, TomlTable table, List<string> path, string nl)
    {
        foreach (var (key, value) in table)
        {
            if (IsSection(value)) continue;
            sb.Append(FormatKey(key)).Append(" = ");
            WriteValue(sb, value);
            sb.Append(nl);
        }
        foreach (var (key, value) in table)
        {
            if (!IsSection(value)) continue;
            var childPath = new List<string>(path) { FormatKey(key) };
            string name = string.Join('.', childPath);
            if (value is TomlTable child)
            {
                // A table holding only sub-tables needs no header of its own.
                bool needsHeader = child.Count == 0 || child.Any(kv => !IsSection(kv.Value));
                if (needsHeader)
                {
                    if (sb.Length > 0) sb.Append(nl);
                    sb.Append('[').Append(name).Append(']').Append(nl);
                }
                WriteTable(sb, child, childPath, nl);
            }
            else
            {
                foreach (TomlTable element in (TomlArray)value)
                {
                    if (sb.Length > 0) sb.Append(nl);
                    sb.Append("[[").Append(name).Append("]]").Append(nl);
                    WriteTable(sb, element, childPath, nl);
                }
            }
        }
    }

    /// <summary>Values written as their own [header] or [[header]] section rather than inline.</summary>
    private static bool IsSection(object value) => value switch
    {
        TomlTable t => !t.IsInline,
        TomlArray a => a.Count > 0 && a.All(e => e is TomlTable t && !t.IsInline),
        _ => false,
    };

    private static void WriteValue(StringBuilder sb, object value)
    {
        switch (value)
        {
            case string s: sb.Append(FormatString(s)); break;
            case long l: sb.Append(l.ToString(CultureInfo.InvariantCulture)); break;
            case double d: sb.Append(FormatFloat(d)); break;
            case bool b: sb.Append(b ? "true" : "false"); break;
            case DateTimeOffset o: sb.Append(TomlValues.Format(o)); break;
            case TomlLocalDateTime ldt: sb.Append(TomlValues.Format(ldt)); break;
            case DateOnly date: sb.Append(TomlValues.Format(date)); break;
            case TimeOnly time: sb.Append(TomlValues.Format(time)); break;
            case TomlArray array:
                sb.Append('[');
                for (int i = 0; i < array.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    WriteValue(sb, array[i]);
                }
                sb.Append(']');
                break;
            case TomlTable table:
                WriteInline(sb, table);
                break;
            default:
                throw new ArgumentException($"{value.GetType().Name} is not a TOML value type");
        }
    }

    /// <summary>An inline table: nested tables are written inline too, so the line never breaks.</summary>
    private static void WriteInline(StringBuilder sb, TomlTable table)
    {
        if (table.Count == 0) { sb.Append("{}"); return; }
        sb.Append("{ ");
        bool first = true;
        foreach (var (key, value) in table)
        {
            if (!first) sb.Append(", ");
            first = false;
            sb.Append(FormatKey(key)).Append(" = ");
            WriteValue(sb, value);
        }
        sb.Append(" }");
    }

    /// <summary>A key as written: bare when it can be, otherwise a quoted basic string.</summary>
    public static string FormatKey(string key) =>
        key.Length > 0 && key.All(c => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-')
            ? key : FormatString(key);

    /// <summary>A basic string with every character TOML requires escaped.</summary>
    public static string FormatString(string s)
    {
        var sb = new StringBuilder(s.Length + 2);
        sb.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\b': sb.Append("\\b"); break;
                case '\t': sb.Append("\\t"); break;
                case '\n': sb.Append("\\n"); break;
                case '\f': sb.Append("\\f"); break;
                case '\r': sb.Append("\\r"); break;
                default:
                    if (c < 0x20 || c == 0x7F) sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }

    /// <summary>A float that reads back bit-exact and always looks like a float ("1.0", not "1").</summary>
    public static string FormatFloat(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsPositiveInfinity(d)) return "inf";
        if (double.IsNegativeInfinity(d)) return "-inf";
        string r = d.ToString("R", CultureInfo.InvariantCulture);
        if (r.Contains('E'))
        {
            // "1E+20" is a valid TOML float as it stands (an exponent needs no dot).
            return r.Replace("E", "e");
        }
        return r.Contains('.') ? r : r + ".0";
    }
}
