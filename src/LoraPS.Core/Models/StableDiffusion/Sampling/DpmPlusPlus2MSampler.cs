using LoraPS.Torch;

namespace LoraPS.Models.StableDiffusion.Sampling;

/// <summary>
/// DPM-Solver++(2M): an exponential integrator in λ = −ln σ that reuses the previous step's denoised
/// estimate for a second-order correction. With h = λ_next − λ: the first step (and a final step to
/// σ = 0) is first order, x ← (σ_next/σ)·x + (1 − σ_next/σ)·D; later steps use, with r = h_prev/h,
/// D' = (1 + 1/(2r))·D − (1/(2r))·D_prev in place of D.
/// </summary>
public sealed class DpmPlusPlus2MSampler : Sampler
{
    internal DpmPlusPlus2MSampler(SamplerChoice choice, NoiseSchedule schedule) : base(choice, schedule) { }

    public override double[] NoiseLevels(int steps) => Choice.Karras ? Schedule.KarrasSigmas(steps) : Schedule.EvenSigmas(steps);

    private protected override Tensor Sample(Run run, Tensor noise, int steps)
    {
        double[] sigmas = NoiseLevels(steps);
        Tensor x = noise * sigmas[0];
        Tensor? previous = null; // the denoised estimate of the step before
        for (int i = 0; i < steps; i++)
        {
            double sigma = sigmas[i], next = sigmas[i + 1];
            Tensor current = x;
            Tensor? before = previous;
            var kept = run.Step(() =>
            {
                var denoised = run.Denoiser(current, sigma, Schedule.TimestepOf(sigma));
                if (next == 0) return new[] { denoised };
                double ratio = next / sigma; // e^{−h}
                Tensor target = denoised;
                if (before is not null)
                {
                    double h = Math.Log(sigma) - Math.Log(next);
                    double hPrevious = Math.Log(sigmas[i - 1]) - Math.Log(sigma);
                    double r = hPrevious / h;
                    target = denoised * (1 + 1 / (2 * r)) - before * (1 / (2 * r));
                }
                return new[] { current * ratio + target * (1 - ratio), denoised };
            });
            current.Dispose();
            before?.Dispose();
            x = kept[0];
            previous = kept.Length > 1 ? kept[1] : null;
        }
        previous?.Dispose();
        return x;
    }
}
