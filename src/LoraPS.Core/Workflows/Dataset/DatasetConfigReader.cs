using System.Text.Json;
using LoraPS.Formats.Toml;

namespace LoraPS.Workflows.Dataset;

/// <summary>
/// Reads an sd-scripts dataset config (.toml, or .json as sd-scripts also accepts) and checks it
/// against <see cref="DatasetSchema"/> the way sd-scripts' voluptuous schema does: unknown keys
/// (with the nearest known key suggested), keys at the wrong level, wrong types, missing required
/// keys and mixed subset kinds are all reported with their line.
/// </summary>
public static class DatasetConfigReader
{
    public static DatasetConfig ReadFile(string path)
    {
        string full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"dataset config not found: {full}", full);
        string ext = Path.GetExtension(full).ToLowerInvariant();
        TomlTable root = ext switch
        {
            ".toml" => TomlParser.ParseFile(full),
            ".json" => FromJson(full),
            _ => throw new DatasetConfigException(full, new[] { new ConfigProblem(0, 0, "file", $"sd-scripts reads dataset configs only as .toml or .json, not '{ext}'") }),
        };
        var config = FromToml(root, full);
        config.SourcePath = full;
        return config;
    }

    public static DatasetConfig Parse(string tomlText, string? path = null) => FromToml(TomlParser.Parse(tomlText, path), path);

    /// <summary>Validates a parsed document and builds the config; throws <see cref="DatasetConfigException"/> listing every problem.</summary>
    public static DatasetConfig FromToml(TomlTable root, string? path)
    {
        var problems = new List<ConfigProblem>();
        var config = new DatasetConfig { SourcePath = path };
        foreach (var (key, value) in root)
        {
            var (line, column) = root.PositionOf(key);
            switch (key)
            {
                case "general":
                    if (value is TomlTable general) ReadOptions(general, config.General, ConfigLevel.General, "general", problems);
                    else problems.Add(new(line, column, "general", $"'general' must be a table ([general]), not {TomlValues.TypeName(value)}"));
                    break;
                case "datasets":
                    if (value is TomlArray array && array.All(e => e is TomlTable))
                    {
                        for (int d = 0; d < array.Count; d++)
                            config.Datasets.Add(ReadDataset((TomlTable)array[d], d, problems));
                    }
                    else problems.Add(new(line, column, "datasets", $"'datasets' must be an array of tables ([[datasets]]), not {TomlValues.TypeName(value)}"));
                    break;
                default:
                    problems.Add(Unknown(key, line, column, "top level", "the top level holds only [general] and [[datasets]]"));
                    break;
            }
        }
        if (problems.Count > 0) throw new DatasetConfigException(path, problems);
        return config;
    }

    private static DatasetEntryConfig ReadDataset(TomlTable table, int index, List<ConfigProblem> problems)
    {
        var dataset = new DatasetEntryConfig { Line = table.Line };
        string where = $"datasets[{index}]";
        var options = new TomlTable();
        foreach (var (key, value) in table)
        {
            if (key != "subsets") { options[key] = value; options.SetPositionFrom(table, key); continue; }
            var (line, column) = table.PositionOf(key);
            if (value is TomlArray array && array.All(e => e is TomlTable))
            {
                for (int s = 0; s < array.Count; s++)
                {
                    var subsetTable = (TomlTable)array[s];
                    var subset = new SubsetConfig { Line = subsetTable.Line };
                    ReadOptions(subsetTable, subset.Options, ConfigLevel.Subset, $"{where}.subsets[{s}]", problems);
                    CheckSubset(subset, subsetTable, $"{where}.subsets[{s}]", problems);
                    dataset.Subsets.Add(subset);
                }
            }
            else problems.Add(new(line, column, where, $"'subsets' must be an array of tables ([[datasets.subsets]]), not {TomlValues.TypeName(value)}"));
        }
        ReadOptions(options, dataset.Options, ConfigLevel.Dataset, where, problems);
        var kinds = dataset.Subsets.Select(s => s.Kind).Distinct().ToList();
        if (kinds.Contains(SubsetKind.DreamBooth) && kinds.Contains(SubsetKind.FineTuning))
            problems.Add(new(table.Line, table.Column, where, "DreamBooth subset and fine tuning subset cannot be mixed in the same dataset"));
        else if (kinds.Contains(SubsetKind.ControlNet) && kinds.Count > 1)
            problems.Add(new(table.Line, table.Column, where, "ControlNet subsets (with conditioning_data_dir) cannot be mixed with other kinds in the same dataset"));
        return dataset;
    }

    private static void ReadOptions(TomlTable table, DatasetOptions into, ConfigLevel level, string where, List<ConfigProblem> problems)
    {
        foreach (var (key, value) in table)
        {
            var (line, column) = table.PositionOf(key);
            var option = DatasetSchema.Find(key);
            if (option is null)
            {
                problems.Add(DatasetSchema.CommandLineOnly.TryGetValue(key, out string? flag)
                    ? new ConfigProblem(line, column, where, $"'{key}' is not allowed in a dataset config (extra keys not allowed); sd-scripts takes it only from the command line as {flag}")
                    : Unknown(key, line, column, where, null));
                continue;
            }
            if (!option.Levels.HasFlag(level))
            {
                problems.Add(new(line, column, where, $"'{key}' is not allowed in {DatasetSchema.LevelName(level)}; it belongs in {DatasetSchema.LevelsText(option.Levels)}"));
                continue;
            }
            string? typeProblem = CheckType(option, value);
            if (typeProblem is not null)
            {
                problems.Add(new(line, column, where, $"'{key}' must be {option.ExpectedType}, but it is {typeProblem}"));
                continue;
            }
            into[key] = value;
        }
    }

    private static void CheckSubset(SubsetConfig subset, TomlTable table, string where, List<ConfigProblem> problems)
    {
        var kind = subset.Kind;
        if (kind is SubsetKind.DreamBooth or SubsetKind.ControlNet && !subset.Options.Contains("image_dir"))
            problems.Add(new(table.Line, table.Column, where, "required key not provided: 'image_dir' (a DreamBooth subset needs the folder of its pictures)"));
        foreach (string key in subset.Options.Keys)
        {
            var option = DatasetSchema.Find(key)!;
            var flag = kind switch { SubsetKind.DreamBooth => SubsetKinds.DreamBooth, SubsetKind.FineTuning => SubsetKinds.FineTuning, _ => SubsetKinds.ControlNet };
            if (!option.Kinds.HasFlag(flag))
            {
                var (line, column) = table.PositionOf(key);
                problems.Add(new(line, column, where, $"'{key}' is not allowed in a {kind} subset (extra keys not allowed)"));
            }
        }
        if (subset.Options["metadata_file"] is string metadata && !(metadata.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || metadata.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase)))
        {
            var (line, column) = table.PositionOf("metadata_file");
            problems.Add(new(line, column, where, "'metadata_file' must be a .json or .jsonl file"));
        }
    }

    /// <summary>Null when <paramref name="value"/> fits the option's type, else what it is instead.</summary>
    private static string? CheckType(DatasetOption option, object value)
    {
        string actual = TomlValues.TypeName(value);
        switch (option.Type)
        {
            case OptionType.Integer:
                if (value is not long n) return actual;
                return n is >= int.MinValue and <= int.MaxValue ? null : $"{n}, too large";
            case OptionType.Boolean: return value is bool ? null : actual;
            case OptionType.String: return value is string ? null : actual;
            case OptionType.Float: return value is double ? null : actual;
            case OptionType.Number: return value is long or double ? null : actual;
            case OptionType.Table: return value is TomlTable ? null : actual;
            case OptionType.Interpolation:
                if (value is not string s) return actual;
                return DatasetSchema.Interpolations.Contains(s) ? null : $"\"{s}\"";
            case OptionType.Resolution:
                if (value is long l) return l is > 0 and <= 65536 ? null : $"{l}";
                if (value is TomlArray a)
                    return a.Count == 2 && a.All(e => e is long v && v is > 0 and <= 65536) ? null : $"an array of {a.Count} ({string.Join(", ", a.Select(TomlValues.TypeName))})";
                return actual;
            case OptionType.FloatPair:
                if (value is TomlArray p)
                    return p.Count == 2 && p.All(e => e is double) ? null : $"an array of {p.Count} ({string.Join(", ", p.Select(TomlValues.TypeName))})";
                return actual;
            default: return null;
        }
    }

    private static ConfigProblem Unknown(string key, int line, int column, string where, string? note)
    {
        string? nearest = DatasetSchema.Nearest(key);
        string message = $"unknown key '{key}' (extra keys not allowed)";
        if (nearest is not null && nearest != key) message += $"; did you mean '{nearest}'?";
        if (note is not null) message += $"; {note}";
        return new ConfigProblem(line, column, where, message);
    }

    // ---- JSON configs ----------------------------------------------------------------------------

    private static TomlTable FromJson(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            if (FromJson(doc.RootElement) is TomlTable table) return table;
            throw new DatasetConfigException(path, new[] { new ConfigProblem(0, 0, "file", "a JSON dataset config must be an object") });
        }
        catch (JsonException e)
        {
            throw new DatasetConfigException(path, new[] { new ConfigProblem((int)(e.LineNumber ?? -1) + 1, (int)(e.BytePositionInLine ?? 0) + 1, "file", "not valid JSON: " + e.Message) });
        }
    }

    private static object? FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().Aggregate(new TomlTable(), (t, p) => { if (FromJson(p.Value) is { } v) t[p.Name] = v; return t; }),
        JsonValueKind.Array => new TomlArray(e.EnumerateArray().Select(FromJson).Where(v => v is not null)!),
        JsonValueKind.String => e.GetString()!,
        JsonValueKind.Number => e.TryGetInt64(out long l) && !e.GetRawText().Contains('.') && !e.GetRawText().Contains('e', StringComparison.OrdinalIgnoreCase) ? (object)l : e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
