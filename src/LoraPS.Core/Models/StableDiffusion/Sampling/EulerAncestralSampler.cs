using LoraPS.Torch;

namespace LoraPS.Models.StableDiffusion.Sampling;

/// <summary>
/// Euler ancestral (η = 1): each step splits the next noise level into a deterministic part σ_down and
/// fresh noise σ_up (σ_down² + σ_up² = σ_next²), takes an Euler step down to σ_down and adds σ_up·N(0, 1).
/// The result depends on the noise drawn at every step, not only on the starting noise.
/// </summary>
public sealed class EulerAncestralSampler : Sampler
{
    internal EulerAncestralSampler(SamplerChoice choice, NoiseSchedule schedule) : base(choice, schedule) { }

    public override double[] NoiseLevels(int steps) => Choice.Karras ? Schedule.KarrasSigmas(steps) : Schedule.EvenSigmas(steps);

    /// <summary>
    /// σ_up = min(σ_next, √(σ_next²·(σ² − σ_next²)/σ²)) and σ_down = √(σ_next² − σ_up²) for a step from
    /// <paramref name="sigma"/> to <paramref name="next"/>.
    /// </summary>
    public static (double Down, double Up) AncestralStep(double sigma, double next)
    {
        if (!(sigma > 0) || next < 0 || next > sigma)
            throw new ArgumentOutOfRangeException(nameof(next), $"an ancestral step goes from σ > 0 down to 0 ≤ σ_next ≤ σ; got {sigma} → {next}");
        double up = Math.Min(next, Math.Sqrt(next * next * (sigma * sigma - next * next) / (sigma * sigma)));
        double down = Math.Sqrt(Math.Max(0, next * next - up * up));
        return (down, up);
    }

    private protected override Tensor Sample(Run run, Tensor noise, int steps)
    {
        double[] sigmas = NoiseLevels(steps);
        Tensor x = noise * sigmas[0];
        for (int i = 0; i < steps; i++)
        {
            double sigma = sigmas[i];
            var (down, up) = AncestralStep(sigma, sigmas[i + 1]);
            Tensor current = x;
            x = run.Step(() =>
            {
                var denoised = run.Denoiser(current, sigma, Schedule.TimestepOf(sigma));
                var slope = (current - denoised) / sigma;
                var stepped = current + slope * (down - sigma);
                if (up == 0) return new[] { stepped };
                var fresh = run.Noise(current);
                return new[] { stepped + fresh * up };
            })[0];
            current.Dispose();
        }
        return x;
    }
}
