using LoraPS.Torch;

namespace LoraPS.Models.StableDiffusion.Sampling;

/// <summary>
/// DDIM with η = 0 on the training timesteps (leading spacing, offset 1, as SD's DDIM and sd-scripts
/// use it), in the "variance preserving" form: starting from x_T = N(0, 1), each step estimates x̂₀ and
/// ε̂ at timestep t and moves to x_prev = √ᾱ_prev·x̂₀ + √(1 − ᾱ_prev)·ε̂, where ᾱ_prev belongs to the next
/// timestep, and to timestep 0 for the last step (SD's <c>set_alpha_to_one = False</c>). The result is
/// that last x_prev, as the reference returns it.
/// </summary>
public sealed class DdimSampler : Sampler
{
    internal DdimSampler(SamplerChoice choice, NoiseSchedule schedule) : base(choice, schedule) { }

    /// <summary>The training timesteps visited, in descending order.</summary>
    public int[] Timesteps(int steps) => Schedule.LeadingTimesteps(steps);

    public override double[] NoiseLevels(int steps) =>
        Timesteps(steps).Select(t => Schedule.Sigmas[t]).Append(Schedule.Sigmas[0]).ToArray();

    private protected override Tensor Sample(Run run, Tensor noise, int steps)
    {
        int[] timesteps = Timesteps(steps);
        var alphas = Schedule.AlphasCumprod;
        Tensor x = noise.clone();
        for (int i = 0; i < steps; i++)
        {
            int t = timesteps[i];
            double alpha = alphas[t];
            double alphaPrevious = i + 1 < steps ? alphas[timesteps[i + 1]] : alphas[0];
            double sigma = Schedule.Sigmas[t];
            Tensor current = x;
            x = run.Step(() =>
            {
                var noisy = current * (1 / Math.Sqrt(alpha));           // the same point in x₀ + σ·ε form
                var denoised = run.Denoiser(noisy, sigma, t);
                var epsilon = (noisy - denoised) / sigma;
                return new[] { denoised * Math.Sqrt(alphaPrevious) + epsilon * Math.Sqrt(1 - alphaPrevious) };
            })[0];
            current.Dispose();
        }
        return x;
    }
}
