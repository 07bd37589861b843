using LoraPS.Torch;

namespace LoraPS.Models.StableDiffusion.Sampling;

/// <summary>
/// A sampling algorithm: from unit Gaussian noise and a <see cref="Denoiser"/> to clean latents in a
/// given number of steps. Each step runs in its own dispose scope, so memory stays flat however many
/// steps there are; cancellation is checked before every step.
/// </summary>
public abstract class Sampler
{
    protected Sampler(SamplerChoice choice, NoiseSchedule schedule)
    {
        Choice = choice ?? throw new ArgumentNullException(nameof(choice));
        Schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
    }

    public SamplerChoice Choice { get; }
    public NoiseSchedule Schedule { get; }

    /// <summary>The sampler for <paramref name="choice"/> on <paramref name="schedule"/> (SD's by default).</summary>
    public static Sampler Create(SamplerChoice choice, NoiseSchedule? schedule = null)
    {
        ArgumentNullException.ThrowIfNull(choice);
        schedule ??= NoiseSchedule.Default;
        if (choice.Karras && choice.Kind == SamplerKind.Ddim)
            throw new ArgumentException("DDIM has no Karras variant", nameof(choice));
        return choice.Kind switch
        {
            SamplerKind.Euler => new EulerSampler(choice, schedule),
            SamplerKind.EulerAncestral => new EulerAncestralSampler(choice, schedule),
            SamplerKind.DpmPlusPlus2M => new DpmPlusPlus2MSampler(choice, schedule),
            SamplerKind.Ddim => new DdimSampler(choice, schedule),
            _ => throw new ArgumentOutOfRangeException(nameof(choice), choice.Kind, "unknown sampler kind"),
        };
    }

    /// <summary>
    /// The noise levels visited, σ_0 &gt; σ_1 &gt; … &gt; σ_steps: the model is called at the first
    /// <paramref name="steps"/>; the last is where sampling ends (0, or σ of timestep 0 for DDIM).
    /// </summary>
    public abstract double[] NoiseLevels(int steps);

    /// <summary>
    /// Samples latents from <paramref name="noise"/> (unit Gaussian, the shape of the latents) in
    /// <paramref name="steps"/> steps. Ancestral samplers draw their fresh noise from
    /// <paramref name="noiseGenerator"/> on the CPU (the global generator when null) and move it to the
    /// latents' device, so a seed gives the same draws on every device. Reports the number of finished
    /// steps after each step. Returns new float latents on <paramref name="noise"/>'s device.
    /// </summary>
    public Tensor Sample(Denoiser denoiser, Tensor noise, int steps, Generator? noiseGenerator = null,
        IProgress<int>? stepsDone = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(denoiser);
        ArgumentNullException.ThrowIfNull(noise);
        if (steps < 1 || steps > Schedule.TrainingSteps)
            throw new ArgumentOutOfRangeException(nameof(steps), steps, $"sampling steps must be between 1 and {Schedule.TrainingSteps}");
        if (noiseGenerator is not null && noiseGenerator.Device.type != DeviceType.CPU)
            throw new ArgumentException("the noise generator must be a CPU generator (noise is drawn on the CPU, then moved)", nameof(noiseGenerator));
        using (torch.no_grad())
        using (var scope = torch.NewDisposeScope())
        {
            var run = new Run(denoiser, noiseGenerator, stepsDone, cancellationToken);
            return Sample(run, noise, steps).MoveToOuterDisposeScope();
        }
    }

    /// <summary>The sampler's loop; <see cref="Run.Step"/> wraps each step.</summary>
    private protected abstract Tensor Sample(Run run, Tensor noise, int steps);

    /// <summary>What one call of <see cref="Sample(Denoiser, Tensor, int, Generator?, IProgress{int}?, CancellationToken)"/> carries through its loop.</summary>
    private protected sealed class Run
    {
        private readonly IProgress<int>? stepsDone;
        private readonly CancellationToken cancellation;
        private int done;

        public Run(Denoiser denoiser, Generator? generator, IProgress<int>? stepsDone, CancellationToken cancellation)
        {
            Denoiser = denoiser;
            Generator = generator;
            this.stepsDone = stepsDone;
            this.cancellation = cancellation;
        }

        public Denoiser Denoiser { get; }
        public Generator? Generator { get; }

        /// <summary>
        /// Runs one step in its own dispose scope and keeps only what it returns (moved to the caller's
        /// scope); checks cancellation before and reports progress after.
        /// </summary>
        public Tensor[] Step(Func<Tensor[]> body)
        {
            cancellation.ThrowIfCancellationRequested();
            Tensor[] kept;
            using (torch.NewDisposeScope())
            {
                kept = body();
                foreach (var t in kept) t.MoveToOuterDisposeScope();
            }
            stepsDone?.Report(++done);
            return kept;
        }

        /// <summary>Unit Gaussian noise shaped like <paramref name="like"/>, drawn on the CPU then moved to its device.</summary>
        public Tensor Noise(Tensor like)
        {
            using var drawn = torch.randn(like.shape, ScalarType.Float32, Device.CPU, Generator);
            return drawn.to(like.device, like.dtype, copy: true);
        }
    }
}
