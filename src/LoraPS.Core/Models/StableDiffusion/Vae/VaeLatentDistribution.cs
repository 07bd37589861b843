using LoraPS.Torch;

namespace LoraPS.Models.StableDiffusion.Vae;

/// <summary>
/// The encoder's diagonal Gaussian over latents: <see cref="Mean"/> and <see cref="LogVar"/> (clamped to
/// [−30, 20] as the reference does). Owns both tensors.
/// </summary>
public sealed class VaeLatentDistribution : IDisposable
{
    public Tensor Mean { get; }
    public Tensor LogVar { get; }

    public VaeLatentDistribution(Tensor mean, Tensor logVar)
    {
        Mean = mean;
        LogVar = logVar;
    }

    /// <summary>Splits quant_conv's moments (B, 2z, h, w) on channels: first half mean, second half log-variance.</summary>
    public static VaeLatentDistribution FromMoments(Tensor moments)
    {
        long z = moments.shape[1] / 2;
        using var mean = moments.narrow(1, 0, z);
        using var logVar = moments.narrow(1, z, z);
        return new VaeLatentDistribution(mean.contiguous(), logVar.clamp(-30.0, 20.0));
    }

    /// <summary>mean + exp(½·logvar)·ε with ε ~ N(0, 1) drawn from <paramref name="generator"/> (reproducible with a seeded generator).</summary>
    public Tensor Sample(Generator? generator = null)
    {
        using var half = LogVar.mul(0.5);
        using var std = half.exp();
        using var noise = torch.randn(Mean.shape, Mean.dtype, Mean.device, generator);
        using var scaled = std * noise;
        return Mean + scaled;
    }

    /// <summary>The most likely latent: the mean (a new handle).</summary>
    public Tensor Mode() => Mean.alias();

    public void Dispose()
    {
        Mean.Dispose();
        LogVar.Dispose();
    }
}
