using System.Text.Json;
using LoraPS.Models.Text;
using LoraPS.Tests.Support;

namespace LoraPS.Tests.Text;

/// <summary>Every line of ../shared/reference-data/tokenizer/clip-tokens.jsonl (OpenAI CLIP's tokenizer output).</summary>
public sealed class ClipTokenParityTests
{
    private static List<(string Text, int[] Ids)> ReferenceLines()
    {
        string path = Path.Combine(RepoPaths.ReferenceData!, "tokenizer", "clip-tokens.jsonl");
        var lines = new List<(string, int[])>();
        foreach (string line in File.ReadLines(path))
        {
            if (line.Trim().Length == 0) continue;
            using var doc = JsonDocument.Parse(line);
            lines.Add((doc.RootElement.GetProperty("text").GetString()!,
                doc.RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray()));
        }
        return lines;
    }

    private static void AssertAllLines(Func<string, int[]> encode)
    {
        var lines = ReferenceLines();
        Assert.True(lines.Count >= 30, $"expected the 30 reference lines, read {lines.Count}");
        var failures = new List<string>();
        foreach (var (text, expected) in lines)
        {
            int[] actual = encode(text);
            if (!actual.SequenceEqual(expected))
                failures.Add($"{JsonSerializer.Serialize(text)}: expected [{string.Join(' ', expected)}], got [{string.Join(' ', actual)}]");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [ReferenceDataFact]
    public void Every_reference_line_gives_the_reference_ids_from_the_OpenAI_merge_file()
    {
        Assert.NotNull(SharedClipVocabulary.BpePath);
        AssertAllLines(SharedClipVocabulary.Tokenizer.Encode);
    }

    [ReferenceDataFact]
    public void Every_reference_line_gives_the_same_ids_from_a_vocab_json_and_merges_txt_pair()
    {
        Assert.NotNull(SharedClipVocabulary.BpePath);
        using var dir = new TempFolder("clip vocab ÿ 東京");
        var (vocab, merges) = HuggingFaceTokenizerFiles.Write(dir.Path, SharedClipVocabulary.BpePath!);
        var tokenizer = ClipBpeTokenizer.FromVocabAndMerges(vocab, merges);
        Assert.Equal(49408, tokenizer.Vocabulary.Count);
        AssertAllLines(tokenizer.Encode);
    }

    [ReferenceDataFact]
    public void The_77_token_window_of_the_first_line_is_wrapped_in_start_and_end_and_padded_per_family()
    {
        int[] sd1 = SharedClipVocabulary.Sd1.Window("a photo of a cat");
        int[] sd2 = SharedClipVocabulary.Sd2.Window("a photo of a cat");
        int[] content = { 320, 1125, 539, 320, 2368 };
        Assert.Equal(77, sd1.Length);
        Assert.Equal(new[] { 49406 }.Concat(content).Append(49407).Concat(Enumerable.Repeat(49407, 70)), sd1);
        Assert.Equal(new[] { 49406 }.Concat(content).Append(49407).Concat(Enumerable.Repeat(0, 70)), sd2);
    }
}
