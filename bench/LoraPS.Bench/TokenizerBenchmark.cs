using System.Diagnostics;
using LoraPS.Models.Text;

namespace LoraPS.Bench;

/// <summary>CLIP tokenizer: loading the vocabulary and tokenising captions (cold and warm piece cache).</summary>
public sealed class TokenizerBenchmark : IBenchmark
{
    public string Name => "tokenizer";
    public string Description => "CLIP BPE: load bpe_simple_vocab_16e6.txt.gz (../shared/data), then tokenise 10,000 tag captions into 77-token windows, cold and warm cache.";

    public void Run(TextWriter report)
    {
        string? path = SharedData.FindVocabulary();
        if (path is null)
        {
            report.WriteLine("skipped: ../shared/data/bpe_simple_vocab_16e6.txt.gz not found beside the repository");
            return;
        }
        var clock = Stopwatch.StartNew();
        var bpe = ClipBpeTokenizer.FromOpenAiBpeFile(path);
        double loadMs = clock.Elapsed.TotalMilliseconds;
        var tokenizer = new ClipTokenizer(bpe, padId: 49407);

        string[] tags = { "1girl", "solo", "long hair", "looking at viewer", "smile", "blue eyes", "shirt", "white background", "upper body", "short sleeves", "brown hair", "holding", "outdoors", "sky", "day", "cloud", "tree", "(masterpiece:1.2)", "best quality", "kuronekomimi" };
        var random = new Random(1234);
        string[] captions = Enumerable.Range(0, 10_000)
            .Select(i => $"krnk{i % 97} girl, " + string.Join(", ", Enumerable.Range(0, 12).Select(_ => tags[random.Next(tags.Length)])))
            .ToArray();

        long tokens = 0;
        clock.Restart();
        foreach (string c in captions) tokens += tokenizer.Tokenize(c, 1, parseWeights: true).ContentTokens;
        double coldMs = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        foreach (string c in captions) tokenizer.Tokenize(c, 1, parseWeights: true);
        double warmMs = clock.Elapsed.TotalMilliseconds;

        report.WriteLine("| measure | value |");
        report.WriteLine("| --- | --- |");
        report.WriteLine($"| vocabulary load (48,894 merges) | {loadMs:F0} ms |");
        report.WriteLine($"| 10,000 weighted captions → 77-token windows, first pass | {coldMs:F0} ms ({tokens / (coldMs / 1000):F0} tokens/s) |");
        report.WriteLine($"| same, second pass (warm piece cache) | {warmMs:F0} ms ({tokens / (warmMs / 1000):F0} tokens/s) |");
    }
}
