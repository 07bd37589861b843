using LoraPS.Formats.Toml;

namespace LoraPS.Workflows.Dataset;

/// <summary>The kind of a subset, decided by its keys as sd-scripts decides it.</summary>
public enum SubsetKind
{
    DreamBooth,
    FineTuning,
    ControlNet,
}

/// <summary>
/// Option values of one level of a dataset config, in file order. Values are TOML values
/// (long, double, bool, string, <see cref="TomlArray"/>, <see cref="TomlTable"/>) so a config
/// writes back exactly as read.
/// </summary>
public sealed class DatasetOptions
{
    private readonly TomlTable _values = new();

    public IReadOnlyList<string> Keys => _values.Keys;

    public int Count => _values.Count;

    public bool Contains(string key) => _values.ContainsKey(key);

    public object? this[string key]
    {
        get => _values.TryGetValue(key, out var v) ? v : null;
        set
        {
            if (value is null) _values.Remove(key);
            else _values[key] = Normalise(value);
        }
    }

    public bool Remove(string key) => _values.Remove(key);

    internal TomlTable Table => _values;

    /// <summary>Accepts the CLR types callers naturally use (int, float, int[]) and stores TOML values.</summary>
    private static object Normalise(object value) => value switch
    {
        int i => (long)i,
        float f => (double)f,
        decimal m => (double)m,
        int[] pair => new TomlArray(pair.Select(v => (object)(long)v)),
        double[] pair => new TomlArray(pair.Select(v => (object)v)),
        Size2 s => new TomlArray { (long)s.Width, (long)s.Height },
        _ => value,
    };

    public DatasetOptions Clone()
    {
        var copy = new DatasetOptions();
        foreach (string key in Keys) copy[key] = _values[key];
        return copy;
    }
}

/// <summary>One [[datasets.subsets]] entry.</summary>
public sealed class SubsetConfig
{
    public DatasetOptions Options { get; } = new();

    /// <summary>Line of its header in the file it was read from (0 when built in code).</summary>
    public int Line { get; internal set; }

    public SubsetKind Kind =>
        Options.Contains("conditioning_data_dir") ? SubsetKind.ControlNet
        : Options.Contains("metadata_file") ? SubsetKind.FineTuning
        : SubsetKind.DreamBooth;
}

/// <summary>One [[datasets]] entry with its subsets.</summary>
public sealed class DatasetEntryConfig
{
    public DatasetOptions Options { get; } = new();
    public List<SubsetConfig> Subsets { get; } = new();
    public int Line { get; internal set; }
}

/// <summary>
/// An sd-scripts dataset config (--dataset_config): [general], then [[datasets]] each with
/// [[datasets.subsets]]. <see cref="DatasetConfigReader"/> reads and validates one,
/// <see cref="DatasetConfigWriter"/> writes one, <see cref="DatasetConfigResolver"/> applies the
/// subset → dataset → general → defaults order.
/// </summary>
public sealed class DatasetConfig
{
    public DatasetOptions General { get; } = new();
    public List<DatasetEntryConfig> Datasets { get; } = new();

    /// <summary>The file it was read from or written to, when there is one.</summary>
    public string? SourcePath { get; set; }

    /// <summary>The TOML document of this config.</summary>
    public TomlTable ToToml()
    {
        var root = new TomlTable();
        if (General.Count > 0) root["general"] = CopyOf(General.Table);
        var datasets = new TomlArray { IsArrayOfTables = true };
        foreach (var dataset in Datasets)
        {
            var table = CopyOf(dataset.Options.Table);
            var subsets = new TomlArray { IsArrayOfTables = true };
            foreach (var subset in dataset.Subsets) subsets.Add(CopyOf(subset.Options.Table));
            if (subsets.Count > 0) table["subsets"] = subsets;
            datasets.Add(table);
        }
        if (datasets.Count > 0) root["datasets"] = datasets;
        return root;
    }

    private static TomlTable CopyOf(TomlTable source)
    {
        var copy = new TomlTable();
        foreach (var (key, value) in source) copy[key] = value;
        return copy;
    }

    /// <summary>True when both configs hold the same keys and values at the same places.</summary>
    public bool ContentEquals(DatasetConfig other) => TomlValues.DeepEquals(ToToml(), other.ToToml());
}
