using System.IO.Compression;
using System.Text;
using LoraPS.Models.Text;
using LoraPS.Tests.Support;

namespace LoraPS.Tests.Text;

public sealed class ClipVocabularyTests
{
    [Fact]
    public void Byte_table_maps_printable_bytes_to_themselves_and_the_rest_to_256_and_up()
    {
        var table = ByteToUnicode.Table;
        Assert.Equal('!', table[33]);
        Assert.Equal('\u0120', table[0x20]); // space → 'Ġ'
        Assert.Equal('\u0100', table[0]);
        Assert.Equal('\u00ff', table[255]);
        Assert.Equal(256, table.Distinct().Count());
        Assert.Equal(188, Enumerable.Range(0, 256).Count(b => table[b] == (char)b));
        Assert.Equal('!', ByteToUnicode.VocabularyOrder[0]);
        Assert.Equal('\u0100', ByteToUnicode.VocabularyOrder[188]);
        Assert.Equal('\u0143', ByteToUnicode.VocabularyOrder[255]);
    }

    [ClipVocabularyFact]
    public void OpenAI_merge_file_gives_the_49408_CLIP_ids()
    {
        var v = SharedClipVocabulary.Tokenizer.Vocabulary;
        Assert.Equal(49408, v.Count);
        Assert.Equal(ClipVocabulary.OpenAiMergeCount, v.MergeCount);
        Assert.Equal(49406, v.StartOfTextId);
        Assert.Equal(49407, v.EndOfTextId);
        Assert.Equal("!", v.TokenOf(0));
        Assert.Equal("!</w>", v.TokenOf(256));
        Assert.Equal("in", v.TokenOf(512)); // first merge "i n"
        Assert.Equal(0, v.MergeRank("i", "n"));
        Assert.Equal(320, v.IdOf("a</w>"));
        Assert.Null(v.MergeRank("zzzz", "qqqq"));
    }

    [Fact]
    public void A_merge_file_that_ends_early_is_reported_with_the_count()
    {
        using var dir = new TempFolder();
        string path = dir.File("short.txt.gz");
        WriteGzip(path, "#version: 0.2\ni n\nt h\n");
        var e = Assert.Throws<TokenizerFileException>(() => ClipVocabulary.FromOpenAiBpeFile(path));
        Assert.Contains("short.txt.gz", e.Message);
        Assert.Contains("after 2 merges", e.Message);
    }

    [Fact]
    public void A_malformed_merge_line_is_reported_with_its_line_number()
    {
        using var dir = new TempFolder();
        string path = dir.File("bad.txt.gz");
        WriteGzip(path, "#version: 0.2\ni n\nthree parts here\n");
        var e = Assert.Throws<TokenizerFileException>(() => ClipVocabulary.FromOpenAiBpeFile(path));
        Assert.Contains("line 3", e.Message);
    }

    [Fact]
    public void A_file_that_is_not_gzip_is_reported()
    {
        using var dir = new TempFolder();
        string path = dir.File("plain.txt.gz");
        File.WriteAllText(path, "#version: 0.2\ni n\n");
        var e = Assert.Throws<TokenizerFileException>(() => ClipVocabulary.FromOpenAiBpeFile(path));
        Assert.Contains("gzip", e.Message);
    }

    [Fact]
    public void A_missing_file_is_a_tokenizer_file_error_naming_it()
    {
        var e = Assert.Throws<TokenizerFileException>(() => ClipVocabulary.FromOpenAiBpeFile("/nonexistent/bpe.txt.gz"));
        Assert.Equal("/nonexistent/bpe.txt.gz", e.FilePath);
    }

    [Fact]
    public void A_small_vocab_json_and_merges_txt_pair_tokenises_by_merge_rank()
    {
        using var dir = new TempFolder("hf pair é");
        var (vocab, merges) = WriteTinyPair(dir.Path);
        var tokenizer = ClipBpeTokenizer.FromVocabAndMerges(vocab, merges);
        // "ab" merges (rank 0) before "b c</w>" (rank 1): abc → ab + c</w>.
        Assert.Equal(new[] { "ab", "c</w>" }, tokenizer.EncodeToTokens("abc"));
        Assert.Equal(new[] { "a</w>", "bc</w>" }, tokenizer.EncodeToTokens("a bc"));
        Assert.Equal(new[] { 7 }, tokenizer.Encode("<|endoftext|>"));
    }

    [Fact]
    public void Broken_vocab_json_files_are_reported_with_the_defect()
    {
        using var dir = new TempFolder();
        var (vocab, merges) = WriteTinyPair(dir.Path);

        File.WriteAllText(vocab, "{\"a\": 0, ");
        Assert.Contains("not valid JSON", Assert.Throws<TokenizerFileException>(() => ClipVocabulary.FromVocabAndMerges(vocab, merges)).Message);

        File.WriteAllText(vocab, "{\"a\": 0, \"b\": 0}");
        Assert.Contains("id 0 is used by more than one token", Assert.Throws<TokenizerFileException>(() => ClipVocabulary.FromVocabAndMerges(vocab, merges)).Message);

        File.WriteAllText(vocab, "{\"a\": \"x\"}");
        Assert.Contains("expected a non-negative integer", Assert.Throws<TokenizerFileException>(() => ClipVocabulary.FromVocabAndMerges(vocab, merges)).Message);

        File.WriteAllText(vocab, "{\"a\": 0}");
        var e = Assert.Throws<TokenizerFileException>(() => ClipVocabulary.FromVocabAndMerges(vocab, merges));
        Assert.Contains("<|startoftext|>", e.Message);
        Assert.Equal(vocab, e.FilePath);
    }

    [Fact]
    public void A_bad_merges_line_is_reported_with_file_and_line()
    {
        using var dir = new TempFolder();
        var (vocab, merges) = WriteTinyPair(dir.Path);
        File.WriteAllText(merges, "#version: 0.2\na b\nnospace\n");
        var e = Assert.Throws<TokenizerFileException>(() => ClipVocabulary.FromVocabAndMerges(vocab, merges));
        Assert.Equal(merges, e.FilePath);
        Assert.Contains("line 3", e.Message);
    }

    internal static (string Vocab, string Merges) WriteTinyPair(string folder)
    {
        string vocab = Path.Combine(folder, "vocab.json"), merges = Path.Combine(folder, "merges.txt");
        File.WriteAllText(vocab, "{\"a\":0,\"b\":1,\"c</w>\":2,\"a</w>\":3,\"ab\":4,\"bc</w>\":5,\"<|startoftext|>\":6,\"<|endoftext|>\":7}");
        File.WriteAllText(merges, "#version: 0.2\na b\nb c</w>\n");
        return (vocab, merges);
    }

    private static void WriteGzip(string path, string text)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        gzip.Write(Encoding.UTF8.GetBytes(text));
    }
}
