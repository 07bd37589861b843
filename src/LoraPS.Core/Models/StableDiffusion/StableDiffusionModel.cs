using LoraPS.Models.StableDiffusion.Loading;
using LoraPS.Models.StableDiffusion.TextEncoders;
using LoraPS.Models.StableDiffusion.UNet;
using LoraPS.Models.StableDiffusion.Vae;

namespace LoraPS.Models.StableDiffusion;

/// <summary>
/// A whole SD1.x / SD2.x model on the engine: text encoder, UNet and VAE, loaded together from a single-file checkpoint
/// (.safetensors, .ckpt) or a diffusers folder, optionally with a separate VAE. The parts are returned in eval mode with
/// their parameters requiring grad as built; freeze or train them as the caller needs. Dispose to free the weights.
/// </summary>
public sealed class StableDiffusionModel : IDisposable
{
    private bool disposed;

    internal StableDiffusionModel(string sourcePath, ClipTextEncoder textEncoder, UNet2DConditionModel unet, AutoencoderKL vae, StableDiffusionLoadReport report)
    {
        SourcePath = sourcePath;
        TextEncoder = textEncoder;
        UNet = unet;
        Vae = vae;
        Report = report;
    }

    /// <summary>
    /// Loads the model <paramref name="options"/> describe. The family and prediction type are taken from the options,
    /// else configs, else metadata and keys (see <see cref="StableDiffusionLoadReport"/> for which); every part's
    /// parameters are created empty in the requested dtype and device and filled straight from the (memory-mapped) file,
    /// one tensor at a time. Missing or mis-shaped weights in any part throw one <see cref="StableDiffusionLoadException"/>
    /// that names them all; unexpected keys are listed in <see cref="Report"/>. Corrupt files and configs throw an
    /// <see cref="LoraPS.Formats.InvalidFileException"/> naming the file and the field.
    /// </summary>
    public static StableDiffusionModel Load(StableDiffusionLoadOptions options, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
        => StableDiffusionLoader.Load(options, progress, cancellationToken);

    public ModelFamily Family => Report.Family;
    public PredictionType Prediction => Report.Prediction;
    public ClipTextEncoder TextEncoder { get; }
    public UNet2DConditionModel UNet { get; }
    public AutoencoderKL Vae { get; }
    public StableDiffusionLoadReport Report { get; }

    /// <summary>The full path of the checkpoint file or diffusers folder.</summary>
    public string SourcePath { get; }

    public override string ToString() => $"{Family} {Prediction} model from {SourcePath}";

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        TextEncoder.Dispose();
        UNet.Dispose();
        Vae.Dispose();
    }
}
