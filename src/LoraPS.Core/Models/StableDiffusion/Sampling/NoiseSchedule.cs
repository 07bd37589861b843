namespace LoraPS.Models.StableDiffusion.Sampling;

/// <summary>
/// The discrete diffusion schedule every SD 1.x/2.x model was trained with: "scaled linear" betas
/// (√β evenly spaced from √0.00085 to √0.012 over T = 1000 steps), ᾱ_t = ∏(1 − β_i) and the
/// equivalent noise levels σ_t = √((1 − ᾱ_t)/ᾱ_t) of the "variance exploding" view x = x₀ + σ·ε that
/// the k-diffusion samplers use. Fractional timesteps map to σ and back by linear interpolation of
/// log σ (k-diffusion and AUTOMATIC1111 do the same). Values are computed in double precision.
/// </summary>
public sealed class NoiseSchedule
{
    private readonly double[] betas, alphasCumprod, sigmas, logSigmas;

    /// <summary>SD's training schedule: scaled linear 0.00085 → 0.012, 1000 steps.</summary>
    public static NoiseSchedule Default { get; } = ScaledLinear(0.00085, 0.012, 1000);

    private NoiseSchedule(double[] betas)
    {
        this.betas = betas;
        int n = betas.Length;
        alphasCumprod = new double[n];
        sigmas = new double[n];
        logSigmas = new double[n];
        double product = 1;
        for (int t = 0; t < n; t++)
        {
            product *= 1 - betas[t];
            alphasCumprod[t] = product;
            sigmas[t] = Math.Sqrt((1 - product) / product);
            logSigmas[t] = Math.Log(sigmas[t]);
        }
    }

    /// <summary>β_i = (√start + (√end − √start)·i/(T − 1))², i = 0 … T − 1.</summary>
    public static NoiseSchedule ScaledLinear(double betaStart, double betaEnd, int trainingSteps)
    {
        if (trainingSteps < 2) throw new ArgumentOutOfRangeException(nameof(trainingSteps), trainingSteps, "a schedule needs at least 2 steps");
        if (!(betaStart > 0) || !(betaEnd > betaStart) || !(betaEnd < 1))
            throw new ArgumentOutOfRangeException(nameof(betaEnd), $"betas must satisfy 0 < start < end < 1; got {betaStart} → {betaEnd}");
        double a = Math.Sqrt(betaStart), b = Math.Sqrt(betaEnd);
        var betas = new double[trainingSteps];
        for (int i = 0; i < trainingSteps; i++)
        {
            double root = a + (b - a) * i / (trainingSteps - 1);
            betas[i] = root * root;
        }
        return new NoiseSchedule(betas);
    }

    /// <summary>T, the number of training timesteps (1000).</summary>
    public int TrainingSteps => betas.Length;

    public IReadOnlyList<double> Betas => betas;

    /// <summary>ᾱ_t, t = 0 … T − 1.</summary>
    public IReadOnlyList<double> AlphasCumprod => alphasCumprod;

    /// <summary>σ_t = √((1 − ᾱ_t)/ᾱ_t), increasing with t.</summary>
    public IReadOnlyList<double> Sigmas => sigmas;

    /// <summary>σ_0, the smallest noise level of the table (≈ 0.0292 for SD).</summary>
    public double SigmaMin => sigmas[0];

    /// <summary>σ_{T−1}, the largest noise level of the table (≈ 14.6146 for SD).</summary>
    public double SigmaMax => sigmas[^1];

    /// <summary>Signal-to-noise ratio ᾱ_t/(1 − ᾱ_t) = 1/σ_t².</summary>
    public double Snr(int timestep) => alphasCumprod[timestep] / (1 - alphasCumprod[timestep]);

    /// <summary>σ at a fractional timestep (clamped to 0 … T − 1): log σ interpolated linearly between the two neighbours.</summary>
    public double SigmaAt(double timestep)
    {
        if (double.IsNaN(timestep)) throw new ArgumentOutOfRangeException(nameof(timestep), "timestep is NaN");
        double t = Math.Clamp(timestep, 0, TrainingSteps - 1);
        int low = (int)Math.Floor(t);
        int high = Math.Min(low + 1, TrainingSteps - 1);
        double w = t - low;
        return Math.Exp((1 - w) * logSigmas[low] + w * logSigmas[high]);
    }

    /// <summary>
    /// The fractional timestep whose σ is <paramref name="sigma"/> (the inverse of <see cref="SigmaAt"/>): log σ
    /// located between two neighbours of the table and interpolated; σ outside the table clamps to 0 or T − 1.
    /// </summary>
    public double TimestepOf(double sigma)
    {
        if (double.IsNaN(sigma) || sigma < 0) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "sigma must be a non-negative number");
        if (sigma <= sigmas[0]) return 0;
        if (sigma >= sigmas[^1]) return TrainingSteps - 1;
        double log = Math.Log(sigma);
        // the last index whose log σ is ≤ log; σ grows with t, so a binary search finds it
        int index = Array.BinarySearch(logSigmas, log);
        int low = index >= 0 ? Math.Min(index, TrainingSteps - 2) : ~index - 1;
        int high = low + 1;
        double w = (logSigmas[low] - log) / (logSigmas[low] - logSigmas[high]);
        return low + Math.Clamp(w, 0, 1);
    }

    /// <summary>
    /// The noise levels of a k-diffusion sampler in <paramref name="steps"/> steps (AUTOMATIC1111's default
    /// schedule): timesteps evenly spaced from T − 1 down to 0, their σ, then a final 0. Length steps + 1.
    /// </summary>
    public double[] EvenSigmas(int steps)
    {
        CheckSteps(steps);
        var result = new double[steps + 1];
        for (int i = 0; i < steps; i++)
        {
            double t = steps == 1 ? TrainingSteps - 1 : (TrainingSteps - 1) * (1 - (double)i / (steps - 1));
            result[i] = SigmaAt(t);
        }
        return result;
    }

    /// <summary>
    /// Karras et al.'s noise levels (ρ = 7): σ_i = (σ_max^{1/ρ} + i/(N − 1)·(σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ for
    /// i = 0 … N − 1 with σ_min/σ_max the ends of the table, then a final 0. Length steps + 1.
    /// </summary>
    public double[] KarrasSigmas(int steps, double rho = 7.0)
    {
        CheckSteps(steps);
        if (!(rho > 0)) throw new ArgumentOutOfRangeException(nameof(rho), rho, "rho must be positive");
        double maxRoot = Math.Pow(SigmaMax, 1 / rho), minRoot = Math.Pow(SigmaMin, 1 / rho);
        var result = new double[steps + 1];
        for (int i = 0; i < steps; i++)
        {
            double ramp = steps == 1 ? 0 : (double)i / (steps - 1);
            result[i] = Math.Pow(maxRoot + ramp * (minRoot - maxRoot), rho);
        }
        return result;
    }

    /// <summary>
    /// "Leading" timestep spacing with offset 1 (SD's DDIM): ratio = T div N, t_k = k·ratio + 1 for
    /// k = N − 1 … 0, in descending order (capped at T − 1, which only 1000 steps reach).
    /// </summary>
    public int[] LeadingTimesteps(int steps)
    {
        CheckSteps(steps);
        int ratio = TrainingSteps / steps;
        var result = new int[steps];
        for (int i = 0; i < steps; i++)
            result[i] = Math.Min((steps - 1 - i) * ratio + 1, TrainingSteps - 1);
        return result;
    }

    private void CheckSteps(int steps)
    {
        if (steps < 1 || steps > TrainingSteps)
            throw new ArgumentOutOfRangeException(nameof(steps), steps, $"sampling steps must be between 1 and {TrainingSteps}");
    }
}
