using System.Collections.Concurrent;
using System.Text;

namespace LoraPS.Models.Text;

/// <summary>
/// CLIP's byte-level BPE tokenizer: text → ids without the start/end tokens. Cleaning
/// (<see cref="ClipTextNormalizer"/>), pre-tokenisation (<see cref="ClipPreTokenizer"/>), UTF-8 bytes
/// mapped through <see cref="ByteToUnicode"/>, then merges by rank; results are cached per piece.
/// Thread-safe.
/// </summary>
public sealed class ClipBpeTokenizer
{
    private const int CacheLimit = 100_000;

    private readonly ConcurrentDictionary<string, int[]> cache = new(StringComparer.Ordinal);

    public ClipVocabulary Vocabulary { get; }

    /// <summary>Id of the start token (49406).</summary>
    public int StartOfTextId => Vocabulary.StartOfTextId;

    /// <summary>Id of the end token (49407).</summary>
    public int EndOfTextId => Vocabulary.EndOfTextId;

    public ClipBpeTokenizer(ClipVocabulary vocabulary)
    {
        Vocabulary = vocabulary ?? throw new ArgumentNullException(nameof(vocabulary));
    }

    /// <summary>Tokenizer over OpenAI's <c>bpe_simple_vocab_16e6.txt.gz</c>.</summary>
    public static ClipBpeTokenizer FromOpenAiBpeFile(string path) => new(ClipVocabulary.FromOpenAiBpeFile(path));

    /// <summary>Tokenizer over a Hugging Face <c>vocab.json</c> + <c>merges.txt</c> pair.</summary>
    public static ClipBpeTokenizer FromVocabAndMerges(string vocabJsonPath, string mergesPath) => new(ClipVocabulary.FromVocabAndMerges(vocabJsonPath, mergesPath));

    /// <summary>The ids of <paramref name="text"/>, without start/end tokens and without truncation.</summary>
    public int[] Encode(string text)
    {
        var ids = new List<int>();
        foreach (string piece in ClipPreTokenizer.Split(ClipTextNormalizer.Normalize(text)))
            ids.AddRange(EncodePiece(piece));
        return ids.ToArray();
    }

    /// <summary>The token strings of <paramref name="text"/> (for display and debugging).</summary>
    public string[] EncodeToTokens(string text) => Array.ConvertAll(Encode(text), Vocabulary.TokenOf);

    /// <summary>Ids of one pre-tokenised piece (already cleaned).</summary>
    internal int[] EncodePiece(string piece)
    {
        if (cache.TryGetValue(piece, out int[]? cached)) return cached;
        int[] ids = piece == ClipVocabulary.StartOfTextToken ? new[] { StartOfTextId }
            : piece == ClipVocabulary.EndOfTextToken ? new[] { EndOfTextId }
            : Merge(ByteToUnicode.Map(Encoding.UTF8.GetBytes(piece)));
        if (cache.Count >= CacheLimit) cache.Clear();
        cache.TryAdd(piece, ids);
        return ids;
    }

    /// <summary>Number of pieces in the cache (for tests).</summary>
    internal int CachedPieces => cache.Count;

    private int[] Merge(string mapped)
    {
        // One symbol per character; the end-of-word marker joins the last one.
        var symbols = new List<string>(mapped.Length);
        for (int i = 0; i < mapped.Length; i++)
            symbols.Add(i == mapped.Length - 1 ? mapped[i] + ClipVocabulary.EndOfWord : mapped[i].ToString());

        while (symbols.Count > 1)
        {
            int bestRank = int.MaxValue;
            string? bestLeft = null, bestRight = null;
            for (int i = 0; i + 1 < symbols.Count; i++)
            {
                if (Vocabulary.TryGetMergeRank(symbols[i], symbols[i + 1], out int rank) && rank < bestRank)
                {
                    bestRank = rank;
                    bestLeft = symbols[i];
                    bestRight = symbols[i + 1];
                }
            }
            if (bestLeft is null) break;

            // Replace every non-overlapping occurrence of the pair, scanning left to right.
            var merged = new List<string>(symbols.Count);
            for (int i = 0; i < symbols.Count;)
            {
                if (i + 1 < symbols.Count && symbols[i] == bestLeft && symbols[i + 1] == bestRight)
                {
                    merged.Add(bestLeft + bestRight);
                    i += 2;
                }
                else
                {
                    merged.Add(symbols[i]);
                    i++;
                }
            }
            symbols = merged;
        }

        var ids = new int[symbols.Count];
        for (int i = 0; i < ids.Length; i++)
        {
            // Every byte character and every merge result is in a well-formed vocabulary; Hugging Face
            // maps anything else to its unknown token, which for CLIP is <|endoftext|>.
            ids[i] = Vocabulary.TryGetId(symbols[i], out int id) ? id : EndOfTextId;
        }
        return ids;
    }
}
