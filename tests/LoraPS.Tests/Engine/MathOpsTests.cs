using LoraPS.Torch;

namespace LoraPS.Tests.Engine;

public sealed class MathOpsTests
{
    private static void Near(double[] expected, Tensor actual, double tol = 1e-6)
    {
        var got = actual.to(ScalarType.Float64).data<double>();
        Assert.Equal(expected.Length, got.Length);
        for (int i = 0; i < got.Length; i++) Assert.True(Math.Abs(expected[i] - got[i]) <= tol, $"[{i}] expected {expected[i]} got {got[i]}");
    }

    [Fact]
    public void Arithmetic_broadcasts_and_takes_scalars()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new double[] { 1, 2, 3, 4 }, 2, 2);
        var row = torch.tensor(new double[] { 10, 20 }, 1, 2);
        Near(new double[] { 11, 22, 13, 24 }, a + row);
        Near(new double[] { -9, -18, -7, -16 }, a - row);
        Near(new double[] { 10, 40, 30, 80 }, a * row);
        Near(new double[] { 0.1, 0.1, 0.3, 0.2 }, a / row);
        Near(new double[] { 3, 4, 5, 6 }, a + 2);
        Near(new double[] { 1, 0, -1, -2 }, 2 - a);
        Near(new double[] { 2, 1, 2 / 3.0, 0.5 }, 2 / a);
        Near(new double[] { 1, 4, 9, 16 }, a.pow(2));
        Near(new double[] { -1, -2, -3, -4 }, -a);
        Near(new double[] { 21, 42, 23, 44 }, a.add(row, alpha: 2));
        Assert.Throws<TorchException>(() => a + torch.ones(3));
    }

    [Fact]
    public void Unary_functions_match_math()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 0.25, 1, 4 });
        Near(new[] { 0.5, 1, 2 }, x.sqrt());
        Near(new[] { 2, 1, 0.5 }, x.rsqrt());
        Near(new[] { Math.Exp(0.25), Math.E, Math.Exp(4) }, x.exp(), 1e-9);
        Near(new[] { Math.Log(0.25), 0, Math.Log(4) }, x.log(), 1e-12);
        Near(new[] { Math.Sin(0.25), Math.Sin(1), Math.Sin(4) }, x.sin(), 1e-12);
        Near(new[] { Math.Cos(0.25), Math.Cos(1), Math.Cos(4) }, x.cos(), 1e-12);
        var y = torch.tensor(new double[] { -2, 0, 3 });
        Near(new double[] { 2, 0, 3 }, y.abs());
        Near(new double[] { -1, 0, 1 }, y.sign());
        Near(new double[] { -1, 0, 1 }, y.clamp(-1, 1));
        Near(new double[] { -2, 0, 1 }, y.clamp(max: 1));
        Near(new double[] { 0, 0, 3 }, y.relu());
        Near(new[] { -2 / (1 + Math.Exp(2)), 0, 3 / (1 + Math.Exp(-3)) }, y.silu(), 1e-12);
        var nan = torch.tensor(new double[] { double.NaN, 1, double.PositiveInfinity });
        Assert.Equal(new[] { true, false, false }, nan.isnan().data<bool>());
        Assert.Equal(new[] { false, true, false }, nan.isfinite().data<bool>());
    }

    [Fact]
    public void Where_masked_fill_lerp_addcmul_addcdiv_and_comparisons()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new double[] { 1, 5, 3 });
        var b = torch.tensor(new double[] { 4, 2, 3 });
        Assert.Equal(new[] { false, true, false }, a.gt(b).data<bool>());
        Assert.Equal(new[] { false, false, true }, a.eq(b).data<bool>());
        Assert.Equal(new[] { true, false, true }, a.le(b).data<bool>());
        Assert.Equal(new[] { true, false, false }, a.lt(3).data<bool>());
        Near(new double[] { 4, 5, 3 }, torch.where(a.gt(b), a, b));
        Near(new double[] { 1, -1, 3 }, a.masked_fill(a.gt(b), -1));
        Near(new double[] { 2.5, 3.5, 3 }, a.lerp(b, 0.5));
        Near(new double[] { 1 + 2 * 4, 5 + 2 * 10, 3 + 2 * 9 }, a.addcmul(a, b, 2));
        Near(new double[] { 1 + 0.25, 5 + 2.5, 3 + 1 }, a.addcdiv(a, b));
        Near(new double[] { 4, 5, 3 }, a.maximum(b));
    }

    [Fact]
    public void Matmul_bmm_einsum_linear()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new double[] { 1, 2, 3, 4 }, 2, 2);
        var b = torch.tensor(new double[] { 5, 6, 7, 8 }, 2, 2);
        Near(new double[] { 19, 22, 43, 50 }, a.matmul(b));
        Near(new double[] { 19, 22, 43, 50 }, a.unsqueeze(0).bmm(b.unsqueeze(0)));
        Near(new double[] { 19, 22, 43, 50 }, torch.einsum("ij,jk->ik", a, b));
        Near(new double[] { 17, 23, 39, 53 }, torch.einsum("ij,kj->ik", a, b));
        // linear: x Wᵀ + b
        Near(new double[] { 17 + 1, 23 + 2, 39 + 1, 53 + 2 }, torch.nn.functional.linear(a, b, torch.tensor(new double[] { 1, 2 })));
        Assert.Throws<TorchException>(() => a.matmul(torch.ones(new long[] { 3, 3 }, ScalarType.Float64)));
        Assert.Throws<TorchException>(() => a.matmul(torch.ones(new long[] { 2, 2 }, ScalarType.Float32)));
    }

    [Fact]
    public void Reductions_over_dims_with_keepdim()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        Assert.Equal(21.0, x.sum().item());
        Assert.Equal(3.5, x.mean().item());
        Near(new double[] { 5, 7, 9 }, x.sum(0));
        Assert.Equal(new long[] { 2, 1 }, x.sum(1, keepdim: true).shape);
        Near(new double[] { 2, 5 }, x.mean(1));
        Near(new double[] { 1, 1 }, x.var(1));
        Near(new double[] { 2.0 / 3, 2.0 / 3 }, x.var(1, unbiased: false));
        Near(new double[] { 1, 1 }, x.std(1));
        Assert.Equal(6.0, x.max().item());
        Assert.Equal(1.0, x.min().item());
        var (vals, idx) = x.max(1);
        Near(new double[] { 3, 6 }, vals);
        Assert.Equal(new long[] { 2, 2 }, idx.data<long>());
        Assert.Equal(5L, x.argmax().ToInt64());
        Assert.Equal(new long[] { 0, 0, 0 }, x.argmin(0).data<long>());
        Assert.Equal(Math.Sqrt(91), x.norm().item(), 10);
        Near(new double[] { 6, 15 }, x.norm(1, new long[] { 1 }));
        Near(new double[] { 1, 3, 6, 4, 9, 15 }, x.cumsum(1));
        Assert.Equal(3.5, x.quantile(0.5).item(), 10);
        Near(new double[] { 2, 5 }, x.quantile(0.5, 1));
        Assert.Equal(720.0, x.prod().item());
        Assert.True(x.gt(0).all().ToBoolean());
        Assert.False(x.gt(5.5).all().ToBoolean());
        Assert.True(x.gt(5.5).any().ToBoolean());
        Assert.Throws<TorchException>(() => x.sum(5));
    }

    [Fact]
    public void Cumprod_sort_topk()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 3, 1, 2, 0.5 });
        Near(new double[] { 3, 3, 6, 3 }, x.cumprod(0));
        var (v, i) = x.sort();
        Near(new double[] { 0.5, 1, 2, 3 }, v);
        Assert.Equal(new long[] { 3, 1, 2, 0 }, i.data<long>());
        var (dv, _) = x.sort(descending: true);
        Near(new double[] { 3, 2, 1, 0.5 }, dv);
        var (tv, ti) = x.topk(2);
        Near(new double[] { 3, 2 }, tv);
        Assert.Equal(new long[] { 0, 2 }, ti.data<long>());
        var (sv, _) = x.topk(1, largest: false);
        Near(new double[] { 0.5 }, sv);
        Assert.Throws<TorchException>(() => x.topk(5));
    }

    [Fact]
    public void In_place_ops_change_the_tensor()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 1, 2 });
        x.add_(torch.tensor(new double[] { 1, 1 }), 2).mul_(2).sub_(1).div_(2);
        Near(new double[] { 2.5, 3.5 }, x);
        x.clamp_(max: 3);
        Near(new double[] { 2.5, 3 }, x);
        x.zero_();
        Near(new double[] { 0, 0 }, x);
        x.fill_(4).copy_(torch.tensor(new double[] { 9, 8 }));
        Near(new double[] { 9, 8 }, x);
    }
}
