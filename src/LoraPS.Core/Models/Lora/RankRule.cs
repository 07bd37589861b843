namespace LoraPS.Models.Lora;

/// <summary>How Resize-Lora picks each module's new rank (sd-scripts resize_lora.py's --dynamic_method).</summary>
public enum ResizeMethod
{
    /// <summary>The fixed rank (-Rank / -ConvRank).</summary>
    Fixed,
    /// <summary>Keep singular values larger than S₀ / param.</summary>
    SvRatio,
    /// <summary>Keep until the cumulative sum of S reaches param of the total.</summary>
    SvCumulative,
    /// <summary>Keep until the Frobenius norm share reaches param.</summary>
    SvFro,
}

/// <summary>
/// sd-scripts' rank selection, statistic for statistic. S is the full singular spectrum (length
/// min(out, in·k·k), zeros past the LoRA rank). Each dynamic index is clamped to [1, len−1] and the
/// new rank is index + 1 (one more than the strict threshold); a zero matrix gets rank 1; nothing
/// exceeds the cap.
/// </summary>
public static class RankRule
{
    public const double MinSingularValue = 1e-6;

    public static int NewRank(ReadOnlySpan<double> s, ResizeMethod method, double param, int cap)
    {
        int len = s.Length;
        int Clamp(int index) => Math.Max(1, Math.Min(index, len - 1));
        int rank;
        switch (method)
        {
            case ResizeMethod.SvRatio:
            {
                double min = s[0] / param;
                int count = 0;
                foreach (double v in s) if (v > min) count++;
                rank = Clamp(count) + 1;
                break;
            }
            case ResizeMethod.SvCumulative:
                rank = Clamp(SearchSorted(s, v => v, param) + 1) + 1;
                break;
            case ResizeMethod.SvFro:
                rank = Clamp(SearchSorted(s, v => v * v, param * param) + 1) + 1;
                break;
            default:
                rank = cap;
                break;
        }
        if (s[0] <= MinSingularValue) return 1;
        return Math.Min(rank, cap);
    }

    /// <summary>First index whose cumulative share (of f(S)) is ≥ target, like torch.searchsorted (left) on float32 cumsums.</summary>
    private static int SearchSorted(ReadOnlySpan<double> s, Func<double, double> f, double target)
    {
        // torch: cumsum of a float32 tensor (accumulated in double, stored as float32), divided by the
        // float32 total, compared with the target as float32.
        double total = 0;
        foreach (double v in s) total += (float)f(v);
        float totalF = (float)total, t = (float)target;
        double acc = 0;
        for (int i = 0; i < s.Length; i++)
        {
            acc += (float)f(s[i]);
            if ((float)acc / totalF >= t) return i;
        }
        return s.Length;
    }

    /// <summary>Relative closeness (to S₀) below which two singular values, or a value and a threshold, count as tied.</summary>
    public const double TieTolerance = 1e-5;

    /// <summary>
    /// True when the result is not determined by the spectrum to float precision: a singular value
    /// (or a cumulative share) sits on the rule's threshold, or the cut at <paramref name="rank"/>
    /// falls inside a cluster of equal non-zero singular values (then the kept subspace is arbitrary).
    /// Callers then decompose the dense delta as sd-scripts does, so the tie breaks the same way.
    /// </summary>
    public static bool IsAmbiguous(ReadOnlySpan<double> s, ResizeMethod method, double param, int rank)
    {
        double s0 = s[0];
        if (s0 <= MinSingularValue) return false;
        double tol = TieTolerance * s0;
        switch (method)
        {
            case ResizeMethod.SvRatio:
                foreach (double v in s) if (Math.Abs(v - s0 / param) <= tol) return true;
                break;
            case ResizeMethod.SvCumulative:
            case ResizeMethod.SvFro:
            {
                bool fro = method == ResizeMethod.SvFro;
                double total = 0, acc = 0;
                foreach (double v in s) total += fro ? v * v : v;
                double target = fro ? param * param : param;
                foreach (double v in s)
                {
                    acc += fro ? v * v : v;
                    if (Math.Abs(acc / total - target) <= TieTolerance) return true;
                }
                break;
            }
        }
        if (rank < s.Length && s[rank - 1] > tol && s[rank - 1] - s[rank] <= tol) return true;
        return false;
    }

    /// <summary>The verbose statistics: Σ|S| kept share, Frobenius kept share, S₀ / S_{k−1}.</summary>
    public static (double SumRetained, double FroRetained, double MaxRatio) Stats(ReadOnlySpan<double> s, int rank)
    {
        double sum = 0, sumKept = 0, sq = 0, sqKept = 0;
        for (int i = 0; i < s.Length; i++)
        {
            double a = Math.Abs(s[i]);
            sum += a; sq += s[i] * s[i];
            if (i < rank) { sumKept += a; sqKept += s[i] * s[i]; }
        }
        double last = rank - 1 < s.Length ? s[rank - 1] : 0;
        return (sum > 0 ? sumKept / sum : double.NaN, sq > 0 ? Math.Sqrt(sqKept) / Math.Sqrt(sq) : double.NaN, s[0] / last);
    }
}
