using LoraPS.Models.StableDiffusion.Sampling;
using LoraPS.Torch;

namespace LoraPS.Tests.StableDiffusion.Sampling;

/// <summary>
/// Data drawn from N(0, s²) per element, whose ideal denoiser is known exactly: D(x, σ) = x·s²/(s² + σ²).
/// Its probability-flow ODE dx/dσ = (x − D)/σ = x·σ/(s² + σ²) has the solution
/// x(σ) = x(σ₀)·√((s² + σ²)/(s² + σ₀²)), so every deterministic sampler has an exact answer to converge to.
/// </summary>
internal static class GaussianData
{
    public const double S = 0.8;

    public static Denoiser Denoiser(double s = S) => (x, sigma, _) => x * (s * s / (s * s + sigma * sigma));

    /// <summary>The ODE's factor from σ₀ to σ.</summary>
    public static double Flow(double from, double to, double s = S) => Math.Sqrt((s * s + to * to) / (s * s + from * from));

    /// <summary>The largest |a − b| over all elements.</summary>
    public static double MaxError(Tensor a, Tensor b)
    {
        using var difference = a - b;
        using var magnitude = difference.abs();
        using var max = magnitude.max();
        return max.item();
    }
}
