using LoraPS.Models.StableDiffusion.Sampling;
using LoraPS.Torch;

namespace LoraPS.Tests.StableDiffusion.Sampling;

/// <summary>
/// Euler ancestral with the exact denoiser of Gaussian data: every step is x ← a·x + σ_up·ξ with a known a, so
/// the variance of the result and its covariance with the starting noise follow a recursion this test
/// computes by hand; many samples must match it, and with many steps the samples must have the data's spread.
/// </summary>
public sealed class EulerAncestralTests
{
    private static readonly NoiseSchedule Schedule = NoiseSchedule.Default;
    private const int Elements = 200_000;

    [Fact]
    public void Ancestral_step_splits_the_next_noise_level()
    {
        foreach (var (sigma, next) in new[] { (14.6, 10.0), (1.0, 0.5), (0.1, 0.029), (3.0, 0.0), (2.0, 2.0) })
        {
            var (down, up) = EulerAncestralSampler.AncestralStep(sigma, next);
            Assert.Equal(next * next, down * down + up * up, 1e-12);
            Assert.Equal(Math.Sqrt(next * next * (sigma * sigma - next * next) / (sigma * sigma)), up, 1e-12);
            Assert.True(down <= next);
        }
        Assert.Equal((0.0, 0.0), EulerAncestralSampler.AncestralStep(3.0, 0.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => EulerAncestralSampler.AncestralStep(1.0, 2.0));
    }

    /// <summary>Expected variance of the result and covariance with the unit starting noise z.</summary>
    private static (double Variance, double Covariance) Expected(double[] sigmas)
    {
        double s2 = GaussianData.S * GaussianData.S;
        double variance = sigmas[0] * sigmas[0], covariance = sigmas[0];
        for (int i = 0; i + 1 < sigmas.Length; i++)
        {
            var (down, up) = EulerAncestralSampler.AncestralStep(sigmas[i], sigmas[i + 1]);
            double c = s2 / (s2 + sigmas[i] * sigmas[i]);
            double a = 1 + (1 - c) * (down - sigmas[i]) / sigmas[i];
            variance = a * a * variance + up * up;
            covariance = a * covariance;
        }
        return (variance, covariance);
    }

    private static (double Mean, double Variance, double Covariance) Measure(int steps, bool karras, ulong seed)
    {
        using var noiseGenerator = new Generator(seed);
        using var z = torch.randn(new long[] { Elements }, ScalarType.Float64, generator: noiseGenerator);
        var sampler = Sampler.Create(new SamplerChoice(SamplerKind.EulerAncestral, karras));
        using var result = sampler.Sample(GaussianData.Denoiser(), z, steps, noiseGenerator);
        double[] x = result.data<double>(), zs = z.data<double>();
        double mean = x.Average();
        double variance = x.Sum(v => (v - mean) * (v - mean)) / (x.Length - 1);
        double covariance = x.Zip(zs, (a, b) => a * b).Sum() / x.Length;
        return (mean, variance, covariance);
    }

    [Theory]
    [InlineData(8, false)]
    [InlineData(20, true)]
    public void Result_variance_and_correlation_with_the_start_match_the_noise_recursion(int steps, bool karras)
    {
        var sigmas = karras ? Schedule.KarrasSigmas(steps) : Schedule.EvenSigmas(steps);
        var (variance, covariance) = Expected(sigmas);
        var measured = Measure(steps, karras, 11);
        double sd = Math.Sqrt(variance);
        // standard errors with 200,000 samples: mean sd/447, variance 0.3 %, covariance about 0.003·sd
        Assert.True(Math.Abs(measured.Mean) < 5 * sd / Math.Sqrt(Elements), $"mean {measured.Mean}");
        Assert.True(Math.Abs(measured.Variance / variance - 1) < 0.02, $"variance {measured.Variance} vs expected {variance}");
        Assert.True(Math.Abs(measured.Covariance - covariance) < 0.02 * sd, $"covariance with the start {measured.Covariance} vs expected {covariance}");
        // fresh noise makes the result far less tied to the start than a deterministic sampler (correlation 1)
        Assert.True(covariance / sd < 0.9, $"correlation {covariance / sd}");
    }

    [Fact]
    public void As_steps_grow_the_samples_approach_the_data_distribution()
    {
        // Euler ancestral is first order: its variance bias shrinks about in proportion to the step size
        double data = GaussianData.S * GaussianData.S;
        double[] bias = new[] { 50, 200, 1000 }.Select(n => Math.Abs(Measure(n, karras: false, seed: 5).Variance / data - 1)).ToArray();
        Assert.True(bias[0] > bias[1] && bias[1] > bias[2], $"variance bias {string.Join(", ", bias)}");
        Assert.True(bias[2] < 0.025, $"variance {data * (1 - bias[2])} after 1000 steps, data variance {data}");
        Assert.True(Math.Abs(Measure(1000, karras: true, seed: 6).Mean) < 0.01);
    }

    [Fact]
    public void The_same_noise_generator_seed_gives_the_same_samples()
    {
        var sampler = Sampler.Create(new SamplerChoice(SamplerKind.EulerAncestral));
        Tensor Run(ulong seed)
        {
            using var g = new Generator(seed);
            using var z = torch.randn(new long[] { 64 }, generator: g);
            return sampler.Sample(GaussianData.Denoiser(), z, 10, g);
        }
        using var a = Run(3);
        using var b = Run(3);
        using var c = Run(4);
        Assert.Equal(a.data<float>(), b.data<float>());
        Assert.NotEqual(a.data<float>(), c.data<float>());
    }

    [Fact]
    public void Step_counts_outside_1_to_1000_are_refused()
    {
        var sampler = Sampler.Create(new SamplerChoice(SamplerKind.EulerAncestral));
        using var z = torch.zeros(4);
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Sample(GaussianData.Denoiser(), z, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Sample(GaussianData.Denoiser(), z, 1001));
    }
}
