using LoraPS.Torch;

namespace LoraPS.Models.StableDiffusion.Sampling;

/// <summary>
/// Euler's method on the probability-flow ODE in σ: d = (x − D(x, σ))/σ, x ← x + d·(σ_next − σ).
/// Deterministic; first order, so its error shrinks about in proportion to the step size.
/// </summary>
public sealed class EulerSampler : Sampler
{
    internal EulerSampler(SamplerChoice choice, NoiseSchedule schedule) : base(choice, schedule) { }

    public override double[] NoiseLevels(int steps) => Choice.Karras ? Schedule.KarrasSigmas(steps) : Schedule.EvenSigmas(steps);

    private protected override Tensor Sample(Run run, Tensor noise, int steps)
    {
        double[] sigmas = NoiseLevels(steps);
        Tensor x = noise * sigmas[0];
        for (int i = 0; i < steps; i++)
        {
            double sigma = sigmas[i], next = sigmas[i + 1];
            Tensor current = x;
            x = run.Step(() =>
            {
                var denoised = run.Denoiser(current, sigma, Schedule.TimestepOf(sigma));
                var slope = (current - denoised) / sigma;
                return new[] { current + slope * (next - sigma) };
            })[0];
            current.Dispose();
        }
        return x;
    }
}
