using LoraPS.Torch;
using F = LoraPS.Torch.torch.nn.functional;

namespace LoraPS.Tests.Engine;

public sealed class NeuralOpsTests
{
    private static void Near(double[] expected, Tensor actual, double tol = 1e-6)
    {
        var got = actual.to(ScalarType.Float64).data<double>();
        Assert.Equal(expected.Length, got.Length);
        for (int i = 0; i < got.Length; i++) Assert.True(Math.Abs(expected[i] - got[i]) <= tol, $"[{i}] expected {expected[i]} got {got[i]}");
    }

    [Fact]
    public void Conv2d_with_hand_values_stride_padding_dilation_groups()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.arange(1, 10, 1, ScalarType.Float64).reshape(1, 1, 3, 3); // 1..9
        var w = torch.ones(new long[] { 1, 1, 2, 2 }, ScalarType.Float64);
        Near(new double[] { 12, 16, 24, 28 }, F.conv2d(x, w));
        Near(new double[] { 1, 5, 11, 28 }, F.conv2d(x, w, padding: 1, stride: 2));
        Near(new double[] { 1 + 3 + 7 + 9 }, F.conv2d(x, w, dilation: 2));
        Near(new double[] { 13, 17, 25, 29 }, F.conv2d(x, w, torch.tensor(new double[] { 1 })));
        var two = torch.cat(new[] { x, x * 10 }, 1);
        var wg = torch.ones(new long[] { 2, 1, 2, 2 }, ScalarType.Float64);
        Near(new double[] { 12, 16, 24, 28, 120, 160, 240, 280 }, F.conv2d(two, wg, groups: 2));
        Assert.Throws<TorchException>(() => F.conv2d(x, torch.ones(new long[] { 1, 2, 2, 2 }, ScalarType.Float64)));
        Assert.Throws<ArgumentException>(() => F.conv2d(x, w, null, new long[] { 1 }, new long[] { 0, 0 }, new long[] { 1, 1 }));
        // transposed conv of a single 1 with stride 2 paints the kernel
        var one = torch.ones(new long[] { 1, 1, 1, 1 }, ScalarType.Float64);
        var k = torch.arange(1, 5, 1, ScalarType.Float64).reshape(1, 1, 2, 2);
        Near(new double[] { 1, 2, 3, 4 }, F.conv_transpose2d(one, k, stride: 2));
    }

    [Fact]
    public void Norms_activations_softmax_match_formulas()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 1, 2, 3, 4 }, 1, 2, 2, 1);
        // group norm, 2 groups of (1,2) and (3,4): mean 1.5/3.5, var 0.25 → ±1/sqrt(0.25+eps)
        double s = 0.5 / Math.Sqrt(0.25 + 1e-5);
        Near(new[] { -s, s, -s, s }, F.group_norm(x, 2));
        Near(new[] { -s * 2 + 1, s * 2 + 1, -s * 3 - 1, s * 3 - 1 }, F.group_norm(x, 2, torch.tensor(new double[] { 2, 3 }), torch.tensor(new double[] { 1, -1 })));
        var rows = torch.tensor(new double[] { 1, 3, 0, 0 }, 2, 2);
        double ln = 1 / Math.Sqrt(1 + 1e-5);
        Near(new[] { -ln, ln, 0, 0 }, F.layer_norm(rows, new long[] { 2 }), 1e-6);
        var v = torch.tensor(new double[] { -1, 0, 2 });
        double Phi(double z) => 0.5 * (1 + Erf(z / Math.Sqrt(2)));
        Near(new[] { -1 * Phi(-1), 0, 2 * Phi(2) }, F.gelu(v), 1e-7);
        double Tanh(double z) => 0.5 * z * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (z + 0.044715 * z * z * z)));
        Near(new[] { Tanh(-1), 0, Tanh(2) }, F.gelu(v, "tanh"), 1e-9);
        Near(new[] { -1 / (1 + Math.Exp(1.702)), 0, 2 / (1 + Math.Exp(-3.404)) }, F.quick_gelu(v), 1e-12);
        double e = Math.Exp(-1) + 1 + Math.Exp(2);
        Near(new[] { Math.Exp(-1) / e, 1 / e, Math.Exp(2) / e }, F.softmax(v, 0), 1e-12);
        Near(new[] { -1 - Math.Log(e), -Math.Log(e), 2 - Math.Log(e) }, F.log_softmax(v, 0), 1e-12);
        Assert.Throws<ArgumentException>(() => F.gelu(v, "fast"));
    }

    private static double Erf(double x)
    {
        // Abramowitz-Stegun 7.1.26 is too coarse; integrate instead (Simpson, 2000 steps)
        int n = 2000;
        double h = x / n, sum = 0;
        for (int i = 0; i <= n; i++)
        {
            double t = i * h, f = Math.Exp(-t * t);
            sum += (i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2) * f;
        }
        return 2 / Math.Sqrt(Math.PI) * sum * h / 3;
    }

    [Fact]
    public void Dropout_embedding_pooling_interpolation()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        var ones = torch.ones(new long[] { 10000 }, ScalarType.Float64);
        var d = F.dropout(ones, 0.25).data<double>();
        Assert.All(d, v => Assert.True(v == 0 || Math.Abs(v - 1 / 0.75) < 1e-12));
        Assert.InRange(d.Count(v => v == 0), 2200, 2800);
        Near(Enumerable.Repeat(1.0, 10000).ToArray(), F.dropout(ones, 0.25, training: false));
        Assert.Throws<TorchException>(() => F.dropout(ones, 1.5));

        var table = torch.tensor(new double[] { 0, 0, 1, 1, 2, 2 }, 3, 2);
        Near(new double[] { 2, 2, 0, 0 }, F.embedding(torch.tensor(new long[] { 2, 0 }), table));
        Assert.Throws<TorchException>(() => F.embedding(torch.tensor(new long[] { 3 }), table));

        var x = torch.arange(1, 17, 1, ScalarType.Float64).reshape(1, 1, 4, 4);
        Near(new double[] { 3.5, 5.5, 11.5, 13.5 }, F.avg_pool2d(x, 2));
        Near(new double[] { 6, 8, 14, 16 }, F.max_pool2d(x, 2));

        var small = torch.tensor(new double[] { 1, 2, 3, 4 }, 1, 1, 2, 2);
        Near(new double[] { 1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4 }, F.interpolate(small, scale_factor: 2));
        // bilinear with align_corners: corners kept, middle is the average
        var bl = F.interpolate(small, new long[] { 3, 3 }, mode: InterpolationMode.Bilinear, align_corners: true);
        Near(new double[] { 1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4 }, bl);
        var bc = F.interpolate(small, new long[] { 3, 3 }, mode: InterpolationMode.Bicubic, align_corners: true);
        Near(new double[] { 1, 2, 3, 4 }, bc.slice(2, 0, 3, 2).slice(3, 0, 3, 2));
        Assert.Throws<ArgumentException>(() => F.interpolate(small));
        Assert.Throws<TorchException>(() => F.interpolate(torch.ones(3), new long[] { 2, 2 }));
    }

    [Fact]
    public void Attention_matches_the_composite_and_hand_values()
    {
        using var scope = torch.NewDisposeScope();
        using var g = new Generator(11);
        var q = torch.randn(new long[] { 2, 4, 5, 8 }, generator: g);
        var k = torch.randn(new long[] { 2, 4, 7, 8 }, generator: g);
        var v = torch.randn(new long[] { 2, 4, 7, 3 }, generator: g);
        var fused = F.scaled_dot_product_attention(q, k, v);
        var composite = F.scaled_dot_product_attention_composite(q, k, v);
        Assert.True(fused.allclose(composite, 1e-5, 1e-6));
        // by hand: softmax(q kᵀ / sqrt(8)) v
        var manual = F.softmax(q.matmul(k.transpose(-2, -1)) / Math.Sqrt(8), -1).matmul(v);
        Assert.True(fused.allclose(manual, 1e-5, 1e-6));
        var causal = F.scaled_dot_product_attention(q.narrow(2, 0, 1), k.narrow(2, 0, 1), v.narrow(2, 0, 1), is_causal: true);
        Assert.True(causal.allclose(v.narrow(2, 0, 1), 1e-6, 1e-6)); // one key: output is its value
        Assert.Throws<TorchException>(() => F.scaled_dot_product_attention(q, k.narrow(3, 0, 4), v));
    }

    [Fact]
    public void Losses_with_each_reduction()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new double[] { 0, 2, 5 });
        var b = torch.tensor(new double[] { 0.5, 0, 5 });
        Near(new double[] { 0.25, 4, 0 }, F.mse_loss(a, b, Reduction.None));
        Near(new double[] { 4.25 / 3 }, F.mse_loss(a, b));
        Near(new double[] { 4.25 }, F.mse_loss(a, b, Reduction.Sum));
        // smooth L1 (beta 1): |d|<1 → 0.5 d²/beta, else |d| - 0.5 beta
        Near(new double[] { 0.125, 1.5, 0 }, F.smooth_l1_loss(a, b, Reduction.None));
        // huber (delta 2): |d|<=2 → 0.5 d², else delta(|d| - 0.5 delta)
        Near(new double[] { 0.125, 2, 0 }, F.huber_loss(a, b, Reduction.None, 2));
        Near(new double[] { 0.125 + 1.5 }, F.smooth_l1_loss(a, b, Reduction.Sum));
        Near(new double[] { 2.5 / 3 }, F.l1_loss(a, b));
        Assert.Throws<TorchException>(() => F.mse_loss(a, torch.ones(2, 2)));
    }
}
