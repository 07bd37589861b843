using LoraPS.Formats.Toml;
using LoraPS.Tests.Support;

namespace LoraPS.Tests.Toml;

/// <summary>What the writer produces reads back equal, for every value type and table shape.</summary>
public sealed class TomlWriterTests
{
    private static TomlTable RoundTrip(TomlTable table, string newline = "\n")
    {
        string text = TomlWriter.Write(table, newline);
        var back = TomlParser.Parse(text, "roundtrip.toml");
        Assert.True(TomlValues.DeepEquals(table, back), "round trip changed the document:\n" + text);
        return back;
    }

    [Fact]
    public void Every_value_type_round_trips()
    {
        var table = new TomlTable
        {
            { "string", "plain" },
            { "escapes", "quote \" backslash \\ tab \t newline \n cr \r bell \u0007 del \u007f é 日本 \U0001F600" },
            { "empty", "" },
            { "int", 42L },
            { "negative", -17L },
            { "max", long.MaxValue },
            { "min", long.MinValue },
            { "float", 3.1415 },
            { "whole float", 2.0 },
            { "tiny", 6.626e-34 },
            { "huge", 1e300 },
            { "negzero", -0.0 },
            { "inf", double.PositiveInfinity },
            { "ninf", double.NegativeInfinity },
            { "nan", double.NaN },
            { "yes", true },
            { "no", false },
            { "odt", new DateTimeOffset(1979, 5, 27, 0, 32, 0, TimeSpan.FromHours(-7)).AddTicks(9999990) },
            { "odtz", new DateTimeOffset(1979, 5, 27, 7, 32, 0, TimeSpan.Zero) },
            { "odtplus", new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.FromMinutes(330)) },
            { "ldt", new TomlLocalDateTime(new DateTime(1979, 5, 27, 7, 32, 0, 123)) },
            { "ld", new DateOnly(1979, 5, 27) },
            { "lt", new TimeOnly(7, 32, 0).Add(TimeSpan.FromTicks(5)) },
            { "array", new TomlArray { 1L, "two", 3.0, new TomlArray { true, new DateOnly(2000, 1, 1) } } },
            { "emptyarray", new TomlArray() },
            { "inline", new TomlTable { IsInline = true, ["x"] = 1L, ["nested"] = new TomlTable { ["y"] = "z" } } },
            { "", "empty key" },
            { "needs quotes.and dots", "v" },
        };
        var back = RoundTrip(table);
        Assert.Equal(-0.0, (double)back["negzero"]);
        Assert.True(double.IsNegative((double)back["negzero"]));
    }

    [Fact]
    public void Tables_arrays_of_tables_and_nesting_round_trip()
    {
        var root = new TomlTable { ["title"] = "doc" };
        var general = new TomlTable { ["enable_bucket"] = true, ["resolution"] = new TomlArray { 512L, 768L } };
        root["general"] = general;
        var datasets = new TomlArray { IsArrayOfTables = true };
        for (int d = 0; d < 2; d++)
        {
            var dataset = new TomlTable { ["batch_size"] = (long)(d + 1) };
            var subsets = new TomlArray();
            for (int s = 0; s < 3; s++)
                subsets.Add(new TomlTable { ["image_dir"] = $"C:\\data\\{d}_{s} 日本", ["num_repeats"] = (long)s });
            dataset["subsets"] = subsets;
            dataset["extra"] = new TomlTable { ["deep"] = new TomlTable { ["deeper"] = 1L } };
            datasets.Add(dataset);
        }
        root["datasets"] = datasets;
        root["only_subtables"] = new TomlTable { ["a"] = new TomlTable { ["b"] = 1L } };
        root["emptytable"] = new TomlTable();
        root["points"] = new TomlArray { new TomlTable { IsInline = true, ["x"] = 1L }, new TomlTable { IsInline = true, ["x"] = 2L } };
        string text = TomlWriter.Write(root);
        Assert.Contains("[[datasets.subsets]]", text);
        Assert.Contains("[general]", text);
        Assert.Contains("points = [{ x = 1 }, { x = 2 }]", text);
        RoundTrip(root);
        RoundTrip(root, "\r\n");
    }

    [Fact]
    public void Spec_documents_survive_write_then_read()
    {
        string spec = """
            title = "TOML Example"
            [owner]
            name = "Tom Preston-Werner"
            dob = 1979-05-27T07:32:00-08:00
            [database]
            enabled = true
            ports = [ 8000, 8001, 8002 ]
            data = [ ["delta", "phi"], [3.14] ]
            temp_targets = { cpu = 79.5, case = 72.0 }
            [servers]
            [servers.alpha]
            ip = "10.0.0.1"
            role = "frontend"
            [servers.beta]
            ip = "10.0.0.2"
            role = "backend"
            [[fruits]]
            name = "apple"
            [fruits.physical]
            color = "red"
            [[fruits.varieties]]
            name = "red delicious"
            [[fruits]]
            name = "banana"
            """;
        var doc = TomlParser.Parse(spec);
        RoundTrip(doc);
        Assert.Equal(79.5, ((TomlTable)((TomlTable)doc["database"])["temp_targets"])["cpu"]);
    }

    [Fact]
    public void Float_text_always_reads_as_float()
    {
        Assert.Equal("1.0", TomlWriter.FormatFloat(1.0));
        Assert.Equal("1e+20", TomlWriter.FormatFloat(1e20));
        Assert.Equal("nan", TomlWriter.FormatFloat(double.NaN));
        Assert.IsType<double>(TomlParser.Parse("x = " + TomlWriter.FormatFloat(1e20))["x"]);
    }

    [Fact]
    public void Writes_file_atomically_and_refuses_to_overwrite()
    {
        using var dir = new TempFolder("toml writer");
        string path = dir.File("out 日本.toml");
        var t = new TomlTable { ["a"] = 1L };
        TomlWriter.WriteFile(path, t);
        Assert.Throws<IOException>(() => TomlWriter.WriteFile(path, t));
        TomlWriter.WriteFile(path, new TomlTable { ["a"] = 2L }, overwrite: true);
        Assert.Equal(2L, TomlParser.ParseFile(path)["a"]);
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Values_that_are_not_toml_are_refused()
    {
        var t = new TomlTable();
        Assert.Throws<ArgumentException>(() => t["x"] = 1);   // int, not long
        Assert.Throws<ArgumentNullException>(() => t["x"] = null!);
    }
}
