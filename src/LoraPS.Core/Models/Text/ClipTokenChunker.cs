namespace LoraPS.Models.Text;

/// <summary>
/// Lays content tokens out in 77-token windows the way sd-scripts does. One window:
/// <c>[BOS] + tokens[..75] + [EOS] + pad</c>. With <c>max_token_length</c> 150 or 225 (n = 2 or 3
/// chunks): the sequence <c>[BOS] + tokens[..75n] + [EOS] + pad</c> of 75n + 2 ids is cut into n
/// windows, window k = <c>[BOS] + sequence[1 + 75k … 75 + 75k] + [sequence's last id]</c>; when the pad
/// id differs from EOS (SD2), a window whose position 75 is neither EOS nor pad ends in EOS, and one
/// whose position 1 is pad (an empty window) gets EOS there.
/// A BREAK fills the current chunk with EOS then pad so the next token starts a new chunk (a BREAK
/// right after a full chunk only closes it).
/// </summary>
public sealed class ClipTokenChunker
{
    public const int WindowLength = 77;
    public const int ContentPerChunk = 75;

    public int StartId { get; }
    public int EndId { get; }
    public int PadId { get; }

    /// <param name="padId">49407 (EOS) for SD1 and SDXL's CLIP-L; 0 for SD2 and SDXL's OpenCLIP bigG.</param>
    public ClipTokenChunker(int startId, int endId, int padId)
    {
        StartId = startId;
        EndId = endId;
        PadId = padId;
    }

    /// <summary>Number of chunks for sd-scripts' <c>max_token_length</c>: null or 75 → 1, 150 → 2, 225 → 3.</summary>
    public static int ChunksForMaxTokenLength(int? maxTokenLength) => maxTokenLength switch
    {
        null or 75 => 1,
        150 => 2,
        225 => 3,
        _ => throw new ArgumentOutOfRangeException(nameof(maxTokenLength), maxTokenLength, "max_token_length must be 75, 150 or 225 (or none)"),
    };

    /// <summary>
    /// Lays out <paramref name="tokens"/> in <paramref name="chunkCount"/> windows (dropping what does
    /// not fit), or in as many as the prompt needs when <paramref name="chunkCount"/> is null.
    /// </summary>
    public TokenChunks Layout(WeightedTokens tokens, int? chunkCount)
    {
        if (chunkCount is < 1) throw new ArgumentOutOfRangeException(nameof(chunkCount), chunkCount, "at least one chunk");
        var (contentIds, contentWeights) = ApplyBreaks(tokens);
        int n = chunkCount ?? Math.Max(1, (contentIds.Count + ContentPerChunk - 1) / ContentPerChunk);
        int length = n * ContentPerChunk + 2;

        var seqIds = new int[length];
        var seqWeights = new float[length];
        Array.Fill(seqIds, PadId);
        Array.Fill(seqWeights, 1f);
        seqIds[0] = StartId;
        int kept = Math.Min(contentIds.Count, length - 2);
        for (int p = 0; p < kept; p++)
        {
            seqIds[1 + p] = contentIds[p];
            seqWeights[1 + p] = contentWeights[p];
        }
        seqIds[1 + kept] = EndId;

        var ids = new int[n][];
        var weights = new float[n][];
        for (int k = 0; k < n; k++)
        {
            var window = new int[WindowLength];
            var windowWeights = new float[WindowLength];
            window[0] = seqIds[0];
            windowWeights[0] = 1f;
            Array.Copy(seqIds, 1 + ContentPerChunk * k, window, 1, ContentPerChunk);
            Array.Copy(seqWeights, 1 + ContentPerChunk * k, windowWeights, 1, ContentPerChunk);
            window[WindowLength - 1] = seqIds[length - 1];
            windowWeights[WindowLength - 1] = 1f;
            if (n > 1 && PadId != EndId)
            {
                int beforeLast = window[WindowLength - 2];
                if (beforeLast != EndId && beforeLast != PadId) window[WindowLength - 1] = EndId;
                if (window[1] == PadId) window[1] = EndId;
            }
            ids[k] = window;
            weights[k] = windowWeights;
        }
        return new TokenChunks(ids, weights, contentIds.Count, contentIds.Count > kept);
    }

    /// <summary>The single 77-id window of unweighted content (SD's default, no chunking).</summary>
    public int[] Window(IReadOnlyList<int> contentIds) => Layout(WeightedTokens.Unweighted(contentIds), 1).Ids(0).ToArray();

    private (List<int> Ids, List<float> Weights) ApplyBreaks(WeightedTokens tokens)
    {
        var ids = new List<int>(tokens.Ids.Count);
        var weights = new List<float>(tokens.Ids.Count);
        int nextBreak = 0;
        int inChunk = 0; // tokens in the open chunk; 75 = full but not yet closed
        for (int p = 0; p <= tokens.Ids.Count; p++)
        {
            while (nextBreak < tokens.BreakPositions.Count && tokens.BreakPositions[nextBreak] == p)
            {
                nextBreak++;
                if (inChunk < ContentPerChunk)
                {
                    for (int f = inChunk; f < ContentPerChunk; f++)
                    {
                        ids.Add(f == inChunk ? EndId : PadId);
                        weights.Add(1f);
                    }
                }
                inChunk = 0;
            }
            if (p == tokens.Ids.Count) break;
            if (inChunk == ContentPerChunk) inChunk = 0;
            ids.Add(tokens.Ids[p]);
            weights.Add(tokens.Weights[p]);
            inChunk++;
        }
        return (ids, weights);
    }
}
