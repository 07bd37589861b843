using static LoraPS.Torch.Interop.LibTorchNative;

namespace LoraPS.Torch;

#pragma warning disable IDE1006 // naming: mirrors torch
public static unsafe partial class torch
{
    /// <summary>torch.linalg: decompositions and the low-rank helpers the LoRA tools use.</summary>
    public static class linalg
    {
        /// <summary>
        /// A = U diag(S) Vh. <paramref name="full_matrices"/> true gives square U (m×m) and Vh (n×n);
        /// false the reduced form, U m×k and Vh k×n with k = min(m, n). Batched over leading dims.
        /// </summary>
        public static (Tensor U, Tensor S, Tensor Vh) svd(Tensor A, bool full_matrices = true)
        {
            IntPtr* h = stackalloc IntPtr[3];
            Ok(lt_svd(A.Handle, full_matrices ? 1 : 0, h));
            return (new Tensor(h[0]), new Tensor(h[1]), new Tensor(h[2]));
        }

        /// <summary>A = QR; mode "reduced" (default) or "complete".</summary>
        public static (Tensor Q, Tensor R) qr(Tensor A, string mode = "reduced")
        {
            if (mode is not ("reduced" or "complete")) throw new ArgumentException($"qr mode must be 'reduced' or 'complete', not '{mode}'", nameof(mode));
            IntPtr* h = stackalloc IntPtr[2];
            Ok(lt_qr(A.Handle, mode == "complete" ? 1 : 0, h));
            return (new Tensor(h[0]), new Tensor(h[1]));
        }

        /// <summary>Matrix norm: "fro" (Frobenius) or "nuc" (nuclear).</summary>
        public static Tensor matrix_norm(Tensor A, string ord = "fro")
        {
            byte[] o = System.Text.Encoding.ASCII.GetBytes(ord + "\0");
            fixed (byte* p = o) return new Tensor(lt_matrix_norm(A.Handle, p));
        }

        public static Tensor vector_norm(Tensor x, double ord = 2) => x.norm(ord);

        /// <summary>
        /// The best rank-<paramref name="rank"/> factorisation W ≈ up @ down from the SVD: up = U[:, :r] diag(S[:r]),
        /// down = Vh[:r, :]. W is 2-d (flatten conv kernels first). When <paramref name="clamp_quantile"/> is set,
        /// both factors are clamped to ± the quantile of their absolute values (as LoRA extraction does).
        /// </summary>
        public static (Tensor up, Tensor down, Tensor S) lowrank_factors(Tensor W, long rank, double? clamp_quantile = null)
        {
            if (W.dim() != 2) throw new ArgumentException($"lowrank_factors needs a 2-d matrix, got {W.dim()} dims");
            long k = Math.Min(W.size(0), W.size(1));
            if (rank < 1 || rank > k) throw new ArgumentOutOfRangeException(nameof(rank), $"rank must be in 1..{k}, got {rank}");
            using var scope = NewDisposeScope();
            var (U, S, Vh) = svd(W, full_matrices: false);
            var s = S.narrow(0, 0, rank);
            var up = U.narrow(1, 0, rank).mul(s.unsqueeze(0));
            var down = Vh.narrow(0, 0, rank).contiguous();
            if (clamp_quantile is double q)
            {
                var all = cat(new[] { up.flatten(), down.flatten() }).abs();
                double hi = all.to(ScalarType.Float32).quantile(q).item();
                up = up.clamp(-hi, hi);
                down = down.clamp(-hi, hi);
            }
            return (scope.MoveToOuter(up.contiguous()), scope.MoveToOuter(down), scope.MoveToOuter(S.clone()));
        }

        /// <summary>Number of singular values kept so that the kept share of the Frobenius norm (sqrt of Σ s², ratio of totals) reaches <paramref name="target"/>.</summary>
        public static long rank_for_fro_share(Tensor S, double target)
        {
            double[] s = S.to(ScalarType.Float64).data<double>();
            double total = s.Sum(v => v * v), acc = 0;
            for (int i = 0; i < s.Length; i++)
            {
                acc += s[i] * s[i];
                if (Math.Sqrt(acc) / Math.Sqrt(total) >= target) return i + 1;
            }
            return s.Length;
        }

        /// <summary>Number of singular values kept so that their cumulative sum reaches <paramref name="target"/> of the total.</summary>
        public static long rank_for_cumulative_share(Tensor S, double target)
        {
            double[] s = S.to(ScalarType.Float64).data<double>();
            double total = s.Sum(), acc = 0;
            for (int i = 0; i < s.Length; i++)
            {
                acc += s[i];
                if (acc / total >= target) return i + 1;
            }
            return s.Length;
        }

        /// <summary>Number of singular values at least max(S) / <paramref name="ratio"/>.</summary>
        public static long rank_for_ratio(Tensor S, double ratio)
        {
            double[] s = S.to(ScalarType.Float64).data<double>();
            if (s.Length == 0) return 0;
            double min = s.Max() / ratio;
            return Math.Max(1, s.Count(v => v >= min));
        }
    }
}
