using System.Globalization;
using System.Text;

namespace LoraPS.Formats.Toml;

/// <summary>
/// Reads a TOML 1.0 document into a <see cref="TomlTable"/>. Every rule of the specification is
/// enforced (table redefinition, dotted-key and inline-table immutability, string escapes, number
/// and date-time grammars); the first violation throws <see cref="TomlException"/> with its line and
/// column.
/// </summary>
public sealed class TomlParser
{
    private const int End = -1;

    /// <summary>Arrays and inline tables nested deeper than this are refused (a hostile file must not exhaust the stack).</summary>
    public const int MaxNesting = 128;

    private int _depth;

    private readonly string _text;
    private readonly string? _path;
    private int _pos;
    private int _line = 1;
    private int _lineStart;

    // How each table came to exist decides what may still be added to it.
    private readonly HashSet<TomlTable> _headerDefined = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<TomlTable> _dottedDefined = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<TomlTable> _frozen = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<TomlArray> _headerArrays = new(ReferenceEqualityComparer.Instance);

    private TomlParser(string text, string? path)
    {
        _text = text;
        _path = path;
    }

    /// <summary>Parses <paramref name="text"/>; <paramref name="path"/> only names the file in errors.</summary>
    public static TomlTable Parse(string text, string? path = null) => new TomlParser(text, path).ParseDocument();

    /// <summary>Reads and parses a UTF-8 TOML file (a leading byte-order mark is allowed).</summary>
    public static TomlTable ParseFile(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            int offset = Math.Max(0, e.Index);
            int line = 1 + bytes.AsSpan(0, Math.Min(offset, bytes.Length)).Count((byte)'\n');
            throw new TomlException(path, line, 1, "the file is not valid UTF-8");
        }
        return Parse(text, path);
    }

    private TomlTable ParseDocument()
    {
        if (_text.Length > 0 && _text[0] == '\uFEFF') { _pos = 1; _lineStart = 1; }
        var root = new TomlTable { Line = 1, Column = 1 };
        var current = root;
        while (true)
        {
            SkipSpaces();
            int c = Peek();
            if (c == End) break;
            if (c == '#') SkipComment();
            else if (c == '\n' || c == '\r') { }
            else if (c == '[') current = ParseHeader(root);
            else ParseKeyValue(current, inline: false);
            SkipSpaces();
            if (Peek() == '#') SkipComment();
            if (Peek() == End) break;
            ExpectNewline();
        }
        return root;
    }

    // ---- structure -------------------------------------------------------------------------------

    private TomlTable ParseHeader(TomlTable root)
    {
        int line = _line, column = Column;
        Advance(); // [
        bool arrayOfTables = Peek() == '[';
        if (arrayOfTables) Advance();
        SkipSpaces();
        var keys = ParseKey();
        SkipSpaces();
        Expect(']', arrayOfTables ? "expected ']]' to close the array-of-tables header" : "expected ']' to close the table header");
        if (arrayOfTables) Expect(']', "expected ']]' to close the array-of-tables header");

        var table = root;
        for (int i = 0; i < keys.Count - 1; i++)
        {
            var (name, kl, kc) = keys[i];
            if (!table.TryGetValue(name, out var existing))
            {
                var created = new TomlTable { Line = line, Column = column };
                table[name] = created;
                table.SetPosition(name, kl, kc);
                table = created;
            }
            else if (existing is TomlTable t && !_frozen.Contains(t)) table = t;
            else if (existing is TomlArray a && _headerArrays.Contains(a)) table = (TomlTable)a[^1];
            else throw Error(kl, kc, $"'{Dotted(keys, i)}' is {Describe(existing)}, so it cannot hold a sub-table");
        }

        var (last, ll, lc) = keys[^1];
        table.TryGetValue(last, out var current);
        if (arrayOfTables)
        {
            TomlArray array;
            if (current is null)
            {
                array = new TomlArray { IsArrayOfTables = true, Line = line, Column = column };
                _headerArrays.Add(array);
                table[last] = array;
                table.SetPosition(last, ll, lc);
            }
            else if (current is TomlArray a && _headerArrays.Contains(a)) array = a;
            else throw Error(ll, lc, $"'{Dotted(keys, keys.Count - 1)}' is already {Describe(current)}; [[{Dotted(keys, keys.Count - 1)}]] cannot append to it");
            var element = new TomlTable { Line = line, Column = column };
            _headerDefined.Add(element);
            array.Add(element);
            return element;
        }

        if (current is null)
        {
            var created = new TomlTable { Line = line, Column = column };
            _headerDefined.Add(created);
            table[last] = created;
            table.SetPosition(last, ll, lc);
            return created;
        }
        if (current is TomlTable existingTable && !_headerDefined.Contains(existingTable)
            && !_dottedDefined.Contains(existingTable) && !_frozen.Contains(existingTable))
        {
            // A table made implicitly by an earlier [a.b.c] header may be defined once now.
            _headerDefined.Add(existingTable);
            existingTable.Line = line;
            existingTable.Column = column;
            return existingTable;
        }
        throw Error(ll, lc, $"table '{Dotted(keys, keys.Count - 1)}' is defined twice (it is already {Describe(current)})");
    }

    private void ParseKeyValue(TomlTable table, bool inline)
    {
        var keys = ParseKey();
        SkipSpaces();
        Expect('=', $"expected '=' after the key '{Dotted(keys, keys.Count - 1)}'");
        SkipSpaces();
        var value = ParseValue();

        for (int i = 0; i < keys.Count - 1; i++)
        {
            var (name, kl, kc) = keys[i];
            if (!table.TryGetValue(name, out var existing))
            {
                var created = new TomlTable { Line = kl, Column = kc };
                _dottedDefined.Add(created);
                table[name] = created;
                table.SetPosition(name, kl, kc);
                table = created;
            }
            else if (existing is TomlTable t && _dottedDefined.Contains(t) && !_frozen.Contains(t)) table = t;
            else throw Error(kl, kc, $"dotted key '{Dotted(keys, i)}' would add to {Describe(existing)} that is already defined");
        }
        var (last, ll, lc) = keys[^1];
        if (table.ContainsKey(last))
            throw Error(ll, lc, $"duplicate key '{Dotted(keys, keys.Count - 1)}'{(inline ? " in the inline table" : "")}");
        table[last] = value;
        table.SetPosition(last, ll, lc);
    }

    private List<(string Name, int Line, int Column)> ParseKey()
    {
        var keys = new List<(string, int, int)>();
        while (true)
        {
            int line = _line, column = Column;
            int c = Peek();
            string name;
            if (c == '"')
            {
                if (PeekAt(1) == '"' && PeekAt(2) == '"') throw Error("a multi-line string cannot be a key");
                name = ParseBasicString();
            }
            else if (c == '\'')
            {
                if (PeekAt(1) == '\'' && PeekAt(2) == '\'') throw Error("a multi-line string cannot be a key");
                name = ParseLiteralString();
            }
            else
            {
                int start = _pos;
                while (IsBareKeyChar(Peek())) Advance();
                if (_pos == start)
                    throw Error(c == End ? "expected a key, found the end of the document"
                        : c is '\n' or '\r' ? "expected a key, found the end of the line"
                        : $"expected a key, found {Show(c)} (bare keys use only A-Z a-z 0-9 _ -; quote other keys)");
                name = _text[start.._pos];
            }
            keys.Add((name, line, column));
            SkipSpaces();
            if (Peek() != '.') return keys;
            Advance();
            SkipSpaces();
        }
    }

    // ---- values ----------------------------------------------------------------------------------

    private object ParseValue()
    {
        int c = Peek();
        switch (c)
        {
            case '"':
                return PeekAt(1) == '"' && PeekAt(2) == '"' ? ParseMultilineBasicString() : ParseBasicString();
            case '\'':
                return PeekAt(1) == '\'' && PeekAt(2) == '\'' ? ParseMultilineLiteralString() : ParseLiteralString();
            case '[':
                return ParseArray();
            case '{':
                return ParseInlineTable();
            case End:
                throw Error("expected a value, found the end of the document");
            case '\n' or '\r':
                throw Error("expected a value, found the end of the line");
        }
        if (c == 't' || c == 'f')
        {
            int start = _pos;
            while (IsTokenChar(Peek())) Advance();
            string word = _text[start.._pos];
            if (word == "true") return true;
            if (word == "false") return false;
            throw Error(_line, start - _lineStart + 1, $"'{word}' is not a value (booleans are lower-case true and false)");
        }
        if (IsTokenChar(c)) return ParseNumberOrDate();
        throw Error($"expected a value, found {Show(c)}");
    }

    private TomlArray ParseArray()
    {
        var array = new TomlArray { Line = _line, Column = Column };
        Enter();
        Advance(); // [
        while (true)
        {
            SkipSpacesNewlinesComments();
            if (Peek() == ']') { Advance(); _depth--; return array; }
            array.Add(ParseValue());
            SkipSpacesNewlinesComments();
            int c = Peek();
            if (c == ',') { Advance(); continue; }
            if (c == ']') { Advance(); _depth--; return array; }
            throw Error(c == End ? "unterminated array: expected ']'" : $"expected ',' or ']' in the array, found {Show(c)}");
        }
    }

    private TomlTable ParseInlineTable()
    {
        var table = new TomlTable { Line = _line, Column = Column, IsInline = true };
        Enter();
        Advance(); // {
        SkipSpaces();
        if (Peek() == '}') { Advance(); Freeze(table); _depth--; return table; }
        while (true)
        {
            SkipSpaces();
            if (Peek() is '\n' or '\r') throw Error("an inline table must stay on one line");
            if (Peek() == '}') throw Error("a trailing comma is not allowed in an inline table");
            ParseKeyValue(table, inline: true);
            SkipSpaces();
            int c = Peek();
            if (c == ',') { Advance(); continue; }
            if (c == '}') { Advance(); Freeze(table); _depth--; return table; }
            if (c is '\n' or '\r') throw Error("an inline table must stay on one line");
            throw Error(c == End ? "unterminated inline table: expected '}'" : $"expected ',' or '}}' in the inline table, found {Show(c)}");
        }
    }

    private void Enter()
    {
        if (++_depth > MaxNesting) throw Error($"arrays and inline tables are nested more than {MaxNesting} deep");
    }

    /// <summary>An inline table and every table inside it is complete: nothing may be added later.</summary>
    private void Freeze(TomlTable table)
    {
        _frozen.Add(table);
        foreach (var (_, value) in table)
            if (value is TomlTable t) Freeze(t);
    }

    // ---- strings ---------------------------------------------------------------------------------

    private string ParseBasicString()
    {
        Advance(); // "
        var sb = new StringBuilder();
        while (true)
        {
            int c = Peek();
            if (c == '"') { Advance(); return sb.ToString(); }
            if (c == End || c == '\n' || c == '\r') throw Error("unterminated string: a basic string must close with \" on the same line");
            if (c == '\\') { ParseEscape(sb); continue; }
            CheckStringChar(c);
            sb.Append((char)c);
            Advance();
        }
    }

    private string ParseMultilineBasicString()
    {
        int line = _line, column = Column;
        Advance(3);
        SkipOneNewline();
        var sb = new StringBuilder();
        while (true)
        {
            int c = Peek();
            if (c == End) throw Error(line, column, "unterminated multi-line string: expected \"\"\"");
            if (TryCloseMultiline('"', sb, "multi-line string")) return sb.ToString();
            if (c == '\\')
            {
                // A line-ending backslash trims the newline and all white space after it.
                int look = 1;
                while (PeekAt(look) is ' ' or '\t') look++;
                if (PeekAt(look) is '\n' || (PeekAt(look) == '\r' && PeekAt(look + 1) == '\n'))
                {
                    Advance(look);
                    SkipSpacesNewlines();
                    continue;
                }
                ParseEscape(sb);
                continue;
            }
            if (TryAppendNewline(sb)) continue;
            CheckStringChar(c);
            sb.Append((char)c);
            Advance();
        }
    }

    /// <summary>
    /// At three <paramref name="quote"/>s, consumes the closing delimiter of a multi-line string: up to two
    /// more quotes right before it belong to the content (appended to <paramref name="sb"/>).
    /// </summary>
    private bool TryCloseMultiline(char quote, StringBuilder sb, string what)
    {
        if (Peek() != quote || PeekAt(1) != quote || PeekAt(2) != quote) return false;
        int n = 0;
        while (Peek() == quote) { n++; Advance(); }
        if (n > 5) throw Error($"too many quotes after a {what} (at most two may end its content)");
        sb.Append(quote, n - 3);
        return true;
    }

    /// <summary>At a line feed or CR LF inside a multi-line string, appends it and moves to the next line; a lone CR is an error.</summary>
    private bool TryAppendNewline(StringBuilder sb)
    {
        int c = Peek();
        if (c == '\n') { sb.Append('\n'); NewLine(1); return true; }
        if (c != '\r') return false;
        if (PeekAt(1) != '\n') throw Error("a carriage return must be followed by a line feed");
        sb.Append("\r\n");
        NewLine(2);
        return true;
    }

    private string ParseLiteralString()
    {
        Advance(); // '
        int start = _pos;
        while (true)
        {
            int c = Peek();
            if (c == '\'') { string s = _text[start.._pos]; Advance(); return s; }
            if (c == End || c == '\n' || c == '\r') throw Error("unterminated literal string: it must close with ' on the same line");
            CheckStringChar(c);
            Advance();
        }
    }

    private string ParseMultilineLiteralString()
    {
        int line = _line, column = Column;
        Advance(3);
        SkipOneNewline();
        var sb = new StringBuilder();
        while (true)
        {
            int c = Peek();
            if (c == End) throw Error(line, column, "unterminated multi-line literal string: expected '''");
            if (TryCloseMultiline('\'', sb, "multi-line literal string")) return sb.ToString();
            if (TryAppendNewline(sb)) continue;
            CheckStringChar(c);
            sb.Append((char)c);
            Advance();
        }
    }

    private void ParseEscape(StringBuilder sb)
    {
        int line = _line, column = Column;
        Advance(); // backslash
        int c = Peek();
        switch (c)
        {
            case 'b': sb.Append('\b'); Advance(); return;
            case 't': sb.Append('\t'); Advance(); return;
            case 'n': sb.Append('\n'); Advance(); return;
            case 'f': sb.Append('\f'); Advance(); return;
            case 'r': sb.Append('\r'); Advance(); return;
            case '"': sb.Append('"'); Advance(); return;
            case '\\': sb.Append('\\'); Advance(); return;
            case 'u':
            case 'U':
                int digits = c == 'u' ? 4 : 8;
                Advance();
                int value = 0;
                for (int i = 0; i < digits; i++)
                {
                    int h = HexValue(Peek());
                    if (h < 0) throw Error(line, column, $"\\{(char)c} needs exactly {digits} hexadecimal digits");
                    value = checked(value * 16 + h);
                    Advance();
                }
                if (value > 0x10FFFF || value is >= 0xD800 and <= 0xDFFF || value < 0)
                    throw Error(line, column, $"\\{(char)c}{value:X} is not a Unicode scalar value");
                sb.Append(char.ConvertFromUtf32(value));
                return;
            default:
                throw Error(line, column, c == End ? "unterminated escape sequence"
                    : $"invalid escape sequence '\\{(c is '\n' or '\r' ? "<newline>" : ((char)c).ToString())}' (TOML 1.0 knows \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX)");
        }
    }

    private void CheckStringChar(int c)
    {
        if ((c < 0x20 && c != '\t') || c == 0x7F)
            throw Error($"control character U+{c:X4} must be escaped in a string");
    }

    // ---- numbers and dates -----------------------------------------------------------------------

    private object ParseNumberOrDate()
    {
        int line = _line, column = Column, start = _pos;
        while (IsTokenChar(Peek())) Advance();
        // "1979-05-27 07:32:00": a space may separate date and time.
        if (_pos - start == 10 && IsDate(_text.AsSpan(start, 10)) && Peek() == ' '
            && IsDigit(PeekAt(1)) && IsDigit(PeekAt(2)) && PeekAt(3) == ':')
        {
            Advance();
            while (IsTokenChar(Peek())) Advance();
        }
        string token = _text[start.._pos];
        if (token.Length >= 10 && IsDate(token.AsSpan(0, 10))) return ParseDateTime(token, line, column);
        if (token.Length >= 3 && IsDigit(token[0]) && IsDigit(token[1]) && token[2] == ':')
        {
            if (ParseTime(token, 0, out var time, out int used, line, column) && used == token.Length) return time;
            throw Error(line, column, $"'{token}' is not a valid local time (HH:MM:SS[.fraction])");
        }
        return ParseNumber(token, line, column);
    }

    private object ParseNumber(string token, int line, int column)
    {
        switch (token)
        {
            case "inf" or "+inf": return double.PositiveInfinity;
            case "-inf": return double.NegativeInfinity;
            case "nan" or "+nan" or "-nan": return double.NaN;
        }
        if (token.Length > 2 && token[0] == '0' && token[1] is 'x' or 'o' or 'b')
        {
            int radix = token[1] switch { 'x' => 16, 'o' => 8, _ => 2 };
            string digits = token[2..];
            if (!ValidUnderscores(digits, ch => DigitValue(ch) is int d && d >= 0 && d < radix))
                throw Error(line, column, $"'{token}' is not a valid base-{radix} integer");
            ulong value = 0;
            foreach (char ch in digits)
            {
                if (ch == '_') continue;
                ulong next = value * (ulong)radix + (ulong)DigitValue(ch)!.Value;
                if (value > (ulong.MaxValue - (ulong)radix) / (ulong)radix || next > long.MaxValue)
                    throw Error(line, column, $"'{token}' does not fit in a 64-bit integer");
                value = next;
            }
            return (long)value;
        }
        bool isFloat = token.IndexOfAny(new[] { '.', 'e', 'E' }) >= 0;
        return isFloat ? (object)ParseFloat(token, line, column) : ParseInteger(token, line, column);
    }

    private long ParseInteger(string token, int line, int column)
    {
        int i = token.Length > 0 && token[0] is '+' or '-' ? 1 : 0;
        string digits = token[i..];
        if (digits.Length == 0 || !ValidUnderscores(digits, IsDigitChar))
            throw Error(line, column, $"'{token}' is not a valid value");
        if (digits.Length > 1 && digits[0] == '0')
            throw Error(line, column, $"'{token}': leading zeros are not allowed in a decimal integer");
        if (!long.TryParse(token.Replace("_", ""), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            throw Error(line, column, $"'{token}' does not fit in a 64-bit integer");
        return value;
    }

    private double ParseFloat(string token, int line, int column)
    {
        int i = token[0] is '+' or '-' ? 1 : 0;
        int ePos = token.IndexOfAny(new[] { 'e', 'E' });
        string mantissa = ePos >= 0 ? token[i..ePos] : token[i..];
        string? exponent = ePos >= 0 ? token[(ePos + 1)..] : null;
        int dot = mantissa.IndexOf('.');
        string intPart = dot >= 0 ? mantissa[..dot] : mantissa;
        string? fracPart = dot >= 0 ? mantissa[(dot + 1)..] : null;
        bool ok = intPart.Length > 0 && ValidUnderscores(intPart, IsDigitChar) && !(intPart.Length > 1 && intPart[0] == '0')
                  && (fracPart is null || (fracPart.Length > 0 && ValidUnderscores(fracPart, IsDigitChar)));
        if (ok && exponent is not null)
        {
            string e = exponent.Length > 0 && exponent[0] is '+' or '-' ? exponent[1..] : exponent;
            ok = e.Length > 0 && ValidUnderscores(e, IsDigitChar);
        }
        if (!ok) throw Error(line, column, $"'{token}' is not a valid number");
        double value = double.Parse(token.Replace("_", ""), NumberStyles.Float, CultureInfo.InvariantCulture);
        if (double.IsInfinity(value)) throw Error(line, column, $"'{token}' is too large for a 64-bit float");
        return value;
    }

    private object ParseDateTime(string token, int line, int column)
    {
        int year = Num(token, 0, 4), month = Num(token, 5, 2), day = Num(token, 8, 2);
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(Math.Max(1, year), month) || year < 1)
            throw Error(line, column, $"'{token}' is not a valid date");
        var date = new DateOnly(year, month, day);
        if (token.Length == 10) return date;
        if (token[10] is not ('T' or 't' or ' '))
            throw Error(line, column, $"'{token}' is not a valid date-time (expected T or a space after the date)");
        if (!ParseTime(token, 11, out var time, out int used, line, column))
            throw Error(line, column, $"'{token}' is not a valid date-time");
        int rest = 11 + used;
        var local = date.ToDateTime(time);
        if (rest == token.Length) return new TomlLocalDateTime(local);
        if (token[rest] is 'Z' or 'z' && rest + 1 == token.Length)
            return new DateTimeOffset(local, TimeSpan.Zero);
        if (token[rest] is '+' or '-' && token.Length - rest == 6 && IsDigit(token[rest + 1]) && IsDigit(token[rest + 2])
            && token[rest + 3] == ':' && IsDigit(token[rest + 4]) && IsDigit(token[rest + 5]))
        {
            int oh = Num(token, rest + 1, 2), om = Num(token, rest + 4, 2);
            if (oh > 23 || om > 59) throw Error(line, column, $"'{token}' has an invalid offset");
            var offset = new TimeSpan(oh, om, 0);
            return new DateTimeOffset(local, token[rest] == '-' ? -offset : offset);
        }
        throw Error(line, column, $"'{token}' has an invalid time offset (use Z or ±HH:MM)");
    }

    /// <summary>HH:MM:SS[.fraction] at <paramref name="at"/>; <paramref name="used"/> is its length.</summary>
    private bool ParseTime(string s, int at, out TimeOnly time, out int used, int line, int column)
    {
        time = default;
        used = 0;
        if (s.Length < at + 8 || !IsDigit(s[at]) || !IsDigit(s[at + 1]) || s[at + 2] != ':' || !IsDigit(s[at + 3])
            || !IsDigit(s[at + 4]) || s[at + 5] != ':' || !IsDigit(s[at + 6]) || !IsDigit(s[at + 7]))
            return false;
        int h = Num(s, at, 2), m = Num(s, at + 3, 2), sec = Num(s, at + 6, 2);
        if (h > 23 || m > 59) return false;
        if (sec == 60) throw Error(line, column, "leap seconds (:60) are not supported");
        if (sec > 59) return false;
        int i = at + 8;
        long ticks = 0;
        if (i < s.Length && s[i] == '.')
        {
            i++;
            int start = i;
            while (i < s.Length && IsDigit(s[i])) i++;
            if (i == start) return false;
            // Precision beyond .NET's 100 ns is truncated, as the specification allows.
            string frac = s.Substring(start, Math.Min(7, i - start)).PadRight(7, '0');
            ticks = long.Parse(frac, CultureInfo.InvariantCulture);
        }
        time = new TimeOnly(h, m, sec).Add(TimeSpan.FromTicks(ticks));
        used = i - at;
        return true;
    }

    // ---- scanning helpers ------------------------------------------------------------------------

    private int Column => _pos - _lineStart + 1;

    private int Peek() => _pos < _text.Length ? _text[_pos] : End;

    private int PeekAt(int offset) => _pos + offset < _text.Length ? _text[_pos + offset] : End;

    private void Advance(int n = 1) => _pos += n;

    private void NewLine(int width)
    {
        _pos += width;
        _line++;
        _lineStart = _pos;
    }

    private void SkipSpaces()
    {
        while (Peek() is ' ' or '\t') Advance();
    }

    private void SkipSpacesNewlines()
    {
        while (true)
        {
            int c = Peek();
            if (c is ' ' or '\t') Advance();
            else if (c == '\n') NewLine(1);
            else if (c == '\r' && PeekAt(1) == '\n') NewLine(2);
            else return;
        }
    }

    private void SkipSpacesNewlinesComments()
    {
        while (true)
        {
            SkipSpacesNewlines();
            if (Peek() == '#') SkipComment();
            else if (Peek() == '\r') throw Error("a carriage return must be followed by a line feed");
            else return;
        }
    }

    private void SkipOneNewline()
    {
        if (Peek() == '\n') NewLine(1);
        else if (Peek() == '\r' && PeekAt(1) == '\n') NewLine(2);
    }

    private void SkipComment()
    {
        Advance(); // #
        while (true)
        {
            int c = Peek();
            if (c == End || c == '\n' || (c == '\r' && PeekAt(1) == '\n')) return;
            if ((c < 0x20 && c != '\t') || c == 0x7F) throw Error($"control character U+{c:X4} is not allowed in a comment");
            Advance();
        }
    }

    private void ExpectNewline()
    {
        int c = Peek();
        if (c == '\n') { NewLine(1); return; }
        if (c == '\r' && PeekAt(1) == '\n') { NewLine(2); return; }
        if (c == '\r') throw Error("a carriage return must be followed by a line feed");
        throw Error($"expected the end of the line, found {Show(c)} (one key/value pair or header per line)");
    }

    private void Expect(char expected, string message)
    {
        if (Peek() != expected) throw Error(message + (Peek() == End ? ", found the end of the document" : $", found {Show(Peek())}"));
        Advance();
    }

    private static bool IsBareKeyChar(int c) => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-';

    private static bool IsTokenChar(int c) => IsBareKeyChar(c) || c is '+' or '.' or ':';

    private static bool IsDigit(int c) => c is >= '0' and <= '9';

    private static bool IsDigitChar(char c) => c is >= '0' and <= '9';

    private static bool IsDate(ReadOnlySpan<char> s) =>
        IsDigit(s[0]) && IsDigit(s[1]) && IsDigit(s[2]) && IsDigit(s[3]) && s[4] == '-' && IsDigit(s[5]) && IsDigit(s[6])
        && s[7] == '-' && IsDigit(s[8]) && IsDigit(s[9]);

    private static int Num(string s, int at, int length) => int.Parse(s.AsSpan(at, length), NumberStyles.None, CultureInfo.InvariantCulture);

    private static int HexValue(int c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private static int? DigitValue(char c) => HexValue(c) is int v and >= 0 ? v : null;

    /// <summary>Non-empty, only digits and underscores, and each underscore between two digits.</summary>
    private static bool ValidUnderscores(string s, Func<char, bool> isDigit)
    {
        if (s.Length == 0) return false;
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '_')
            {
                if (i == 0 || i == s.Length - 1 || !isDigit(s[i - 1]) || !isDigit(s[i + 1])) return false;
            }
            else if (!isDigit(s[i])) return false;
        }
        return true;
    }

    private static string Dotted(List<(string Name, int Line, int Column)> keys, int last) =>
        string.Join('.', keys.Take(last + 1).Select(k => TomlWriter.FormatKey(k.Name)));

    private static string Describe(object? value) => value switch
    {
        TomlTable t when t.IsInline => "an inline table",
        TomlTable => "a table",
        TomlArray a when a.IsArrayOfTables => "an array of tables",
        TomlArray => "an array",
        _ => "a " + TomlValues.TypeName(value),
    };

    private static string Show(int c) => c switch
    {
        End => "the end of the document",
        '\n' or '\r' => "the end of the line",
        < 0x20 or 0x7F => $"U+{c:X4}",
        _ => $"'{(char)c}'",
    };

    private TomlException Error(string reason) => Error(_line, Column, reason);

    private TomlException Error(int line, int column, string reason) => new(_path, line, column, reason);
}
