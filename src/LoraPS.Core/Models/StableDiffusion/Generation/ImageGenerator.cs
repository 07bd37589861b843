using LoraPS.Formats.Images;
using LoraPS.Models.StableDiffusion.Sampling;
using LoraPS.Models.StableDiffusion.TextEncoders;
using LoraPS.Models.StableDiffusion.UNet;
using LoraPS.Models.StableDiffusion.Vae;
using LoraPS.Models.Text;
using LoraPS.Torch;
using LoraPS.Torch.Modules;

namespace LoraPS.Models.StableDiffusion.Generation;

/// <summary>
/// Text to image with an SD 1.x/2.x model's parts: the prompt and the negative prompt are encoded
/// (A1111 emphasis syntax, long prompts in 75-token chunks, both padded to the larger chunk count), the
/// initial noise is drawn from the request's seed on the CPU, the sampler denoises it with
/// classifier-free guidance (uncond and cond batched through the UNet; out = uncond + s·(cond − uncond)
/// on the raw ε or v output) and the VAE decodes the latents. Each part stays on the device and in the
/// dtype it was loaded in; sampling math is float32. Runs without autograd; memory stays flat over steps.
/// </summary>
public sealed class ImageGenerator
{
    private readonly ClipTokenizer tokenizer;
    private readonly ClipTextEncoder textEncoder;
    private readonly UNet2DConditionModel unet;
    private readonly AutoencoderKL vae;

    public ImageGenerator(ClipTokenizer tokenizer, ClipTextEncoder textEncoder, UNet2DConditionModel unet, AutoencoderKL vae,
        LoraPS.Models.PredictionType prediction)
    {
        this.tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        this.textEncoder = textEncoder ?? throw new ArgumentNullException(nameof(textEncoder));
        this.unet = unet ?? throw new ArgumentNullException(nameof(unet));
        this.vae = vae ?? throw new ArgumentNullException(nameof(vae));
        if (prediction is not (LoraPS.Models.PredictionType.Epsilon or LoraPS.Models.PredictionType.V))
            throw new ArgumentException($"the prediction type must be Epsilon or V, not {prediction}", nameof(prediction));
        if (unet.Config.ContextDim != textEncoder.Config.Width)
            throw new ArgumentException($"the UNet takes {unet.Config.ContextDim}-wide text states but the text encoder gives {textEncoder.Config.Width}", nameof(textEncoder));
        if (unet.Config.InChannels != vae.Config.ZChannels || unet.Config.OutChannels != vae.Config.ZChannels)
            throw new ArgumentException($"the UNet works on {unet.Config.InChannels} latent channels but the VAE has {vae.Config.ZChannels}", nameof(vae));
        Prediction = prediction;
    }

    public LoraPS.Models.PredictionType Prediction { get; }

    /// <summary>The training noise schedule the samplers step on (SD's by default).</summary>
    public NoiseSchedule Schedule { get; init; } = NoiseSchedule.Default;

    /// <summary>Pixels per latent along each side (the VAE's downscale factor, 8 for SD).</summary>
    public int LatentFactor => vae.Config.DownscaleFactor;

    /// <summary>The image size a request really gets: floored to multiples of 8 (at least 64), as sd-scripts does.</summary>
    public static (int Width, int Height) ImageSize(GenerationRequest request) =>
        (GenerationRequest.FloorSize(request.Width), GenerationRequest.FloorSize(request.Height));

    /// <summary>Generates the picture for <paramref name="request"/>; reports finished sampling steps.</summary>
    public RgbaImage Generate(GenerationRequest request, IProgress<int>? stepsDone = null, CancellationToken cancellationToken = default)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var latents = GenerateLatents(request, stepsDone, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        var (device, dtype) = Placement(vae);
        var decoded = vae.DecodeLatents(latents.to(device, dtype));
        return ImageTensors.ToImage(decoded);
    }

    /// <summary>
    /// The sampled latents (1, 4, H/8, W/8), float32 on the UNet's device, scaled as the UNet sees them
    /// (before <see cref="AutoencoderKL.DecodeLatents"/>).
    /// </summary>
    public Tensor GenerateLatents(GenerationRequest request, IProgress<int>? stepsDone = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        var (width, height) = ImageSize(request);
        int f = LatentFactor;
        if (width % f != 0 || height % f != 0)
            throw new ArgumentException($"{width}×{height} pixels do not make whole latents: use multiples of {f} pixels", nameof(request));
        var sampler = Sampler.Create(request.Sampler, Schedule);
        cancellationToken.ThrowIfCancellationRequested();

        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var (device, dtype) = Placement(unet);
        bool guided = request.CfgScale != 1.0;
        var (uncond, cond) = EncodePrompts(request, guided, device, dtype);
        var context = uncond is null ? cond : torch.cat(new[] { uncond, cond }, 0);

        Tensor Denoise(Tensor x, double sigma, double timestep)
        {
            using var step = torch.NewDisposeScope();
            var input = (x * (1 / Math.Sqrt(sigma * sigma + 1))).to(dtype);
            if (uncond is not null) input = torch.cat(new[] { input, input }, 0);
            var t = torch.tensor(new[] { (float)timestep }, 1).to(device);
            var output = unet.forward(input, t, context).to(ScalarType.Float32);
            if (uncond is not null)
            {
                var halves = output.chunk(2, 0);
                output = halves[0] + (halves[1] - halves[0]) * request.CfgScale;
            }
            var denoised = Prediction == LoraPS.Models.PredictionType.V
                ? x * (1 / (sigma * sigma + 1)) - output * (sigma / Math.Sqrt(sigma * sigma + 1))
                : x - output * sigma;
            return denoised.MoveToOuterDisposeScope();
        }

        var generator = new Generator(unchecked((ulong)request.Seed), Device.CPU);
        try
        {
            var shape = new long[] { 1, unet.Config.InChannels, height / f, width / f };
            var noise = torch.randn(shape, ScalarType.Float32, Device.CPU, generator).to(device);
            var latents = sampler.Sample(Denoise, noise, request.Steps, generator, stepsDone, cancellationToken);
            return latents.MoveToOuterDisposeScope();
        }
        finally
        {
            generator.Dispose();
        }
    }

    /// <summary>
    /// Text states for the prompt and (when guided) the negative prompt, on the UNet's device and dtype. Both are
    /// laid out in the larger of their chunk counts, as AUTOMATIC1111 does, so they batch together.
    /// </summary>
    private (Tensor? Uncond, Tensor Cond) EncodePrompts(GenerationRequest request, bool guided, Device device, ScalarType dtype)
    {
        var prompts = guided ? new[] { request.NegativePrompt, request.Prompt } : new[] { request.Prompt };
        var (encoderDevice, _) = Placement(textEncoder);
        // The request counts from the family's own layer (A1111's and sd-scripts' clip skip); Encode counts from the last
        // stored layer, which for SD2 is one further in a single file (24 layers) than in a diffusers folder (23).
        int clipSkip = (request.ClipSkip ?? 1) + textEncoder.Config.DefaultClipSkip - 1;
        if (clipSkip > textEncoder.Config.Layers)
            throw new ArgumentException($"ClipSkip {request.ClipSkip} goes past the text encoder's first layer", nameof(request));
        var states = textEncoder.EncodePrompts(tokenizer, prompts, chunkCount: null, clipSkip, parseWeights: true,
            TokenWeighting.MultiplyKeepMean, encoderDevice).to(device, dtype);
        if (!guided) return (null, states);
        var halves = states.chunk(2, 0);
        return (halves[0], halves[1]);
    }

    private static (Device Device, ScalarType Dtype) Placement(Module module)
    {
        var first = module.parameters().FirstOrDefault() ?? throw new InvalidOperationException($"{module.GetType().Name} has no parameters");
        return (first.device, first.dtype);
    }
}
