using LoraPS.Models.Text;

namespace LoraPS.Tests.Text;

/// <summary>A1111 emphasis rules, cases worked out by hand.</summary>
public sealed class PromptWeightParserTests
{
    private static string Show(string prompt) => string.Join(" | ", PromptWeightParser.Parse(prompt).Select(s => s.IsBreak ? "BREAK" : $"{s.Text}={s.Weight:0.######}"));

    [Theory]
    [InlineData("a photo of a cat", "a photo of a cat=1")]
    [InlineData("a (cat) photo", "a =1 | cat=1.1 |  photo=1")]
    [InlineData("((cat))", "cat=1.21")]
    [InlineData("[cat]", "cat=0.909091")]
    [InlineData("[[cat]]", "cat=0.826446")]
    [InlineData("(cat:1.5)", "cat=1.5")]
    [InlineData("( cat : 0.5 )", " cat =0.5")]
    [InlineData("(cat:-1)", "cat=-1")]
    [InlineData("(cat:.5)", "cat=0.5")]
    [InlineData("(a [b] c:1.3)", "a =1.3 | b=1.181818 |  c=1.3")]
    [InlineData("((a:1.2) b)", "a=1.32 |  b=1.1")]
    [InlineData("(a) (b)", "a=1.1 |  =1 | b=1.1")]
    [InlineData("(a)(b)", "ab=1.1")] // equal neighbours are joined
    [InlineData(@"\(cat\) \[dog\] back\\slash", @"(cat) [dog] back\slash=1")]
    [InlineData(@"a\b", "ab=1")] // a lone backslash is dropped
    [InlineData("(open bracket", "open bracket=1.1")]
    [InlineData("[open", "open=0.909091")]
    [InlineData("a ) b ] c", "a ) b ] c=1")]
    [InlineData("rating:safe", "rating:safe=1")]
    [InlineData("(a:b)", "a:b=1.1")]
    [InlineData("a:1.2) b", "a:1.2) b=1")] // a weight with no open bracket stays text
    [InlineData("(a:1.2.3)", "a:1.2.3)=1.1")] // not a number: text, and the bracket stays open
    [InlineData("", "=1")]
    [InlineData("()", "=1")]
    public void Emphasis(string prompt, string expected)
    {
        Assert.Equal(expected, Show(prompt));
    }

    [Theory]
    [InlineData("a BREAK b", "a=1 | BREAK | b=1")]
    [InlineData("a, BREAK, b", "a,=1 | BREAK | , b=1")]
    [InlineData("aBREAK b break BREAKS", "aBREAK b break BREAKS=1")]
    [InlineData("BREAK a", "=1 | BREAK | a=1")]
    [InlineData("(a BREAK b)", "a=1.1 | BREAK | b=1.1")]
    public void Break(string prompt, string expected)
    {
        Assert.Equal(expected, Show(prompt));
    }
}
