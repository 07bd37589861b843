using LoraPS.Torch;

namespace LoraPS.Tests.Engine;

/// <summary>
/// Compares libtorch's analytic gradients (through our autograd API) with central finite
/// differences in float64, for a scalar L = Σ f(inputs) · w with a fixed random w.
/// </summary>
internal static class GradCheck
{
    public static void Check(string what, Func<Tensor[], Tensor> f, params Tensor[] inputs) => Check(what, f, 1e-6, 1e-5, inputs);

    public static void Check(string what, Func<Tensor[], Tensor> f, double eps, double tol, params Tensor[] inputs)
    {
        using var scope = torch.NewDisposeScope();
        var values = inputs.Select(t => t.to(ScalarType.Float64).data<double>()).ToArray();
        var shapes = inputs.Select(t => t.shape).ToArray();
        var differentiable = inputs.Select(t => t.dtype == ScalarType.Float64).ToArray();

        Tensor[] Make(bool requiresGrad)
        {
            var xs = new Tensor[inputs.Length];
            for (int i = 0; i < xs.Length; i++)
                xs[i] = differentiable[i] ? torch.tensor(values[i], shapes[i]).requires_grad_(requiresGrad) : inputs[i];
            return xs;
        }

        var x0 = Make(true);
        var y0 = f(x0);
        using var g = new Generator(99);
        var w = torch.randn(y0.shape, ScalarType.Float64, generator: g);
        var loss = (y0 * w).sum();
        loss.backward();
        double[] wv = w.data<double>();

        double Loss()
        {
            using var inner = torch.NewDisposeScope();
            using var ng = torch.no_grad();
            var xs = Make(false);
            var y = f(xs);
            return (y * torch.tensor(wv, y.shape)).sum().item();
        }

        for (int i = 0; i < inputs.Length; i++)
        {
            if (!differentiable[i]) continue;
            var grad = x0[i].grad;
            Assert.True(grad is not null, $"{what}: input {i} got no gradient");
            double[] analytic = grad!.data<double>();
            for (int j = 0; j < values[i].Length; j++)
            {
                double keep = values[i][j];
                values[i][j] = keep + eps;
                double up = Loss();
                values[i][j] = keep - eps;
                double down = Loss();
                values[i][j] = keep;
                double numeric = (up - down) / (2 * eps);
                Assert.True(Math.Abs(numeric - analytic[j]) <= tol * (1 + Math.Abs(numeric)),
                    $"{what}: d/dinput{i}[{j}] analytic {analytic[j]} vs numeric {numeric}");
            }
        }
    }
}
