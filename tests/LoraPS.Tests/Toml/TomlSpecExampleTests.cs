using LoraPS.Formats.Toml;

namespace LoraPS.Tests.Toml;

/// <summary>The TOML 1.0 specification's examples, section by section, read and checked value by value.</summary>
public sealed class TomlSpecExampleTests
{
    private static TomlTable Parse(string text) => TomlParser.Parse(text.ReplaceLineEndings("\n"), "spec.toml");

    private static TomlTable T(object o) => Assert.IsType<TomlTable>(o);
    private static TomlArray A(object o) => Assert.IsType<TomlArray>(o);

    [Fact]
    public void Comments_and_key_value_pairs()
    {
        var doc = Parse("""
            # This is a full-line comment
            key = "value"  # This is a comment at the end of a line
            another = "# This is not a comment"
            """);
        Assert.Equal("value", doc["key"]);
        Assert.Equal("# This is not a comment", doc["another"]);
    }

    [Fact]
    public void Bare_quoted_and_empty_keys()
    {
        var doc = Parse("""
            key = "value"
            bare_key = "value"
            bare-key = "value"
            1234 = "value"
            "127.0.0.1" = "value"
            "character encoding" = "value"
            "ʎǝʞ" = "value"
            'key2' = "value"
            'quoted "value"' = "value"
            "" = "blank"
            """);
        foreach (string key in new[] { "key", "bare_key", "bare-key", "1234", "127.0.0.1", "character encoding", "ʎǝʞ", "key2", "quoted \"value\"" })
            Assert.Equal("value", doc[key]);
        Assert.Equal("blank", doc[""]);
        Assert.Equal(10, doc.Count);
    }

    [Fact]
    public void Dotted_keys_make_tables()
    {
        var doc = Parse("""
            name = "Orange"
            physical.color = "orange"
            physical.shape = "round"
            site."google.com" = true
            fruit.name = "banana"     # this is best practice
            fruit. color = "yellow"    # same as fruit.color
            fruit . flavor = "banana"   # same as fruit.flavor
            3.14159 = "pi"
            """);
        Assert.Equal("orange", T(doc["physical"])["color"]);
        Assert.Equal("round", T(doc["physical"])["shape"]);
        Assert.Equal(true, T(doc["site"])["google.com"]);
        Assert.Equal("yellow", T(doc["fruit"])["color"]);
        Assert.Equal("banana", T(doc["fruit"])["flavor"]);
        Assert.Equal("pi", T(doc["3"])["14159"]);
    }

    [Fact]
    public void Dotted_keys_may_be_defined_out_of_order()
    {
        var doc = Parse("""
            apple.type = "fruit"
            orange.type = "fruit"
            apple.skin = "thin"
            orange.skin = "thick"
            apple.color = "red"
            orange.color = "orange"
            """);
        Assert.Equal(new[] { "type", "skin", "color" }, T(doc["apple"]).Keys);
        Assert.Equal("thick", T(doc["orange"])["skin"]);
    }

    [Fact]
    public void Basic_strings_and_escapes()
    {
        var doc = Parse("""
            str = "I'm a string. \"You can quote me\". Name\tJos\u00E9\nLocation\tSF."
            all = "\b\t\n\f\r\"\\\u0041\U0001F600"
            """);
        Assert.Equal("I'm a string. \"You can quote me\". Name\tJos\u00E9\nLocation\tSF.", doc["str"]);
        Assert.Equal("\b\t\n\f\r\"\\A\U0001F600", doc["all"]);
    }

    [Fact]
    public void Multi_line_basic_strings()
    {
        var doc = Parse("""""""
            str1 = """
            Roses are red
            Violets are blue"""
            str2 = "The quick brown fox jumps over the lazy dog."
            str3 = """
            The quick brown \


              fox jumps over \
                the lazy dog."""
            str4 = """\
                   The quick brown \
                   fox jumps over \
                   the lazy dog.\
                   """
            str5 = """Here are two quotation marks: "". Simple enough."""
            str6 = """Here are three quotation marks: ""\"."""
            str7 = """Here are fifteen quotation marks: ""\"""\"""\"""\"""\"."""
            str8 = """"This," she said, "is just a pointless statement.""""
            """"""");
        Assert.Equal("Roses are red\nViolets are blue", doc["str1"]);
        Assert.Equal(doc["str2"], doc["str3"]);
        Assert.Equal(doc["str2"], doc["str4"]);
        Assert.Equal("Here are two quotation marks: \"\". Simple enough.", doc["str5"]);
        Assert.Equal("Here are three quotation marks: \"\"\".", doc["str6"]);
        Assert.Equal("Here are fifteen quotation marks: " + new string('"', 15) + ".", doc["str7"]);
        Assert.Equal("\"This,\" she said, \"is just a pointless statement.\"", doc["str8"]);
    }

    [Fact]
    public void Literal_strings()
    {
        var doc = Parse(""""""""""""""""
            winpath  = 'C:\Users\nodejs\templates'
            winpath2 = '\\ServerX\admin$\system32\'
            quoted   = 'Tom "Dubs" Preston-Werner'
            regex    = '<\i\c*\s*>'
            regex2 = '''I [dw]on't need \d{2} apples'''
            lines  = '''
            The first newline is
            trimmed in raw strings.
               All other whitespace
               is preserved.
            '''
            quot15 = '''Here are fifteen quotation marks: """""""""""""""'''
            apos15 = "Here are fifteen apostrophes: '''''''''''''''"
            str = ''''That,' she said, 'is still pointless.''''
            """""""""""""""");
        Assert.Equal(@"C:\Users\nodejs\templates", doc["winpath"]);
        Assert.Equal(@"\\ServerX\admin$\system32\", doc["winpath2"]);
        Assert.Equal("Tom \"Dubs\" Preston-Werner", doc["quoted"]);
        Assert.Equal(@"<\i\c*\s*>", doc["regex"]);
        Assert.Equal(@"I [dw]on't need \d{2} apples", doc["regex2"]);
        Assert.Equal("The first newline is\ntrimmed in raw strings.\n   All other whitespace\n   is preserved.\n", doc["lines"]);
        Assert.Equal("Here are fifteen quotation marks: " + new string('"', 15), doc["quot15"]);
        Assert.Equal("Here are fifteen apostrophes: " + new string('\'', 15), doc["apos15"]);
        Assert.Equal("'That,' she said, 'is still pointless.'", doc["str"]);
    }

    [Fact]
    public void Integers_in_every_base()
    {
        var doc = Parse("""
            int1 = +99
            int2 = 42
            int3 = 0
            int4 = -17
            int5 = 1_000
            int6 = 5_349_221
            int7 = 53_49_221
            int8 = 1_2_3_4_5
            hex1 = 0xDEADBEEF
            hex2 = 0xdeadbeef
            hex3 = 0xdead_beef
            oct1 = 0o01234567
            oct2 = 0o755
            bin1 = 0b11010110
            max = 9223372036854775807
            min = -9223372036854775808
            zero = +0
            nzero = -0
            """);
        Assert.Equal(99L, doc["int1"]);
        Assert.Equal(42L, doc["int2"]);
        Assert.Equal(0L, doc["int3"]);
        Assert.Equal(-17L, doc["int4"]);
        Assert.Equal(1000L, doc["int5"]);
        Assert.Equal(5349221L, doc["int6"]);
        Assert.Equal(5349221L, doc["int7"]);
        Assert.Equal(12345L, doc["int8"]);
        Assert.Equal(0xDEADBEEFL, doc["hex1"]);
        Assert.Equal(0xDEADBEEFL, doc["hex2"]);
        Assert.Equal(0xDEADBEEFL, doc["hex3"]);
        Assert.Equal(342391L, doc["oct1"]);
        Assert.Equal(493L, doc["oct2"]);
        Assert.Equal(214L, doc["bin1"]);
        Assert.Equal(long.MaxValue, doc["max"]);
        Assert.Equal(long.MinValue, doc["min"]);
        Assert.Equal(0L, doc["zero"]);
        Assert.Equal(0L, doc["nzero"]);
    }

    [Fact]
    public void Floats_including_inf_and_nan()
    {
        var doc = Parse("""
            flt1 = +1.0
            flt2 = 3.1415
            flt3 = -0.01
            flt4 = 5e+22
            flt5 = 1e06
            flt6 = -2E-2
            flt7 = 6.626e-34
            flt8 = 224_617.445_991_228
            sf1 = inf
            sf2 = +inf
            sf3 = -inf
            sf4 = nan
            sf5 = +nan
            sf6 = -nan
            nz = -0.0
            """);
        Assert.Equal(1.0, doc["flt1"]);
        Assert.Equal(3.1415, doc["flt2"]);
        Assert.Equal(-0.01, doc["flt3"]);
        Assert.Equal(5e22, doc["flt4"]);
        Assert.Equal(1e6, doc["flt5"]);
        Assert.Equal(-2e-2, doc["flt6"]);
        Assert.Equal(6.626e-34, doc["flt7"]);
        Assert.Equal(224617.445991228, doc["flt8"]);
        Assert.Equal(double.PositiveInfinity, doc["sf1"]);
        Assert.Equal(double.PositiveInfinity, doc["sf2"]);
        Assert.Equal(double.NegativeInfinity, doc["sf3"]);
        Assert.True(double.IsNaN((double)doc["sf4"]) && double.IsNaN((double)doc["sf5"]) && double.IsNaN((double)doc["sf6"]));
        Assert.True(double.IsNegative((double)doc["nz"]));
    }

    [Fact]
    public void Booleans()
    {
        var doc = Parse("bool1 = true\nbool2 = false\n");
        Assert.Equal(true, doc["bool1"]);
        Assert.Equal(false, doc["bool2"]);
    }

    [Fact]
    public void Offset_and_local_date_times_dates_and_times()
    {
        var doc = Parse("""
            odt1 = 1979-05-27T07:32:00Z
            odt2 = 1979-05-27T00:32:00-07:00
            odt3 = 1979-05-27T00:32:00.999999-07:00
            odt4 = 1979-05-27 07:32:00Z
            ldt1 = 1979-05-27T07:32:00
            ldt2 = 1979-05-27T00:32:00.999999
            ld1 = 1979-05-27
            lt1 = 07:32:00
            lt2 = 00:32:00.999999
            lower = 1979-05-27t07:32:00z
            """);
        Assert.Equal(new DateTimeOffset(1979, 5, 27, 7, 32, 0, TimeSpan.Zero), doc["odt1"]);
        Assert.Equal(new DateTimeOffset(1979, 5, 27, 0, 32, 0, TimeSpan.FromHours(-7)), doc["odt2"]);
        Assert.Equal(new DateTimeOffset(1979, 5, 27, 0, 32, 0, TimeSpan.FromHours(-7)).AddTicks(9999990), doc["odt3"]);
        Assert.Equal(doc["odt1"], doc["odt4"]);
        Assert.Equal(new TomlLocalDateTime(new DateTime(1979, 5, 27, 7, 32, 0)), doc["ldt1"]);
        Assert.Equal(new TomlLocalDateTime(new DateTime(1979, 5, 27, 0, 32, 0).AddTicks(9999990)), doc["ldt2"]);
        Assert.Equal(new DateOnly(1979, 5, 27), doc["ld1"]);
        Assert.Equal(new TimeOnly(7, 32, 0), doc["lt1"]);
        Assert.Equal(new TimeOnly(0, 32, 0).Add(TimeSpan.FromTicks(9999990)), doc["lt2"]);
        Assert.Equal(doc["odt1"], doc["lower"]);
    }

    [Fact]
    public void Arrays_mixed_nested_and_multi_line()
    {
        var doc = Parse(""""
            integers = [ 1, 2, 3 ]
            colors = [ "red", "yellow", "green" ]
            nested_arrays_of_ints = [ [ 1, 2 ], [3, 4, 5] ]
            nested_mixed_array = [ [ 1, 2 ], ["a", "b", "c"] ]
            string_array = [ "all", 'strings', """are the same""", '''type''' ]
            numbers = [ 0.1, 0.2, 0.5, 1, 2, 5 ]
            contributors = [
              "Foo Bar <foo@example.com>",
              { name = "Baz Qux", email = "bazqux@example.com", url = "https://example.com/bazqux" }
            ]
            integers2 = [
              1, 2, 3
            ]
            integers3 = [
              1,
              2, # this is ok
            ]
            empty = []
            """");
        Assert.Equal(new object[] { 1L, 2L, 3L }, A(doc["integers"]));
        Assert.Equal(new object[] { 3L, 4L, 5L }, A(A(doc["nested_arrays_of_ints"])[1]));
        Assert.Equal(new object[] { "a", "b", "c" }, A(A(doc["nested_mixed_array"])[1]));
        Assert.Equal(new object[] { "all", "strings", "are the same", "type" }, A(doc["string_array"]));
        Assert.Equal(1L, A(doc["numbers"])[3]);
        Assert.Equal("Baz Qux", T(A(doc["contributors"])[1])["name"]);
        Assert.Equal(new object[] { 1L, 2L, 3L }, A(doc["integers2"]));
        Assert.Equal(new object[] { 1L, 2L }, A(doc["integers3"]));
        Assert.Empty(A(doc["empty"]));
    }

    [Fact]
    public void Tables_and_implicit_super_tables()
    {
        var doc = Parse("""
            [table-1]
            key1 = "some string"
            key2 = 123

            [table-2]
            key1 = "another string"
            key2 = 456

            [dog."tater.man"]
            type.name = "pug"

            [a.b.c]            # this is best practice
            [ d.e.f ]          # same as [d.e.f]
            [ g .  h  . i ]    # same as [g.h.i]
            [ j . "ʞ" . 'l' ]  # same as [j."ʞ".'l']

            [x.y.z.w]
            [x]
            """);
        Assert.Equal(123L, T(doc["table-1"])["key2"]);
        Assert.Equal("pug", T(T(T(T(doc["dog"])["tater.man"])["type"]))["name"]);
        Assert.Empty(T(T(T(doc["a"])["b"])["c"]));
        Assert.True(T(T(doc["g"])["h"]).ContainsKey("i"));
        Assert.True(T(T(doc["j"])["ʞ"]).ContainsKey("l"));
        Assert.True(T(T(T(doc["x"])["y"])["z"]).ContainsKey("w"));
    }

    [Fact]
    public void Sub_tables_of_dotted_key_tables()
    {
        var doc = Parse("""
            [fruit]
            apple.color = "red"
            apple.taste.sweet = true

            [fruit.apple.texture]  # you can add sub-tables
            smooth = true
            """);
        var apple = T(T(doc["fruit"])["apple"]);
        Assert.Equal("red", apple["color"]);
        Assert.Equal(true, T(apple["taste"])["sweet"]);
        Assert.Equal(true, T(apple["texture"])["smooth"]);
    }

    [Fact]
    public void Root_table_before_headers()
    {
        var doc = Parse("""
            # Top-level table begins.
            name = "Fido"
            breed = "pug"

            # Top-level table ends.
            [owner]
            name = "Regina Dogman"
            member_since = 1999-08-04
            """);
        Assert.Equal("Fido", doc["name"]);
        Assert.Equal(new DateOnly(1999, 8, 4), T(doc["owner"])["member_since"]);
    }

    [Fact]
    public void Inline_tables()
    {
        var doc = Parse("""
            name = { first = "Tom", last = "Preston-Werner" }
            point = { x = 1, y = 2 }
            animal = { type.name = "pug" }
            empty = {}
            """);
        Assert.Equal("Preston-Werner", T(doc["name"])["last"]);
        Assert.True(T(doc["name"]).IsInline);
        Assert.Equal(2L, T(doc["point"])["y"]);
        Assert.Equal("pug", T(T(T(doc["animal"])["type"]))["name"]);
        Assert.Empty(T(doc["empty"]));
    }

    [Fact]
    public void Arrays_of_tables_with_sub_tables()
    {
        var doc = Parse("""
            [[products]]
            name = "Hammer"
            sku = 738594937

            [[products]]  # empty table within the array

            [[products]]
            name = "Nail"
            sku = 284758393

            color = "gray"

            [[fruits]]
            name = "apple"

            [fruits.physical]  # subtable
            color = "red"
            shape = "round"

            [[fruits.varieties]]  # nested array of tables
            name = "red delicious"

            [[fruits.varieties]]
            name = "granny smith"

            [[fruits]]
            name = "banana"

            [[fruits.varieties]]
            name = "plantain"

            points = [ { x = 1, y = 2, z = 3 },
                       { x = 7, y = 8, z = 9 },
                       { x = 2, y = 4, z = 8 } ]
            """);
        var products = A(doc["products"]);
        Assert.True(products.IsArrayOfTables);
        Assert.Equal(3, products.Count);
        Assert.Empty(T(products[1]));
        Assert.Equal("gray", T(products[2])["color"]);
        var fruits = A(doc["fruits"]);
        Assert.Equal("red", T(T(fruits[0])["physical"])["color"]);
        Assert.Equal("granny smith", T(A(T(fruits[0])["varieties"])[1])["name"]);
        Assert.Equal("plantain", T(A(T(fruits[1])["varieties"])[0])["name"]);
        Assert.Equal(8L, T(A(T(A(T(fruits[1])["varieties"])[0])["points"])[2])["z"]);
    }

    [Fact]
    public void Crlf_line_endings_bom_and_keys_positions()
    {
        var doc = TomlParser.Parse("\uFEFFa = 1\r\n[t]\r\n  b = 'x' # c\r\n", "crlf.toml");
        Assert.Equal(1L, doc["a"]);
        Assert.Equal("x", T(doc["t"])["b"]);
        Assert.Equal((3, 3), T(doc["t"]).PositionOf("b"));
        Assert.Equal(2, T(doc["t"]).Line);
    }
}
