using static LoraPS.Torch.Interop.LibTorchNative;

namespace LoraPS.Torch;

#pragma warning disable IDE1006 // naming: mirrors torch
public unsafe partial class Tensor
{
    // op codes of lt_binary / lt_binary_scalar / lt_unary (native/loraps_torch.cpp)
    internal enum Bin { Add, Sub, Mul, Div, Pow, Maximum, Minimum, Eq, Ne, Lt, Le, Gt, Ge, And, Or, Remainder, Atan2, FloorDivide, RSub, Xor, RPow }
    internal enum Un { Neg, Abs, Sqrt, Rsqrt, Exp, Log, Sin, Cos, Tanh, Sigmoid, Sign, Relu, Silu, Floor, Ceil, Round, Square, Log1p, Expm1, Reciprocal, Erf, IsNan, IsFinite, IsInf, Not, Trunc, Log2, Tan, Softplus }

    private Tensor B(Bin op, Tensor other) => new(lt_binary((int)op, Handle, other.Handle));
    private Tensor B(Bin op, double other) => new(lt_binary_scalar((int)op, Handle, other));
    private Tensor U(Un op) => new(lt_unary((int)op, Handle));

    public Tensor add(Tensor other, double alpha = 1) => new(lt_add(Handle, other.Handle, alpha));
    public Tensor add(double other) => B(Bin.Add, other);
    public Tensor sub(Tensor other, double alpha = 1) => new(lt_sub(Handle, other.Handle, alpha));
    public Tensor sub(double other) => B(Bin.Sub, other);
    public Tensor mul(Tensor other) => new(lt_mul(Handle, other.Handle));
    public Tensor mul(double other) => B(Bin.Mul, other);
    public Tensor div(Tensor other) => new(lt_div(Handle, other.Handle));
    public Tensor div(double other) => B(Bin.Div, other);
    public Tensor pow(Tensor exponent) => B(Bin.Pow, exponent);
    public Tensor pow(double exponent) => B(Bin.Pow, exponent);
    public Tensor maximum(Tensor other) => B(Bin.Maximum, other);
    public Tensor minimum(Tensor other) => B(Bin.Minimum, other);
    public Tensor remainder(Tensor other) => B(Bin.Remainder, other);
    public Tensor remainder(double other) => B(Bin.Remainder, other);
    public Tensor floor_divide(Tensor other) => B(Bin.FloorDivide, other);
    public Tensor floor_divide(double other) => B(Bin.FloorDivide, other);
    public Tensor atan2(Tensor other) => B(Bin.Atan2, other);

    public Tensor eq(Tensor other) => B(Bin.Eq, other);
    public Tensor eq(double other) => B(Bin.Eq, other);
    public Tensor ne(Tensor other) => B(Bin.Ne, other);
    public Tensor ne(double other) => B(Bin.Ne, other);
    public Tensor lt(Tensor other) => B(Bin.Lt, other);
    public Tensor lt(double other) => B(Bin.Lt, other);
    public Tensor le(Tensor other) => B(Bin.Le, other);
    public Tensor le(double other) => B(Bin.Le, other);
    public Tensor gt(Tensor other) => B(Bin.Gt, other);
    public Tensor gt(double other) => B(Bin.Gt, other);
    public Tensor ge(Tensor other) => B(Bin.Ge, other);
    public Tensor ge(double other) => B(Bin.Ge, other);
    public Tensor logical_and(Tensor other) => B(Bin.And, other);
    public Tensor logical_or(Tensor other) => B(Bin.Or, other);
    public Tensor logical_xor(Tensor other) => B(Bin.Xor, other);
    public Tensor logical_not() => U(Un.Not);

    public Tensor neg() => U(Un.Neg);
    public Tensor abs() => U(Un.Abs);
    public Tensor sqrt() => U(Un.Sqrt);
    public Tensor rsqrt() => U(Un.Rsqrt);
    public Tensor exp() => U(Un.Exp);
    public Tensor log() => U(Un.Log);
    public Tensor log2() => U(Un.Log2);
    public Tensor log1p() => U(Un.Log1p);
    public Tensor expm1() => U(Un.Expm1);
    public Tensor sin() => U(Un.Sin);
    public Tensor cos() => U(Un.Cos);
    public Tensor tan() => U(Un.Tan);
    public Tensor tanh() => U(Un.Tanh);
    public Tensor sigmoid() => U(Un.Sigmoid);
    public Tensor sign() => U(Un.Sign);
    public Tensor relu() => U(Un.Relu);
    public Tensor silu() => U(Un.Silu);
    public Tensor floor() => U(Un.Floor);
    public Tensor ceil() => U(Un.Ceil);
    public Tensor round() => U(Un.Round);
    public Tensor trunc() => U(Un.Trunc);
    public Tensor square() => U(Un.Square);
    public Tensor reciprocal() => U(Un.Reciprocal);
    public Tensor erf() => U(Un.Erf);
    public Tensor isnan() => U(Un.IsNan);
    public Tensor isfinite() => U(Un.IsFinite);
    public Tensor isinf() => U(Un.IsInf);

    /// <summary>Clamps into [min, max]; a null bound leaves that side open.</summary>
    public Tensor clamp(double? min = null, double? max = null) => new(lt_clamp(Handle, min ?? double.NaN, max ?? double.NaN));
    public Tensor clamp_min(double min) => clamp(min, null);
    public Tensor clamp_max(double max) => clamp(null, max);
    public Tensor masked_fill(Tensor mask, double value) => new(lt_masked_fill(Handle, mask.Handle, value));
    public Tensor lerp(Tensor end, double weight) => new(lt_lerp(Handle, end.Handle, weight));
    public Tensor addcmul(Tensor tensor1, Tensor tensor2, double value = 1) => new(lt_addcmul(Handle, tensor1.Handle, tensor2.Handle, value));
    public Tensor addcdiv(Tensor tensor1, Tensor tensor2, double value = 1) => new(lt_addcdiv(Handle, tensor1.Handle, tensor2.Handle, value));
    public Tensor matmul(Tensor other) => new(lt_matmul(Handle, other.Handle));
    public Tensor mm(Tensor other) => matmul(other);
    public Tensor bmm(Tensor other) => new(lt_bmm(Handle, other.Handle));

    // ---------------------------------------------------------------- in place (no autograd on leaves that require grad)
    public Tensor add_(Tensor other, double alpha = 1) { Ok(lt_add_(Handle, other.Handle, alpha)); return this; }
    public Tensor add_(double other) { Ok(lt_inplace_scalar(0, Handle, other)); return this; }
    public Tensor sub_(Tensor other) { Ok(lt_inplace_binary(1, Handle, other.Handle)); return this; }
    public Tensor sub_(double other) { Ok(lt_inplace_scalar(1, Handle, other)); return this; }
    public Tensor mul_(Tensor other) { Ok(lt_inplace_binary(2, Handle, other.Handle)); return this; }
    public Tensor mul_(double other) { Ok(lt_inplace_scalar(2, Handle, other)); return this; }
    public Tensor div_(Tensor other) { Ok(lt_inplace_binary(3, Handle, other.Handle)); return this; }
    public Tensor div_(double other) { Ok(lt_inplace_scalar(3, Handle, other)); return this; }
    public Tensor pow_(double exponent) { Ok(lt_inplace_scalar(4, Handle, exponent)); return this; }
    public Tensor maximum_(Tensor other) { Ok(lt_inplace_binary(5, Handle, other.Handle)); return this; }
    public Tensor clamp_(double? min = null, double? max = null) { Ok(lt_clamp_(Handle, min ?? double.NaN, max ?? double.NaN)); return this; }
    public Tensor addcmul_(Tensor tensor1, Tensor tensor2, double value = 1) { Ok(lt_addcmul_(Handle, tensor1.Handle, tensor2.Handle, value)); return this; }
    public Tensor addcdiv_(Tensor tensor1, Tensor tensor2, double value = 1) { Ok(lt_addcdiv_(Handle, tensor1.Handle, tensor2.Handle, value)); return this; }
    public Tensor lerp_(Tensor end, double weight) { Ok(lt_lerp_(Handle, end.Handle, weight)); return this; }
    public Tensor zero_() { Ok(lt_zero_(Handle)); return this; }
    public Tensor fill_(double value) { Ok(lt_fill_(Handle, value)); return this; }
    public Tensor copy_(Tensor source) { Ok(lt_copy_(Handle, source.Handle)); return this; }

    // ---------------------------------------------------------------- reductions
    private static readonly long[] NoDims = Array.Empty<long>();

    public Tensor sum() { fixed (long* p = NoDims) return new(lt_sum(Handle, p, 0, 0, -1)); }
    /// <summary>Sum of all elements accumulated and returned in <paramref name="type"/>.</summary>
    public Tensor sum_as(ScalarType type) { fixed (long* p = NoDims) return new(lt_sum(Handle, p, 0, 0, (int)type)); }
    public Tensor sum(long dim, bool keepdim = false) => sum(new[] { dim }, keepdim);
    public Tensor sum(long[] dims, bool keepdim = false, ScalarType? type = null)
    {
        fixed (long* p = dims) return new(lt_sum(Handle, p, dims.Length, keepdim ? 1 : 0, type is null ? -1 : (int)type));
    }
    public Tensor mean() { fixed (long* p = NoDims) return new(lt_mean(Handle, p, 0, 0)); }
    public Tensor mean(long dim, bool keepdim = false) => mean(new[] { dim }, keepdim);
    public Tensor mean(long[] dims, bool keepdim = false) { fixed (long* p = dims) return new(lt_mean(Handle, p, dims.Length, keepdim ? 1 : 0)); }
    /// <summary>Variance (unbiased by default, as PyTorch) over <paramref name="dims"/> (all when empty).</summary>
    public Tensor var(long[]? dims = null, bool unbiased = true, bool keepdim = false)
    {
        dims ??= NoDims;
        fixed (long* p = dims) return new(lt_var(Handle, p, dims.Length, unbiased ? 1 : 0, keepdim ? 1 : 0));
    }
    public Tensor var(long dim, bool unbiased = true, bool keepdim = false) => var(new[] { dim }, unbiased, keepdim);
    public Tensor std(long[]? dims = null, bool unbiased = true, bool keepdim = false)
    {
        dims ??= NoDims;
        fixed (long* p = dims) return new(lt_std(Handle, p, dims.Length, unbiased ? 1 : 0, keepdim ? 1 : 0));
    }
    public Tensor std(long dim, bool unbiased = true, bool keepdim = false) => std(new[] { dim }, unbiased, keepdim);
    public Tensor prod() => new(lt_prod(Handle));
    /// <summary>Largest element.</summary>
    public Tensor max() { fixed (long* p = NoDims) return new(lt_amax(Handle, p, 0, 0)); }
    public Tensor min() { fixed (long* p = NoDims) return new(lt_amin(Handle, p, 0, 0)); }
    public Tensor amax(long[] dims, bool keepdim = false) { fixed (long* p = dims) return new(lt_amax(Handle, p, dims.Length, keepdim ? 1 : 0)); }
    public Tensor amin(long[] dims, bool keepdim = false) { fixed (long* p = dims) return new(lt_amin(Handle, p, dims.Length, keepdim ? 1 : 0)); }
    /// <summary>Largest values along <paramref name="dim"/> and their indices.</summary>
    public (Tensor values, Tensor indexes) max(long dim, bool keepdim = false)
    {
        IntPtr* h = stackalloc IntPtr[2];
        Ok(lt_max_dim(Handle, dim, keepdim ? 1 : 0, h));
        return (new Tensor(h[0]), new Tensor(h[1]));
    }
    public (Tensor values, Tensor indexes) min(long dim, bool keepdim = false)
    {
        IntPtr* h = stackalloc IntPtr[2];
        Ok(lt_min_dim(Handle, dim, keepdim ? 1 : 0, h));
        return (new Tensor(h[0]), new Tensor(h[1]));
    }
    public Tensor argmax() => new(lt_argmax(Handle, 0, 0, 0));
    public Tensor argmax(long dim, bool keepdim = false) => new(lt_argmax(Handle, dim, 1, keepdim ? 1 : 0));
    public Tensor argmin() => new(lt_argmin(Handle, 0, 0, 0));
    public Tensor argmin(long dim, bool keepdim = false) => new(lt_argmin(Handle, dim, 1, keepdim ? 1 : 0));
    /// <summary>Vector p-norm over <paramref name="dims"/> (all elements when empty).</summary>
    public Tensor norm(double p = 2, long[]? dims = null, bool keepdim = false)
    {
        dims ??= NoDims;
        fixed (long* d = dims) return new(lt_norm(Handle, p, d, dims.Length, keepdim ? 1 : 0));
    }
    public Tensor cumsum(long dim) => new(lt_cumsum(Handle, dim));
    public Tensor cumprod(long dim) => new(lt_cumprod(Handle, dim));
    /// <summary>Sorted values along <paramref name="dim"/> and where they came from.</summary>
    public (Tensor values, Tensor indices) sort(long dim = -1, bool descending = false)
    {
        IntPtr* h = stackalloc IntPtr[2];
        Ok(lt_sort(Handle, dim, descending ? 1 : 0, h));
        return (new Tensor(h[0]), new Tensor(h[1]));
    }
    /// <summary>The <paramref name="k"/> largest (or smallest) values along <paramref name="dim"/>, sorted, with their indices.</summary>
    public (Tensor values, Tensor indices) topk(long k, long dim = -1, bool largest = true)
    {
        IntPtr* h = stackalloc IntPtr[2];
        Ok(lt_topk(Handle, k, dim, largest ? 1 : 0, h));
        return (new Tensor(h[0]), new Tensor(h[1]));
    }
    public Tensor quantile(double q) => new(lt_quantile(Handle, q, 0, 0, 0));
    public Tensor quantile(double q, long dim, bool keepdim = false) => new(lt_quantile(Handle, q, dim, 1, keepdim ? 1 : 0));
    public Tensor logsumexp(long dim, bool keepdim = false) { long[] d = { dim }; fixed (long* p = d) return new(lt_logsumexp(Handle, p, 1, keepdim ? 1 : 0)); }
    public Tensor any() => new(lt_any(Handle));
    public Tensor all() => new(lt_all(Handle));
    public bool allclose(Tensor other, double rtol = 1e-5, double atol = 1e-8) => Ok(lt_allclose(Handle, other.Handle, rtol, atol)) != 0;

    // ---------------------------------------------------------------- operators
    public static Tensor operator +(Tensor a, Tensor b) => a.add(b);
    public static Tensor operator +(Tensor a, double b) => a.add(b);
    public static Tensor operator +(double a, Tensor b) => b.add(a);
    public static Tensor operator -(Tensor a, Tensor b) => a.sub(b);
    public static Tensor operator -(Tensor a, double b) => a.sub(b);
    public static Tensor operator -(double a, Tensor b) => b.B(Bin.RSub, a);
    public static Tensor operator *(Tensor a, Tensor b) => a.mul(b);
    public static Tensor operator *(Tensor a, double b) => a.mul(b);
    public static Tensor operator *(double a, Tensor b) => b.mul(a);
    public static Tensor operator /(Tensor a, Tensor b) => a.div(b);
    public static Tensor operator /(Tensor a, double b) => a.div(b);
    public static Tensor operator /(double a, Tensor b) { using var r = b.reciprocal(); return r.mul(a); }
    public static Tensor operator -(Tensor a) => a.neg();
    public static Tensor operator %(Tensor a, double b) => a.remainder(b);
}
