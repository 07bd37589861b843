using LoraPS.Models.StableDiffusion.Sampling;
using LoraPS.Torch;

namespace LoraPS.Tests.StableDiffusion.Sampling;

/// <summary>
/// Each deterministic sampler with the exact denoiser of Gaussian data (<see cref="GaussianData"/>) against the
/// exact solution of the probability-flow ODE: the error shrinks as the steps grow, at the rate of the
/// method's order, and DPM++ 2M beats Euler at equal steps.
/// </summary>
public sealed class SamplerConvergenceTests
{
    private static readonly NoiseSchedule Schedule = NoiseSchedule.Default;
    private static readonly int[] StepCounts = { 10, 20, 40, 80, 160 };
    private readonly Xunit.Abstractions.ITestOutputHelper output;

    public SamplerConvergenceTests(Xunit.Abstractions.ITestOutputHelper output) => this.output = output;

    private static Tensor Noise()
    {
        using var g = new Generator(7);
        return torch.randn(new long[] { 1, 4, 8, 8 }, ScalarType.Float64, generator: g);
    }

    /// <summary>
    /// What a k-diffusion sampler converges to: the ODE solved exactly from σ_max down to σ_min, then its
    /// final step to σ = 0, which every sampler takes as the denoised estimate D(x, σ_min).
    /// </summary>
    private static Tensor KDiffusionAnswer(Tensor noise)
    {
        double s2 = GaussianData.S * GaussianData.S, min = Schedule.SigmaMin, max = Schedule.SigmaMax;
        return noise * (max * GaussianData.Flow(max, min) * s2 / (s2 + min * min));
    }

    /// <summary>What DDIM converges to: x_T = noise at the first timestep t₀ (x = noise/√ᾱ_t₀ in x₀ + σε form), the ODE down to σ of timestep 0, back to x·√ᾱ₀.</summary>
    private static Tensor DdimAnswer(Tensor noise, int steps)
    {
        int first = Schedule.LeadingTimesteps(steps)[0];
        double start = Schedule.Sigmas[first];
        return noise * (Math.Sqrt(1 + start * start) * GaussianData.Flow(start, Schedule.SigmaMin) * Math.Sqrt(Schedule.AlphasCumprod[0]));
    }

    private double[] Errors(SamplerChoice choice)
    {
        var sampler = Sampler.Create(choice);
        using var noise = Noise();
        var errors = new double[StepCounts.Length];
        for (int k = 0; k < StepCounts.Length; k++)
        {
            int steps = StepCounts[k];
            using var result = sampler.Sample(GaussianData.Denoiser(), noise, steps);
            using var answer = choice.Kind == SamplerKind.Ddim ? DdimAnswer(noise, steps) : KDiffusionAnswer(noise);
            using var scale = answer.abs().max();
            errors[k] = GaussianData.MaxError(result, answer) / scale.item();
        }
        output.WriteLine($"{choice}: " + string.Join(", ", StepCounts.Zip(errors, (n, e) => $"{n}: {e:E2}")));
        return errors;
    }

    private static void AssertConverges(double[] errors, double orderRatio, double finalError)
    {
        for (int k = 1; k < errors.Length; k++)
            Assert.True(errors[k] < errors[k - 1], $"error did not shrink from {StepCounts[k - 1]} to {StepCounts[k]} steps: {errors[k - 1]:E3} → {errors[k]:E3}");
        // doubling the steps divides the error by about 2^order once the steps are small
        double ratio = errors[^2] / errors[^1];
        Assert.True(ratio > orderRatio, $"doubling the steps divided the error only by {ratio:F2} (expected more than {orderRatio})");
        Assert.True(errors[^1] < finalError, $"relative error {errors[^1]:E3} at {StepCounts[^1]} steps");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Euler_converges_at_first_order(bool karras)
    {
        var errors = Errors(new SamplerChoice(SamplerKind.Euler, karras));
        AssertConverges(errors, orderRatio: 1.6, finalError: 0.02);
        Assert.True(errors[^2] / errors[^1] < 2.6, "Euler is a first-order method; its error cannot fall faster than about 2× per doubling");
    }

    [Fact]
    public void Dpm_plus_plus_2m_karras_converges_at_second_order()
    {
        var errors = Errors(new SamplerChoice(SamplerKind.DpmPlusPlus2M, Karras: true));
        AssertConverges(errors, orderRatio: 3.5, finalError: 5e-4);
    }

    [Fact]
    public void Dpm_plus_plus_2m_on_even_timesteps_converges_faster_than_first_order()
    {
        // evenly spaced timesteps leave a large step in log σ just above σ_min however many steps there are,
        // which holds DPM++ 2M back from its full order there (the reason its Karras schedule is preferred)
        var errors = Errors(new SamplerChoice(SamplerKind.DpmPlusPlus2M));
        AssertConverges(errors, orderRatio: 2.5, finalError: 0.01);
    }

    [Fact]
    public void Ddim_converges_at_first_order()
    {
        var errors = Errors(new SamplerChoice(SamplerKind.Ddim));
        AssertConverges(errors, orderRatio: 1.6, finalError: 0.02);
    }

    [Fact]
    public void Dpm_plus_plus_2m_karras_is_far_more_accurate_than_euler_at_equal_steps()
    {
        var euler = Errors(new SamplerChoice(SamplerKind.Euler, Karras: true));
        var dpm = Errors(new SamplerChoice(SamplerKind.DpmPlusPlus2M, Karras: true));
        for (int k = 1; k < StepCounts.Length; k++)
            Assert.True(dpm[k] * 5 < euler[k], $"{StepCounts[k]} steps: DPM++ 2M Karras {dpm[k]:E3} vs Euler Karras {euler[k]:E3}");
        Assert.True(dpm[^1] * 30 < euler[^1], $"{StepCounts[^1]} steps: DPM++ 2M Karras {dpm[^1]:E3} vs Euler Karras {euler[^1]:E3}");
        // on even timesteps the lead is smaller but still there once the steps are not few
        var evenEuler = Errors(new SamplerChoice(SamplerKind.Euler));
        var evenDpm = Errors(new SamplerChoice(SamplerKind.DpmPlusPlus2M));
        for (int k = 2; k < StepCounts.Length; k++)
            Assert.True(evenDpm[k] < evenEuler[k], $"{StepCounts[k]} steps: DPM++ 2M {evenDpm[k]:E3} vs Euler {evenEuler[k]:E3}");
    }

    [Fact]
    public void Ddim_takes_the_same_path_as_euler_on_its_own_noise_levels()
    {
        // DDIM (η = 0) is Euler's method in x₀ + σε form; check it step for step on a 1-step run from t = 1 of 1000 steps' schedule
        var ddim = (DdimSampler)Sampler.Create(new SamplerChoice(SamplerKind.Ddim));
        double[] levels = ddim.NoiseLevels(10);
        Assert.Equal(11, levels.Length);
        Assert.Equal(Schedule.Sigmas[901], levels[0], 12);
        Assert.Equal(Schedule.Sigmas[1], levels[9], 12);
        Assert.Equal(Schedule.SigmaMin, levels[10], 12);

        using var noise = Noise();
        using var result = ddim.Sample(GaussianData.Denoiser(), noise, 10);
        // the same steps by hand, in x₀ + σε form
        double x = Math.Sqrt(1 + levels[0] * levels[0]);
        double s2 = GaussianData.S * GaussianData.S;
        for (int i = 0; i < 10; i++)
        {
            double d = x * s2 / (s2 + levels[i] * levels[i]);
            x += (x - d) / levels[i] * (levels[i + 1] - levels[i]);
        }
        using var expected = noise * (x * Math.Sqrt(Schedule.AlphasCumprod[0]));
        Assert.True(GaussianData.MaxError(result, expected) < 1e-12);
    }

    [Fact]
    public void The_model_is_called_at_the_timesteps_of_its_noise_levels()
    {
        var seen = new List<(double Sigma, double Timestep)>();
        Denoiser record = (x, sigma, t) => { seen.Add((sigma, t)); return x * 0.5; };
        using var noise = Noise();
        using (Sampler.Create(new SamplerChoice(SamplerKind.Euler, Karras: true)).Sample(record, noise, 6)) { }
        double[] karras = Schedule.KarrasSigmas(6);
        Assert.Equal(karras.Take(6), seen.Select(s => s.Sigma));
        Assert.Equal(999, seen[0].Timestep, 9);
        Assert.Equal(0, seen[^1].Timestep, 9);
        Assert.All(seen, s => Assert.Equal(Schedule.TimestepOf(s.Sigma), s.Timestep));

        seen.Clear();
        using (Sampler.Create(new SamplerChoice(SamplerKind.Ddim)).Sample(record, noise, 4)) { }
        Assert.Equal(new double[] { 751, 501, 251, 1 }, seen.Select(s => s.Timestep));
        Assert.Equal(new[] { Schedule.Sigmas[751], Schedule.Sigmas[501], Schedule.Sigmas[251], Schedule.Sigmas[1] }, seen.Select(s => s.Sigma));
    }
}
