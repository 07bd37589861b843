namespace LoraPS.Models.Text;

/// <summary>
/// A prompt laid out for the text encoder: <see cref="ChunkCount"/> windows of
/// <see cref="ClipTokenChunker.WindowLength"/> (77) ids, each <c>[BOS] + 75 + [last]</c>, and a weight for
/// every id (1 for start, end and padding). The encoder runs each window and stitches the states
/// back into one sequence of <see cref="SequenceLength"/> = 75·n + 2 positions.
/// </summary>
public sealed class TokenChunks
{
    private readonly int[][] ids;
    private readonly float[][] weights;

    internal TokenChunks(int[][] ids, float[][] weights, int contentTokens, bool truncated)
    {
        this.ids = ids;
        this.weights = weights;
        ContentTokens = contentTokens;
        Truncated = truncated;
    }

    public int ChunkCount => ids.Length;

    /// <summary>75·n + 2: the length of the stitched hidden-state sequence.</summary>
    public int SequenceLength => ChunkCount * ClipTokenChunker.ContentPerChunk + 2;

    /// <summary>Prompt tokens before truncation (BREAK fill included).</summary>
    public int ContentTokens { get; }

    /// <summary>True when the prompt had more tokens than the chunks hold and the rest was dropped.</summary>
    public bool Truncated { get; }

    public IReadOnlyList<int> Ids(int chunk) => ids[chunk];
    public IReadOnlyList<float> Weights(int chunk) => weights[chunk];

    /// <summary>All ids, chunk after chunk (n × 77, row-major), e.g. to build an input tensor.</summary>
    public int[] FlattenIds() => ids.SelectMany(c => c).ToArray();

    /// <summary>All weights, chunk after chunk (n × 77).</summary>
    public float[] FlattenWeights() => weights.SelectMany(c => c).ToArray();

    /// <summary>
    /// Which chunk position each position of the stitched sequence comes from: position 0 from chunk
    /// 0's start token, 1 + 75k + j from chunk k's position 1 + j, the last from the last chunk's final token.
    /// </summary>
    public (int Chunk, int Position) SourceOf(int sequencePosition)
    {
        if (sequencePosition < 0 || sequencePosition >= SequenceLength) throw new ArgumentOutOfRangeException(nameof(sequencePosition));
        if (sequencePosition == 0) return (0, 0);
        if (sequencePosition == SequenceLength - 1) return (ChunkCount - 1, ClipTokenChunker.WindowLength - 1);
        int k = (sequencePosition - 1) / ClipTokenChunker.ContentPerChunk;
        return (k, 1 + (sequencePosition - 1) % ClipTokenChunker.ContentPerChunk);
    }
}
