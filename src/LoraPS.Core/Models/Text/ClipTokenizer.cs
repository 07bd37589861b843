namespace LoraPS.Models.Text;

/// <summary>
/// What the Stable Diffusion text path calls: prompt → (optionally weighted) tokens → 77-token
/// windows with the family's padding. SD1 pads with EOS (49407), SD2 with 0; the pad id comes from
/// the model's configuration.
/// </summary>
public sealed class ClipTokenizer
{
    public ClipBpeTokenizer Bpe { get; }
    public ClipTokenChunker Chunker { get; }

    public int StartId => Bpe.StartOfTextId;
    public int EndId => Bpe.EndOfTextId;
    public int PadId => Chunker.PadId;

    public ClipTokenizer(ClipBpeTokenizer bpe, int padId)
    {
        Bpe = bpe ?? throw new ArgumentNullException(nameof(bpe));
        if (padId < 0 || padId >= bpe.Vocabulary.Count)
            throw new ArgumentOutOfRangeException(nameof(padId), padId, $"the pad id must be a token of the vocabulary (0…{bpe.Vocabulary.Count - 1})");
        Chunker = new ClipTokenChunker(bpe.StartOfTextId, bpe.EndOfTextId, padId);
    }

    /// <summary>Loads the tokenizer files found by <see cref="ClipTokenizerFiles"/>.</summary>
    public static ClipTokenizer Load(ClipTokenizerFiles files, int padId) => new(new ClipBpeTokenizer(files.LoadVocabulary()), padId);

    /// <summary>Content ids of plain text (no start/end tokens, no weights).</summary>
    public int[] Encode(string text) => Bpe.Encode(text);

    /// <summary>
    /// Tokens of a prompt. With <paramref name="parseWeights"/>, A1111's emphasis syntax and BREAK are
    /// read (see <see cref="PromptWeightParser"/>) and each segment is tokenised on its own; without,
    /// the whole text is tokenised as is and every weight is 1.
    /// </summary>
    public WeightedTokens TokenizePrompt(string prompt, bool parseWeights = true)
    {
        if (!parseWeights) return WeightedTokens.Unweighted(Bpe.Encode(prompt));
        var ids = new List<int>();
        var weights = new List<float>();
        var breaks = new List<int>();
        foreach (var segment in PromptWeightParser.Parse(prompt))
        {
            if (segment.IsBreak) { breaks.Add(ids.Count); continue; }
            int[] segmentIds = Bpe.Encode(segment.Text);
            ids.AddRange(segmentIds);
            for (int k = 0; k < segmentIds.Length; k++) weights.Add((float)segment.Weight);
        }
        return new WeightedTokens(ids, weights, breaks);
    }

    /// <summary>
    /// The prompt in windows: <paramref name="chunkCount"/> 1 is SD's plain 77-token input; 2 or 3 are
    /// sd-scripts' max_token_length 150 / 225; null uses as many chunks as the prompt needs.
    /// </summary>
    public TokenChunks Tokenize(string prompt, int? chunkCount = 1, bool parseWeights = false) =>
        Chunker.Layout(TokenizePrompt(prompt, parseWeights), chunkCount);

    /// <summary>The 77 ids of <paramref name="text"/>: start, up to 75 tokens, end, padding.</summary>
    public int[] Window(string text) => Chunker.Window(Bpe.Encode(text));
}
