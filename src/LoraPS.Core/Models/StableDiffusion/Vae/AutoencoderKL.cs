using LoraPS.Formats;
using LoraPS.Torch;
using LoraPS.Torch.Modules;

namespace LoraPS.Models.StableDiffusion.Vae;

#pragma warning disable IDE1006 // field names are the state-dict names (ldm's AutoencoderKL)

/// <summary>
/// Stable Diffusion's VAE with ldm's parameter names (<c>encoder.down.N.block.M…</c>, <c>quant_conv</c>,
/// <c>post_quant_conv</c>, <c>decoder.up.N…</c>). Images are (B, 3, H, W) in [−1, 1]; latents (B, z, H/8, W/8).
/// </summary>
public sealed class AutoencoderKL : Module
{
    public VaeConfig Config { get; }
    public VaeEncoder encoder { get; }
    public VaeDecoder decoder { get; }
    public Conv2d quant_conv { get; }
    public Conv2d post_quant_conv { get; }

    /// <summary>Shape of the largest input the encoder or decoder saw since <see cref="ResetLargestInput"/> (tiling bounds it).</summary>
    public long[]? LargestInput { get; private set; }

    public AutoencoderKL(VaeConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(AutoencoderKL))
    {
        config.Validate();
        Config = config;
        encoder = register_module("encoder", new VaeEncoder(config, dtype, device));
        decoder = register_module("decoder", new VaeDecoder(config, dtype, device));
        quant_conv = register_module("quant_conv", new Conv2d(2 * config.ZChannels, 2 * config.ZChannels, 1, dtype: dtype, device: device));
        post_quant_conv = register_module("post_quant_conv", new Conv2d(config.ZChannels, config.ZChannels, 1, dtype: dtype, device: device));
    }

    /// <summary>
    /// The VAE of a single-file checkpoint (<c>first_stage_model.*</c>) or of a separate VAE file
    /// (sd-scripts' <c>--vae</c>: bare <c>encoder.*/decoder.*</c> keys or prefixed ones). Missing or
    /// mis-shaped weights throw <see cref="VaeWeightsException"/>; VAE keys nobody reads are listed in
    /// <paramref name="unexpected"/>.
    /// </summary>
    public static AutoencoderKL FromCheckpoint(ITensorFile file, VaeConfig config, out IReadOnlyList<string> unexpected,
        ScalarType dtype = ScalarType.Float32, Device? device = null, string? prefix = null)
    {
        prefix ??= VaeCheckpointLayout.DetectPrefix(file.TensorNames)
            ?? throw new InvalidFileException(file.Path, "no VAE found (no encoder.conv_in.weight under first_stage_model., vae. or at the top level)");
        var vae = new AutoencoderKL(config, dtype, device);
        try
        {
            var expected = vae.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape, StringComparer.Ordinal);
            using var weights = VaeWeights.Load(file, prefix, expected, dtype, device);
            vae.load_state_dict(weights.Tensors, strict: true);
            unexpected = weights.Unexpected;
            return vae;
        }
        catch
        {
            vae.Dispose();
            throw;
        }
    }

    /// <inheritdoc cref="FromCheckpoint(ITensorFile, VaeConfig, out IReadOnlyList{string}, ScalarType, Device?, string?)"/>
    public static AutoencoderKL FromCheckpoint(ITensorFile file, VaeConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        FromCheckpoint(file, config, out _, dtype, device);

    public void ResetLargestInput() => LargestInput = null;

    private void Saw(Tensor input)
    {
        long[] shape = input.shape;
        if (LargestInput is null || shape.Aggregate(1L, (a, b) => a * b) > LargestInput.Aggregate(1L, (a, b) => a * b)) LargestInput = shape;
    }

    /// <summary>Image (B, 3, H, W) in [−1, 1], H and W multiples of 8 → the latent distribution.</summary>
    public VaeLatentDistribution Encode(Tensor image)
    {
        int f = Config.DownscaleFactor;
        if (image.dim() != 4 || image.shape[1] != Config.ImageChannels || image.shape[2] % f != 0 || image.shape[3] % f != 0)
            throw new ArgumentException($"the VAE encodes (batch, {Config.ImageChannels}, H, W) images with H and W multiples of {f}; got [{string.Join(", ", image.shape)}]");
        Saw(image);
        using var h = encoder.forward(image);
        using var moments = quant_conv.forward(h);
        return VaeLatentDistribution.FromMoments(moments);
    }

    /// <summary>Latent (B, z, h, w) (unscaled) → image (B, 3, 8h, 8w), not clamped.</summary>
    public Tensor Decode(Tensor latent)
    {
        if (latent.dim() != 4 || latent.shape[1] != Config.ZChannels)
            throw new ArgumentException($"the VAE decodes (batch, {Config.ZChannels}, h, w) latents; got [{string.Join(", ", latent.shape)}]");
        Saw(latent);
        using var z = post_quant_conv.forward(latent);
        return decoder.forward(z);
    }

    /// <summary>Training latents: a sample (or the mean when <paramref name="generator"/> is null and <paramref name="sample"/> is false) × scaling factor.</summary>
    public Tensor EncodeToLatents(Tensor image, Generator? generator = null, bool sample = true)
    {
        using var posterior = Encode(image);
        using var z = sample ? posterior.Sample(generator) : posterior.Mode();
        return z.mul(Config.ScalingFactor);
    }

    /// <summary>Scaled latents (as the UNet sees them) → image: decode(latents / scaling factor).</summary>
    public Tensor DecodeLatents(Tensor latents)
    {
        using var z = latents.div(Config.ScalingFactor);
        return Decode(z);
    }

    /// <summary>
    /// <see cref="Encode"/> by overlapping tiles of <paramref name="tileLatent"/> latent pixels (×8 image
    /// pixels) with <paramref name="overlapLatent"/> of overlap, blended linearly; memory is bounded by the tile.
    /// Mean and log-variance are blended separately. Images no larger than a tile are encoded whole.
    /// </summary>
    public VaeLatentDistribution EncodeTiled(Tensor image, int tileLatent = 64, int overlapLatent = 8)
    {
        int f = Config.DownscaleFactor;
        long h = image.shape[2] / f, w = image.shape[3] / f;
        if (image.shape[2] % f != 0 || image.shape[3] % f != 0) throw new ArgumentException($"image sides must be multiples of {f}");
        using var blender = new VaeTileBlender(h, w, tileLatent, overlapLatent);
        using var mean = torch.zeros(new[] { image.shape[0], Config.ZChannels, h, w }, image.dtype, image.device);
        using var logVar = torch.zeros(new[] { image.shape[0], Config.ZChannels, h, w }, image.dtype, image.device);
        foreach (var tile in blender.Tiles())
        {
            using var crop = image.narrow(2, tile.Y * f, tile.Height * f).narrow(3, tile.X * f, tile.Width * f);
            using var posterior = Encode(crop);
            blender.Add(mean, posterior.Mean, tile);
            blender.Add(logVar, posterior.LogVar, tile, countWeight: false);
        }
        return new VaeLatentDistribution(blender.Normalize(mean), blender.Normalize(logVar));
    }

    /// <summary>
    /// <see cref="Decode"/> by overlapping latent tiles of <paramref name="tileLatent"/> with
    /// <paramref name="overlapLatent"/> of overlap; the decoded tiles are blended linearly across the
    /// overlap. Each tile is normalised on its own (GroupNorm, attention), so the result differs a little
    /// from a whole decode; memory is bounded by the tile.
    /// </summary>
    public Tensor DecodeTiled(Tensor latent, int tileLatent = 64, int overlapLatent = 8)
    {
        int f = Config.DownscaleFactor;
        long h = latent.shape[2], w = latent.shape[3];
        using var blender = new VaeTileBlender(h, w, tileLatent, overlapLatent, f);
        using var image = torch.zeros(new[] { latent.shape[0], Config.ImageChannels, h * f, w * f }, latent.dtype, latent.device);
        foreach (var tile in blender.Tiles())
        {
            using var crop = latent.narrow(2, tile.Y, tile.Height).narrow(3, tile.X, tile.Width);
            using var decoded = Decode(crop);
            blender.Add(image, decoded, tile);
        }
        return blender.Normalize(image);
    }
}
