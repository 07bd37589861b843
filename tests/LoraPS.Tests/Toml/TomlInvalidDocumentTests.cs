using LoraPS.Formats;
using LoraPS.Formats.Toml;

namespace LoraPS.Tests.Toml;

/// <summary>Documents that break a rule of the TOML 1.0 specification: each must be refused with the right line.</summary>
public sealed class TomlInvalidDocumentTests
{
    public static TheoryData<string, int, string> Invalid => new()
    {
        // keys and key/value pairs
        { "key = # INVALID", 1, "expected a value" },
        { "first = \"Tom\" last = \"Preston-Werner\"", 1, "end of the line" },
        { "= \"no key name\"", 1, "expected a key" },
        { "\"\"\"key\"\"\" = 1", 1, "multi-line string cannot be a key" },
        { "key\n= 1", 1, "expected '='" },
        { "name = \"Tom\"\nname = \"Pradyun\"", 2, "duplicate key" },
        { "spelling = \"favorite\"\n\"spelling\" = \"favourite\"", 2, "duplicate key" },
        { "fruit.apple = 1\nfruit.apple.smooth = true", 2, "dotted key" },
        { "a b = 1", 1, "expected '='" },
        { "k€y = 1", 1, "expected" },
        // strings
        { "str = \"unterminated", 1, "unterminated string" },
        { "str = \"bad \\x41 escape\"", 1, "invalid escape" },
        { "str = \"bad \\e escape\"", 1, "invalid escape" },
        { "str = \"\\uD800\"", 1, "not a Unicode scalar" },
        { "str = \"\\U00110000\"", 1, "not a Unicode scalar" },
        { "str = \"\\u12\"", 1, "hexadecimal digits" },
        { "str = \"tab\u0001\"", 1, "control character" },
        { "str = 'lit\u007f'", 1, "control character" },
        { "str = 'unterminated", 1, "unterminated literal" },
        { "str = \"\"\"never\nclosed", 1, "unterminated multi-line string" },
        { "str = '''never\nclosed", 1, "unterminated multi-line literal" },
        { "str = \"\"\"a\"\"\"\"\"\"", 1, "too many quotes" },
        { "str = '''a''''''", 1, "too many quotes after a multi-line literal string" },
        { "str = \"\"\"a\rb\"\"\"", 1, "carriage return" },
        { "str = '''a\rb'''", 1, "carriage return" },
        { "str = \"\"\"trailing \\ text\"\"\"", 1, "invalid escape" },
        { "str = \"multi\nline\"", 1, "unterminated string" },
        // integers
        { "int = 012", 1, "leading zeros" },
        { "int = +0x1F", 1, "not a valid" },
        { "int = 1__000", 1, "not a valid" },
        { "int = _1000", 1, "not a valid" },
        { "int = 1000_", 1, "not a valid" },
        { "int = 0x_1F", 1, "not a valid base-16" },
        { "int = 0o8", 1, "not a valid base-8" },
        { "int = 0b102", 1, "not a valid base-2" },
        { "int = 9223372036854775808", 1, "64-bit integer" },
        { "int = 0x8000000000000000", 1, "64-bit integer" },
        { "int = 0X1F", 1, "not a valid" },
        // floats
        { "flt = .7", 1, "not a valid number" },
        { "flt = 7.", 1, "not a valid number" },
        { "flt = 3.e+20", 1, "not a valid number" },
        { "flt = 1e", 1, "not a valid number" },
        { "flt = 1.5_", 1, "not a valid number" },
        { "flt = 03.14", 1, "not a valid number" },
        { "flt = 1e400", 1, "too large" },
        { "flt = infinity", 1, "not a valid" },
        { "flt = NaN", 1, "not a valid" },
        // booleans
        { "b = True", 1, "not a valid" },
        { "b = truth", 1, "not a value" },
        // dates and times
        { "d = 1979-13-27", 1, "not a valid date" },
        { "d = 1979-02-30", 1, "not a valid date" },
        { "d = 1979-05-27T25:00:00", 1, "not a valid date-time" },
        { "d = 1979-05-27T07:32", 1, "not a valid date-time" },
        { "d = 1979-05-27T07:32:00+7:00", 1, "invalid time offset" },
        { "d = 1979-05-27T07:32:00.Z", 1, "not a valid date-time" },
        { "t = 07:61:00", 1, "not a valid local time" },
        { "t = 7:32:00", 1, "not a valid" },
        { "d = 1979-05-27X07:32:00", 1, "expected T or a space" },
        // arrays
        { "a = [1, 2", 1, "unterminated array" },
        { "a = [1 2]", 1, "expected ',' or ']'" },
        { "a = [,]", 1, "expected a value" },
        { "a = [1,,2]", 1, "expected a value" },
        // inline tables
        { "t = { a = 1, }", 1, "trailing comma" },
        { "t = { a = 1,\n b = 2 }", 1, "one line" },
        { "t = { a = 1, a = 2 }", 1, "duplicate key" },
        { "t = { a = 1 b = 2 }", 1, "expected ',' or '}'" },
        { "[product]\ntype = { name = \"Nail\" }\ntype.edible = false", 3, "dotted key" },
        { "[product]\ntype.name = \"Nail\"\ntype = { edible = false }", 3, "duplicate key" },
        { "a = { b = 1 }\n[a.c]", 2, "cannot hold a sub-table" },
        { "a = { b = 1 }\n[a]", 2, "defined twice" },
        // tables
        { "[fruit]\napple = \"red\"\n\n[fruit]\norange = \"orange\"", 4, "defined twice" },
        { "[fruit]\napple = \"red\"\n\n[fruit.apple]\ntexture = \"smooth\"", 4, "defined twice" },
        { "[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n[fruit.apple]", 4, "defined twice" },
        { "[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n[fruit.apple.taste]", 4, "defined twice" },
        { "[a.b.c]\nz = 9\n[a]\nb.c.t = 9", 4, "dotted key" },
        { "[]", 1, "expected a key" },
        { "[a", 1, "expected ']'" },
        { "[a]b = 1", 1, "end of the line" },
        { "[ [a]]", 1, "expected a key" },
        { "[[a] ]", 1, "expected ']]'" },
        { "a = 1\n[a]", 2, "defined twice" },
        // arrays of tables
        { "fruits = []\n[[fruits]]", 2, "cannot append" },
        { "[[fruits]]\nname = \"apple\"\n[[fruits.varieties]]\nname = \"red delicious\"\n[fruits.varieties]\nname = \"granny smith\"", 5, "defined twice" },
        { "[[fruits]]\n[fruits.physical]\ncolor = \"red\"\n[[fruits.physical]]\ncolor = \"green\"", 4, "cannot append" },
        { "[[a]]\n[a]", 2, "defined twice" },
        { "[a]\n[[a]]", 2, "cannot append" },
        // comments and line endings
        { "# bad \u0007 bell", 1, "control character" },
        { "a = 1\rb = 2", 1, "carriage return" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Invalid_document_is_refused_with_its_line(string document, int line, string reason)
    {
        var e = Assert.Throws<TomlException>(() => TomlParser.Parse(document, "bad.toml"));
        Assert.Equal(line, e.Line);
        Assert.Contains(reason, e.Message);
        Assert.StartsWith("bad.toml: line " + line + ", column ", e.Message);
        Assert.True(e.Column >= 1);
        Assert.IsAssignableFrom<InvalidFileException>(e);
    }

    [Fact]
    public void Column_points_at_the_fault()
    {
        var e = Assert.Throws<TomlException>(() => TomlParser.Parse("ok = 1\nbad = 012\n"));
        Assert.Equal((2, 7), (e.Line, e.Column));
        e = Assert.Throws<TomlException>(() => TomlParser.Parse("[t]\na = 1\n  a = 2\n"));
        Assert.Equal((3, 3), (e.Line, e.Column));
    }

    [Fact]
    public void Invalid_utf8_file_is_refused()
    {
        using var dir = new Support.TempFolder("toml");
        string path = dir.File("bad.toml");
        File.WriteAllBytes(path, new byte[] { (byte)'a', (byte)' ', (byte)'=', (byte)' ', (byte)'"', 0xC3, 0x28, (byte)'"' });
        var e = Assert.Throws<TomlException>(() => TomlParser.ParseFile(path));
        Assert.Contains("UTF-8", e.Message);
        Assert.Equal(path, e.FilePath);
    }
}

/// <summary>Hostile documents: refused cleanly, never a stack overflow or a hang.</summary>
public sealed class TomlHostileDocumentTests
{
    [Fact]
    public void Deep_nesting_is_refused_not_a_stack_overflow()
    {
        var e = Assert.Throws<TomlException>(() => TomlParser.Parse("a = " + new string('[', 100_000)));
        Assert.Contains("nested more than", e.Message);
        e = Assert.Throws<TomlException>(() => TomlParser.Parse("a = " + string.Concat(Enumerable.Repeat("{b=", 10_000))));
        Assert.Contains("nested more than", e.Message);
        var ok = TomlParser.Parse("a = " + new string('[', 100) + new string(']', 100));
        Assert.IsType<TomlArray>(ok["a"]);
    }

    [Fact]
    public void Random_bytes_give_toml_errors_only()
    {
        var rng = new Random(1234);
        const string alphabet = "ab=[]{}\"'.,#\n\r\t 0123456789-+_:eTZxob\\u";
        for (int i = 0; i < 3000; i++)
        {
            var chars = new char[rng.Next(1, 60)];
            for (int j = 0; j < chars.Length; j++) chars[j] = alphabet[rng.Next(alphabet.Length)];
            try { TomlParser.Parse(new string(chars)); }
            catch (TomlException) { }
        }
    }
}
