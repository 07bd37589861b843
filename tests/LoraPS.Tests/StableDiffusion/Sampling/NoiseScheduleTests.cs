using LoraPS.Models.StableDiffusion.Sampling;

namespace LoraPS.Tests.StableDiffusion.Sampling;

/// <summary>The SD training schedule against the values in sd-architecture-facts §6.</summary>
public sealed class NoiseScheduleTests
{
    private static readonly NoiseSchedule Schedule = NoiseSchedule.Default;

    [Fact]
    public void Betas_are_scaled_linear_from_0_00085_to_0_012_over_1000_steps()
    {
        Assert.Equal(1000, Schedule.TrainingSteps);
        Assert.Equal(0.00085, Schedule.Betas[0], 12);
        Assert.Equal(0.012, Schedule.Betas[999], 12);
        // √β is evenly spaced
        double step = Math.Sqrt(Schedule.Betas[1]) - Math.Sqrt(Schedule.Betas[0]);
        Assert.Equal(step, Math.Sqrt(Schedule.Betas[600]) - Math.Sqrt(Schedule.Betas[599]), 12);
    }

    [Fact]
    public void Cumulative_alphas_match_the_reference_values()
    {
        Assert.Equal(0.99915, Schedule.AlphasCumprod[0], 1e-12);
        Assert.Equal(0.277670, Schedule.AlphasCumprod[499], 5e-7);
        Assert.Equal(0.0046601, Schedule.AlphasCumprod[999], 5e-8);
        for (int t = 1; t < 1000; t++) Assert.True(Schedule.AlphasCumprod[t] < Schedule.AlphasCumprod[t - 1]);
    }

    [Fact]
    public void Sigmas_and_snr_match_the_reference_values()
    {
        Assert.Equal(0.029167, Schedule.SigmaMin, 5e-7);
        Assert.Equal(14.6146, Schedule.SigmaMax, 5e-5);
        Assert.Equal(Schedule.Sigmas[0], Schedule.SigmaMin);
        Assert.Equal(1175.5, Schedule.Snr(0), 0.05);
        Assert.Equal(0.004682, Schedule.Snr(999), 5e-7);
        Assert.Equal(1 / (Schedule.Sigmas[300] * Schedule.Sigmas[300]), Schedule.Snr(300), 9);
    }

    [Fact]
    public void Sigma_and_timestep_convert_both_ways_by_log_sigma_interpolation()
    {
        for (int t = 0; t < 1000; t += 37)
        {
            Assert.Equal(Schedule.Sigmas[t], Schedule.SigmaAt(t), 12);
            Assert.Equal(t, Schedule.TimestepOf(Schedule.Sigmas[t]), 9);
        }
        // half way between two timesteps is the geometric mean of their σ
        double mid = Schedule.SigmaAt(500.5);
        Assert.Equal(Math.Sqrt(Schedule.Sigmas[500] * Schedule.Sigmas[501]), mid, 12);
        Assert.Equal(500.5, Schedule.TimestepOf(mid), 9);
        Assert.Equal(123.25, Schedule.TimestepOf(Schedule.SigmaAt(123.25)), 9);
        // outside the table σ clamps to its ends
        Assert.Equal(0, Schedule.TimestepOf(0.001));
        Assert.Equal(999, Schedule.TimestepOf(100));
        Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.TimestepOf(double.NaN));
    }

    [Fact]
    public void Even_sigmas_run_from_sigma_max_down_to_sigma_min_then_zero()
    {
        double[] sigmas = Schedule.EvenSigmas(20);
        Assert.Equal(21, sigmas.Length);
        Assert.Equal(Schedule.SigmaMax, sigmas[0], 12);
        Assert.Equal(Schedule.SigmaMin, sigmas[19], 12);
        Assert.Equal(0, sigmas[20]);
        Assert.Equal(Schedule.SigmaAt(999.0 * 18 / 19), sigmas[1], 12);
        Assert.Equal(2, Schedule.EvenSigmas(1).Length);
        Assert.Equal(Schedule.SigmaMax, Schedule.EvenSigmas(1)[0], 12);
        Assert.Equal(0, Schedule.EvenSigmas(1)[1]);
    }

    [Fact]
    public void Karras_sigmas_follow_the_rho_7_formula()
    {
        const int n = 10;
        double[] sigmas = Schedule.KarrasSigmas(n);
        Assert.Equal(n + 1, sigmas.Length);
        double maxRoot = Math.Pow(14.6146, 1 / 7.0), minRoot = Math.Pow(0.029167, 1 / 7.0);
        for (int i = 0; i < n; i++)
        {
            double expected = Math.Pow(maxRoot + i / (double)(n - 1) * (minRoot - maxRoot), 7);
            Assert.Equal(expected, sigmas[i], 1e-4 * expected);
        }
        Assert.Equal(Schedule.SigmaMax, sigmas[0], 12);
        Assert.Equal(Schedule.SigmaMin, sigmas[n - 1], 12);
        Assert.Equal(0, sigmas[n]);
        // ρ = 7 packs the steps towards small σ: the last gap is far smaller than the first
        Assert.True(sigmas[0] - sigmas[1] > 50 * (sigmas[n - 2] - sigmas[n - 1]));
    }

    [Fact]
    public void Leading_timesteps_step_by_1000_div_n_with_offset_1()
    {
        Assert.Equal(new[] { 951, 901, 851, 801, 751, 701, 651, 601, 551, 501, 451, 401, 351, 301, 251, 201, 151, 101, 51, 1 }, Schedule.LeadingTimesteps(20));
        Assert.Equal(new[] { 1 }, Schedule.LeadingTimesteps(1));
        Assert.Equal(new[] { 667, 334, 1 }, Schedule.LeadingTimesteps(3));
        int[] all = Schedule.LeadingTimesteps(1000);
        Assert.Equal(999, all[0]);
        Assert.Equal(1, all[^1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.LeadingTimesteps(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.LeadingTimesteps(1001));
    }

    [Fact]
    public void Bad_schedules_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NoiseSchedule.ScaledLinear(0.012, 0.00085, 1000));
        Assert.Throws<ArgumentOutOfRangeException>(() => NoiseSchedule.ScaledLinear(0.00085, 0.012, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => NoiseSchedule.ScaledLinear(0, 0.012, 1000));
    }
}
