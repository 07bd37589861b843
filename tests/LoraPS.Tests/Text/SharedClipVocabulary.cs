using LoraPS.Models.Text;
using LoraPS.Tests.Support;

namespace LoraPS.Tests.Text;

/// <summary>The real CLIP vocabulary from ../shared/data, loaded once for all tests.</summary>
internal static class SharedClipVocabulary
{
    public static string? BpePath =>
        RepoPaths.SharedData is { } data && File.Exists(Path.Combine(data, ClipTokenizerFiles.OpenAiBpeFileName))
            ? Path.Combine(data, ClipTokenizerFiles.OpenAiBpeFileName)
            : null;

    private static readonly Lazy<ClipBpeTokenizer> tokenizer = new(() =>
        ClipBpeTokenizer.FromOpenAiBpeFile(BpePath ?? throw new InvalidOperationException("../shared/data/bpe_simple_vocab_16e6.txt.gz is absent")));

    public static ClipBpeTokenizer Tokenizer => tokenizer.Value;

    public static ClipTokenizer Sd1 => new(Tokenizer, padId: 49407);
    public static ClipTokenizer Sd2 => new(Tokenizer, padId: 0);
}

/// <summary>A test that needs the real CLIP vocabulary: skipped, with the reason, where ../shared/data lacks it.</summary>
public sealed class ClipVocabularyFactAttribute : FactAttribute
{
    public ClipVocabularyFactAttribute()
    {
        if (SharedClipVocabulary.BpePath is null)
            Skip = "../shared/data/bpe_simple_vocab_16e6.txt.gz is not beside this repository; tests with the real CLIP vocabulary need it";
    }
}
