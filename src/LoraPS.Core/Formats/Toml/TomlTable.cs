namespace LoraPS.Formats.Toml;

/// <summary>
/// A TOML table: keys in document order mapped to values. Values are <see cref="string"/>,
/// <see cref="long"/>, <see cref="double"/>, <see cref="bool"/>, <see cref="DateTimeOffset"/> (offset
/// date-time), <see cref="TomlLocalDateTime"/>, <see cref="DateOnly"/>, <see cref="TimeOnly"/>,
/// <see cref="TomlArray"/> or a nested <see cref="TomlTable"/>. Each key remembers the line and
/// column it was read from, so schema checks above the parser can point at the offending line.
/// </summary>
public sealed class TomlTable : IEnumerable<KeyValuePair<string, object>>
{
    private readonly List<string> _order = new();
    private readonly Dictionary<string, object> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Line, int Column)> _positions = new(StringComparer.Ordinal);

    /// <summary>Where the table was opened (its header, its first dotted key, or its inline brace); 0 when built in code.</summary>
    public int Line { get; internal set; }
    public int Column { get; internal set; }

    /// <summary>True for a table written as <c>{ ... }</c>; the writer keeps it inline.</summary>
    public bool IsInline { get; set; }

    public int Count => _order.Count;
    public IReadOnlyList<string> Keys => _order;

    public object this[string key]
    {
        get => _values[key];
        set
        {
            TomlValues.Check(value);
            if (!_values.ContainsKey(key)) _order.Add(key);
            _values[key] = value;
        }
    }

    public bool ContainsKey(string key) => _values.ContainsKey(key);

    public bool TryGetValue(string key, out object value) => _values.TryGetValue(key, out value!);

    public void Add(string key, object value)
    {
        if (_values.ContainsKey(key)) throw new ArgumentException($"key '{key}' is already in the table", nameof(key));
        this[key] = value;
    }

    public bool Remove(string key)
    {
        if (!_values.Remove(key)) return false;
        _order.Remove(key);
        _positions.Remove(key);
        return true;
    }

    /// <summary>The 1-based line and column where <paramref name="key"/> was read, or (0, 0).</summary>
    public (int Line, int Column) PositionOf(string key) => _positions.TryGetValue(key, out var p) ? p : (0, 0);

    internal void SetPosition(string key, int line, int column) => _positions[key] = (line, column);

    public IEnumerator<KeyValuePair<string, object>> GetEnumerator()
    {
        foreach (string key in _order) yield return new(key, _values[key]);
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A TOML array; elements may be of mixed types (TOML 1.0).</summary>
public sealed class TomlArray : List<object>
{
    public TomlArray() { }
    public TomlArray(IEnumerable<object> items) : base(items) { }

    /// <summary>True when the array was written as <c>[[name]]</c> headers (an array of tables).</summary>
    public bool IsArrayOfTables { get; set; }

    public int Line { get; internal set; }
    public int Column { get; internal set; }
}

/// <summary>A local date-time (no offset). <see cref="DateTime.Kind"/> is Unspecified.</summary>
public readonly record struct TomlLocalDateTime(DateTime Value)
{
    public override string ToString() => TomlValues.Format(this);
}

/// <summary>Checks and compares TOML values.</summary>
public static class TomlValues
{
    internal static void Check(object value)
    {
        switch (value)
        {
            case string or long or double or bool or DateTimeOffset or TomlLocalDateTime or DateOnly or TimeOnly or TomlArray or TomlTable:
                return;
            case null:
                throw new ArgumentNullException(nameof(value), "TOML has no null value");
            default:
                throw new ArgumentException($"{value.GetType().Name} is not a TOML value type", nameof(value));
        }
    }

    /// <summary>Structural equality of two TOML values (NaN equals NaN; key order ignored).</summary>
    public static bool DeepEquals(object? a, object? b)
    {
        switch (a)
        {
            case TomlTable ta when b is TomlTable tb:
                if (ta.Count != tb.Count) return false;
                foreach (var (key, value) in ta)
                    if (!tb.TryGetValue(key, out var other) || !DeepEquals(value, other)) return false;
                return true;
            case TomlArray aa when b is TomlArray ab:
                if (aa.Count != ab.Count) return false;
                for (int i = 0; i < aa.Count; i++)
                    if (!DeepEquals(aa[i], ab[i])) return false;
                return true;
            case double da when b is double db:
                return da.Equals(db); // NaN.Equals(NaN) is true
            case DateTimeOffset oa when b is DateTimeOffset ob:
                return oa.UtcDateTime == ob.UtcDateTime && oa.Offset == ob.Offset;
            default:
                return a is not null && a.GetType() == b?.GetType() && a.Equals(b);
        }
    }

    /// <summary>The TOML type name of a value, as error messages say it.</summary>
    public static string TypeName(object? value) => value switch
    {
        string => "string",
        long => "integer",
        double => "float",
        bool => "boolean",
        DateTimeOffset => "offset date-time",
        TomlLocalDateTime => "local date-time",
        DateOnly => "local date",
        TimeOnly => "local time",
        TomlArray a when a.IsArrayOfTables => "array of tables",
        TomlArray => "array",
        TomlTable => "table",
        null => "nothing",
        _ => value.GetType().Name,
    };

    internal static string Format(TomlLocalDateTime value) =>
        value.Value.ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + Fraction(value.Value.TimeOfDay.Ticks);

    internal static string Format(DateTimeOffset value)
    {
        string text = value.DateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + Fraction(value.DateTime.TimeOfDay.Ticks);
        if (value.Offset == TimeSpan.Zero) return text + "Z";
        var offset = value.Offset.Duration();
        return text + (value.Offset < TimeSpan.Zero ? "-" : "+") + $"{offset.Hours:00}:{offset.Minutes:00}";
    }

    internal static string Format(DateOnly value) => value.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    internal static string Format(TimeOnly value) =>
        value.ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + Fraction(value.Ticks);

    /// <summary>".fffffff" without trailing zeros, or nothing when the time has no fraction of a second.</summary>
    private static string Fraction(long ticks)
    {
        long sub = ticks % TimeSpan.TicksPerSecond;
        return sub == 0 ? "" : "." + sub.ToString("0000000", System.Globalization.CultureInfo.InvariantCulture).TrimEnd('0');
    }
}

/// <summary>Helpers for code that copies parsed tables and keeps their positions.</summary>
public static class TomlTableExtensions
{
    /// <summary>Copies the recorded position of <paramref name="key"/> from <paramref name="source"/>.</summary>
    public static void SetPositionFrom(this TomlTable target, TomlTable source, string key)
    {
        var (line, column) = source.PositionOf(key);
        target.SetPosition(key, line, column);
    }
}
