using LoraPS.Torch;

namespace LoraPS.Models.Lora;

/// <summary>
/// The SVD of a LoRA delta M = up @ down (up [m, r], down [r, n]) computed from its factors: with
/// up = Qu·Ru and downᵀ = Qd·Rd, M = Qu·(Ru·Rdᵀ)·Qdᵀ, so only the small r×r core is decomposed.
/// Exact (not randomised); cost O((m+n)·r²) instead of the dense O(m·n·min(m,n)).
/// </summary>
public static class LowRankSvd
{
    /// <summary>U [m, k], S [k], Vh [k, n] with k = min(m, n, r), singular values descending.</summary>
    public static (Tensor U, Tensor S, Tensor Vh) FromFactors(Tensor up, Tensor down)
    {
        using var scope = torch.NewDisposeScope();
        var (qu, ru) = torch.linalg.qr(up);          // [m, a], [a, r]
        var (qd, rd) = torch.linalg.qr(down.t());    // [n, b], [b, r]
        var core = ru.matmul(rd.t());                // [a, b]
        var (uc, s, vhc) = torch.linalg.svd(core, full_matrices: false);
        var u = qu.matmul(uc);
        var vh = vhc.matmul(qd.t());
        return (scope.MoveToOuter(u.contiguous()), scope.MoveToOuter(s.contiguous()), scope.MoveToOuter(vh.contiguous()));
    }

    /// <summary>The dense reference: reduced SVD of the full matrix (what sd-scripts does).</summary>
    public static (Tensor U, Tensor S, Tensor Vh) Dense(Tensor m) => torch.linalg.svd(m, full_matrices: false);

    /// <summary>True when factoring beats the dense SVD: the rank is below the smaller side.</summary>
    public static bool Pays(long rows, long cols, long rank) => rank < Math.Min(rows, cols);
}
