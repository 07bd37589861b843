namespace LoraPS.Models.Text;

/// <summary>
/// The content tokens of a prompt (no start/end tokens), each with its attention weight, and the
/// positions where a BREAK asked for a new chunk (a break at position p comes before token p).
/// </summary>
public sealed class WeightedTokens
{
    public IReadOnlyList<int> Ids { get; }
    public IReadOnlyList<float> Weights { get; }
    public IReadOnlyList<int> BreakPositions { get; }

    public WeightedTokens(IReadOnlyList<int> ids, IReadOnlyList<float> weights, IReadOnlyList<int>? breakPositions = null)
    {
        if (ids.Count != weights.Count)
            throw new ArgumentException($"{ids.Count} ids but {weights.Count} weights", nameof(weights));
        Ids = ids;
        Weights = weights;
        BreakPositions = breakPositions ?? Array.Empty<int>();
        for (int k = 0; k < BreakPositions.Count; k++)
            if (BreakPositions[k] < 0 || BreakPositions[k] > ids.Count || (k > 0 && BreakPositions[k] < BreakPositions[k - 1]))
                throw new ArgumentException("break positions must be ascending and within the tokens", nameof(breakPositions));
    }

    /// <summary>Tokens of unweighted text: every weight 1, no breaks.</summary>
    public static WeightedTokens Unweighted(IReadOnlyList<int> ids) => new(ids, Enumerable.Repeat(1f, ids.Count).ToArray());
}
