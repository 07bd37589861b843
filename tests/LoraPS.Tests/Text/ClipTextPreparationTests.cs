using LoraPS.Models.Text;

namespace LoraPS.Tests.Text;

public sealed class ClipTextPreparationTests
{
    [Theory]
    [InlineData("  Hello\t\n  World  ", "hello world")]
    [InlineData("&amp;lt;b&amp;gt;", "<b>")] // unescaped twice
    [InlineData("Fish &amp; Chips", "fish & chips")]
    [InlineData("a\u001fb", "a b")] // Python's isspace counts the information separators
    [InlineData("", "")]
    [InlineData("ÀÉÎ", "àéî")]
    public void Normalizer_unescapes_collapses_whitespace_and_lowercases(string input, string expected)
    {
        Assert.Equal(expected, ClipTextNormalizer.Normalize(input));
    }

    [Fact]
    public void Normalizer_composes_decomposed_accents()
    {
        Assert.Equal("caf\u00e9", ClipTextNormalizer.Normalize("Cafe\u0301"));
    }

    [Theory]
    [InlineData("it's", "it|'s")]
    [InlineData("we're they've i'm you'll he'd can't", "we|'re|they|'ve|i|'m|you|'ll|he|'d|can|'t")]
    [InlineData("2,000", "2|,|0|0|0")]
    [InlineData("a-b_c", "a|-|b|_|c")]
    [InlineData("...'s", "...'|s")] // a symbol run swallows the apostrophe
    [InlineData("<|startoftext|>hi<|endoftext|>", "<|startoftext|>|hi|<|endoftext|>")]
    [InlineData("x\U00020000y", "x\U00020000y")] // a letter outside the BMP stays in the letter run
    [InlineData("😀😀 ok", "😀😀|ok")]
    [InlineData("ⅷ", "ⅷ")] // letter-number: one number piece
    public void Pre_tokenizer_splits_as_the_CLIP_pattern(string input, string expected)
    {
        Assert.Equal(expected, string.Join('|', ClipPreTokenizer.Split(input)));
    }

    [ClipVocabularyFact]
    public void Pieces_are_cached_and_cached_results_are_the_same()
    {
        var tokenizer = new ClipBpeTokenizer(SharedClipVocabulary.Tokenizer.Vocabulary);
        int[] first = tokenizer.Encode("kuronekomimi kuronekomimi");
        Assert.Equal(1, tokenizer.CachedPieces);
        Assert.Equal(first[..(first.Length / 2)], first[(first.Length / 2)..]);
        Assert.Equal(first, tokenizer.Encode("kuronekomimi kuronekomimi"));
    }

    [ClipVocabularyFact]
    public void Html_entities_and_case_do_not_change_the_ids()
    {
        var t = SharedClipVocabulary.Tokenizer;
        Assert.Equal(t.Encode("fish & chips"), t.Encode("FISH &amp; Chips"));
        Assert.Equal(new[] { "fish</w>", "&</w>", "chips</w>" }, t.EncodeToTokens("fish & chips"));
    }
}
