using LoraPS.Torch;
using F = LoraPS.Torch.torch.nn.functional;

namespace LoraPS.Tests.Engine;

/// <summary>Finite-difference gradient checks (float64, CPU) for every differentiable op of the engine.</summary>
public sealed class GradCheckTests
{
    private static Tensor R(int seed, params long[] shape)
    {
        using var g = new Generator((ulong)seed);
        return torch.randn(shape, ScalarType.Float64, generator: g);
    }

    private static Tensor Pos(int seed, params long[] shape)
    {
        using var r = R(seed, shape);
        using var a = r.abs();
        return a + 0.5;
    }

    private sealed record Case(Func<Tensor[], Tensor> F, Func<Tensor[]> Inputs, double Tol = 1e-5);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["add"] = new(x => x[0] + x[1] * 2 + 3, () => new[] { R(1, 2, 3), R(2, 3) }),
        ["sub"] = new(x => x[0].sub(x[1], 0.5) - 1, () => new[] { R(1, 2, 3), R(2, 1, 3) }),
        ["mul"] = new(x => x[0] * x[1], () => new[] { R(1, 2, 3), R(2, 2, 1) }),
        ["div"] = new(x => x[0] / x[1] + 1 / x[1], () => new[] { R(1, 3), Pos(2, 3) }),
        ["pow"] = new(x => x[0].pow(3) + x[1].pow(x[0]), () => new[] { R(1, 4), Pos(2, 4) }),
        ["neg_abs"] = new(x => -x[0].abs(), () => new[] { R(3, 5) }),
        ["sqrt_rsqrt"] = new(x => x[0].sqrt() + x[0].rsqrt(), () => new[] { Pos(4, 5) }),
        ["exp_log"] = new(x => x[0].exp() + x[1].log(), () => new[] { R(5, 4), Pos(6, 4) }),
        ["sin_cos"] = new(x => x[0].sin() * x[0].cos(), () => new[] { R(7, 6) }),
        ["tanh_sigmoid"] = new(x => x[0].tanh() + x[0].sigmoid(), () => new[] { R(8, 6) }),
        ["clamp"] = new(x => x[0].clamp(-0.5, 0.7), () => new[] { R(9, 8) }),
        ["where_masked_fill"] = new(x => torch.where(x[0].gt(0), x[0], x[1]).masked_fill(x[1].gt(1), 2), () => new[] { R(10, 6), R(11, 6) }),
        ["lerp"] = new(x => x[0].lerp(x[1], 0.3), () => new[] { R(12, 5), R(13, 5) }),
        ["addcmul_addcdiv"] = new(x => x[0].addcmul(x[1], x[2], 0.5).addcdiv(x[1], x[2], 2), () => new[] { R(14, 4), R(15, 4), Pos(16, 4) }),
        ["matmul"] = new(x => x[0].matmul(x[1]), () => new[] { R(17, 2, 3, 4), R(18, 4, 2) }),
        ["bmm"] = new(x => x[0].bmm(x[1]), () => new[] { R(19, 2, 3, 4), R(20, 2, 4, 2) }),
        ["linear"] = new(x => F.linear(x[0], x[1], x[2]), () => new[] { R(21, 3, 4), R(22, 2, 4), R(23, 2) }),
        ["einsum"] = new(x => torch.einsum("bij,bjk->bik", x[0], x[1]), () => new[] { R(24, 2, 2, 3), R(25, 2, 3, 2) }),
        ["sum_mean"] = new(x => x[0].sum(1, keepdim: true) + x[0].mean(new long[] { 0, 1 }), () => new[] { R(26, 3, 4) }),
        ["var_std"] = new(x => x[0].var(1) + x[0].std(0, unbiased: false).sum(), () => new[] { R(27, 3, 4) }),
        ["max_min"] = new(x => x[0].max(1).values + x[0].min(0).values.sum() + x[0].max(), () => new[] { R(28, 3, 4) }),
        ["norm"] = new(x => x[0].norm() + x[0].norm(1.5, new long[] { 1 }).sum(), () => new[] { R(29, 3, 4) }),
        ["cumsum"] = new(x => x[0].cumsum(1), () => new[] { R(30, 3, 4) }),
        ["cumprod_sort_topk"] = new(x => x[0].cumprod(1).sum(1) + x[0].sort(1).values.sum(1) + x[0].topk(2, 1).values.sum(1), () => new[] { R(75, 3, 4) }),
        ["quantile"] = new(x => x[0].quantile(0.3, 1), () => new[] { R(31, 3, 5) }),
        ["logsumexp_softmax"] = new(x => x[0].logsumexp(1) + F.softmax(x[0], 0).sum(1) + F.log_softmax(x[0], 1).sum(1), () => new[] { R(32, 3, 3) }),
        ["shape_ops"] = new(x => x[0].view(3, 4).t().reshape(2, 6).permute(1, 0).flatten().unflatten(0, 3, 4).narrow(1, 1, 2).unsqueeze(0).squeeze(0),
            () => new[] { R(33, 12) }),
        ["index_ops"] = new(x => x[0].index_select(1, torch.tensor(new long[] { 2, 0, 2 })).gather(1, torch.tensor(new long[] { 0, 0, 2, 1 }, 2, 2)),
            () => new[] { R(34, 2, 3) }),
        ["cat_stack_chunk_split"] = new(x => torch.cat(new[] { torch.stack(x[0].chunk(2, 1), 0).flatten(), x[0].split(1, 0)[1].flatten() }),
            () => new[] { R(35, 2, 4) }),
        ["expand_repeat_flip_roll"] = new(x => x[0].expand(3, 2, 2).repeat(1, 2, 1).flip(1).roll(1, 2), () => new[] { R(36, 2, 2) }),
        ["pad"] = new(x => F.pad(x[0], new long[] { 1, 2, 0, 1 }).sum(1).narrow(1, 0, 3) + F.pad(x[0], new long[] { 1, 1, 1, 1 }, PaddingModes.Reflect).sum(1).narrow(1, 0, 3)
            + F.pad(x[0], new long[] { 1, 1, 1, 1 }, PaddingModes.Replicate).sum(1).narrow(1, 0, 3), () => new[] { R(37, 1, 3, 3) }),
        ["conv2d"] = new(x => F.conv2d(x[0], x[1], x[2], stride: 1, padding: 1), () => new[] { R(38, 1, 2, 4, 4), R(39, 3, 2, 3, 3), R(40, 3) }),
        ["conv2d_strided_dilated_grouped"] = new(x => F.conv2d(x[0], x[1], null, new long[] { 2, 1 }, new long[] { 1, 2 }, new long[] { 1, 2 }, 2),
            () => new[] { R(41, 1, 4, 5, 5), R(42, 2, 2, 3, 3) }),
        ["conv_transpose2d"] = new(x => F.conv_transpose2d(x[0], x[1], x[2], stride: 2, padding: 1, output_padding: 1), () => new[] { R(43, 1, 2, 3, 3), R(44, 2, 3, 3, 3), R(45, 3) }),
        ["group_norm"] = new(x => F.group_norm(x[0], 2, x[1], x[2]), () => new[] { R(46, 2, 4, 3, 3), R(47, 4), R(48, 4) }),
        ["layer_norm"] = new(x => F.layer_norm(x[0], new long[] { 5 }, x[1], x[2]), () => new[] { R(49, 3, 5), R(50, 5), R(51, 5) }),
        ["silu_gelu"] = new(x => F.silu(x[0]) + F.gelu(x[0]) + F.gelu(x[0], "tanh") + F.quick_gelu(x[0]), () => new[] { R(52, 8) }),
        ["relu"] = new(x => x[0].relu(), () => new[] { R(53, 8) }),
        ["embedding"] = new(x => F.embedding(torch.tensor(new long[] { 2, 0, 2 }), x[0]), () => new[] { R(54, 4, 3) }),
        ["interpolate_nearest"] = new(x => F.interpolate(x[0], scale_factor: 2), () => new[] { R(55, 1, 1, 2, 3) }),
        ["interpolate_bilinear"] = new(x => F.interpolate(x[0], new long[] { 5, 4 }, mode: InterpolationMode.Bilinear, align_corners: false), () => new[] { R(56, 1, 2, 3, 3) }),
        ["interpolate_bicubic"] = new(x => F.interpolate(x[0], new long[] { 5, 5 }, mode: InterpolationMode.Bicubic, align_corners: true), () => new[] { R(57, 1, 1, 3, 3) }),
        ["avg_pool2d"] = new(x => F.avg_pool2d(x[0], 2) + F.avg_pool2d(x[0], 3, 2, 1).sum(), () => new[] { R(58, 1, 2, 4, 4) }),
        ["sdpa"] = new(x => F.scaled_dot_product_attention(x[0], x[1], x[2]), () => new[] { R(59, 2, 3, 4), R(60, 2, 5, 4), R(61, 2, 5, 2) }),
        ["sdpa_causal_masked"] = new(x => F.scaled_dot_product_attention(x[0], x[1], x[2], is_causal: true)
            + F.scaled_dot_product_attention(x[0], x[1], x[2], attn_mask: torch.tensor(new[] { true, false, true, true, true, true, false, true, true }, 3, 3)),
            () => new[] { R(62, 1, 3, 2), R(63, 1, 3, 2), R(64, 1, 3, 2) }),
        ["mse_loss"] = new(x => F.mse_loss(x[0], x[1]) + F.mse_loss(x[0], x[1], Reduction.Sum) + F.mse_loss(x[0], x[1], Reduction.None).sum(),
            () => new[] { R(65, 3, 2), R(66, 3, 2) }),
        ["smooth_l1_huber"] = new(x => F.smooth_l1_loss(x[0], x[1], beta: 0.5) + F.huber_loss(x[0], x[1], Reduction.Sum, 0.7) + F.huber_loss(x[0], x[1], Reduction.None).sum(),
            () => new[] { R(67, 3, 3), R(68, 3, 3) }),
        ["l1_cross_entropy"] = new(x => F.l1_loss(x[0], x[1]) + F.cross_entropy(x[0], torch.tensor(new long[] { 0, 2, 1 })), () => new[] { R(69, 3, 3), R(70, 3, 3) }),
        ["svd_singular_values"] = new(x => torch.linalg.svd(x[0], false).S, () => new[] { R(71, 4, 3) }),
        ["qr_r"] = new(x => torch.linalg.qr(x[0]).R.abs(), () => new[] { R(72, 4, 3) }),
        ["sign_floor_round_are_flat"] = new(x => x[0].sign() + x[0].floor() + x[0].round() + x[0] * 0.5, () => new[] { R(73, 5) }),
        ["dropout_p0_and_eval"] = new(x => F.dropout(x[0], 0.0) + F.dropout(x[0], 0.9, training: false), () => new[] { R(74, 5) }),
    };

    public static IEnumerable<object[]> Names() => Cases.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(Names))]
    public void Analytic_gradient_matches_finite_differences(string op)
    {
        using var scope = torch.NewDisposeScope();
        var c = Cases[op];
        GradCheck.Check(op, c.F, 1e-6, c.Tol, c.Inputs());
    }

    [Fact]
    public void The_check_itself_catches_a_wrong_gradient()
    {
        using var scope = torch.NewDisposeScope();
        // detach() hides x from autograd for half of the function: the analytic gradient is wrong
        var ex = Assert.ThrowsAny<Exception>(() => GradCheck.Check("broken", x => x[0] * x[0].detach(), R(1, 3)));
        Assert.Contains("analytic", ex.Message);
    }
}
