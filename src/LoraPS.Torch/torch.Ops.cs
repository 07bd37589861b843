using System.Text;
using static LoraPS.Torch.Interop.LibTorchNative;

namespace LoraPS.Torch;

#pragma warning disable IDE1006 // naming: mirrors torch
public static unsafe partial class torch
{
    private static IntPtr[] Handles(IReadOnlyList<Tensor> tensors)
    {
        var h = new IntPtr[tensors.Count];
        for (int i = 0; i < h.Length; i++) h[i] = tensors[i].Handle;
        return h;
    }

    public static Tensor cat(IReadOnlyList<Tensor> tensors, long dim = 0)
    {
        var h = Handles(tensors);
        fixed (IntPtr* p = h) return new Tensor(lt_cat(p, h.Length, dim));
    }

    public static Tensor stack(IReadOnlyList<Tensor> tensors, long dim = 0)
    {
        var h = Handles(tensors);
        fixed (IntPtr* p = h) return new Tensor(lt_stack(p, h.Length, dim));
    }

    /// <summary>Einstein summation, e.g. einsum("bij,bjk->bik", a, b).</summary>
    public static Tensor einsum(string equation, params Tensor[] tensors)
    {
        var h = Handles(tensors);
        byte[] eq = Encoding.ASCII.GetBytes(equation + "\0");
        fixed (IntPtr* p = h) fixed (byte* e = eq) return new Tensor(lt_einsum(e, p, h.Length));
    }

    /// <summary>Elements of <paramref name="x"/> where <paramref name="condition"/> holds, else of <paramref name="y"/>.</summary>
    public static Tensor where(Tensor condition, Tensor x, Tensor y) => new(lt_where(condition.Handle, x.Handle, y.Handle));

    public static Tensor matmul(Tensor a, Tensor b) => a.matmul(b);
    public static Tensor bmm(Tensor a, Tensor b) => a.bmm(b);
    public static Tensor add(Tensor a, Tensor b, double alpha = 1) => a.add(b, alpha);
    public static Tensor sub(Tensor a, Tensor b, double alpha = 1) => a.sub(b, alpha);
    public static Tensor mul(Tensor a, Tensor b) => a.mul(b);
    public static Tensor div(Tensor a, Tensor b) => a.div(b);
    public static Tensor pow(Tensor a, double exponent) => a.pow(exponent);
    public static Tensor abs(Tensor a) => a.abs();
    public static Tensor sqrt(Tensor a) => a.sqrt();
    public static Tensor exp(Tensor a) => a.exp();
    public static Tensor log(Tensor a) => a.log();
    public static Tensor sum(Tensor a) => a.sum();
    public static Tensor mean(Tensor a) => a.mean();
    public static Tensor clamp(Tensor a, double? min = null, double? max = null) => a.clamp(min, max);
    public static Tensor lerp(Tensor start, Tensor end, double weight) => start.lerp(end, weight);
    public static Tensor maximum(Tensor a, Tensor b) => a.maximum(b);
    public static Tensor minimum(Tensor a, Tensor b) => a.minimum(b);
    public static Tensor isnan(Tensor a) => a.isnan();
    public static Tensor isfinite(Tensor a) => a.isfinite();
    public static Tensor quantile(Tensor a, double q) => a.quantile(q);
    public static Tensor flatten(Tensor a, long start_dim = 0, long end_dim = -1) => a.flatten(start_dim, end_dim);
    public static Tensor diag(Tensor a, long diagonal = 0) => a.diag(diagonal);
    public static bool allclose(Tensor a, Tensor b, double rtol = 1e-5, double atol = 1e-8) => a.allclose(b, rtol, atol);
}
