using LoraPS.Formats;
using LoraPS.Models.StableDiffusion.Loading;
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

    /// <summary>Whole-image GroupNorm statistics for tiled passes (see <see cref="VaeNormStatistics"/>).</summary>
    private readonly VaeNormStatistics normStatistics = new();

    /// <summary>Shape of the largest input the encoder or decoder saw since <see cref="ResetLargestInput"/> (tiling bounds it).</summary>
    public long[]? LargestInput { get; private set; }

    public AutoencoderKL(VaeConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(AutoencoderKL))
    {
        config.Validate();
        Config = config;
        encoder = register_module("encoder", new VaeEncoder(config, normStatistics, dtype, device));
        decoder = register_module("decoder", new VaeDecoder(config, normStatistics, dtype, device));
        quant_conv = register_module("quant_conv", new Conv2d(2 * config.ZChannels, 2 * config.ZChannels, 1, dtype: dtype, device: device));
        post_quant_conv = register_module("post_quant_conv", new Conv2d(config.ZChannels, config.ZChannels, 1, dtype: dtype, device: device));
    }

    /// <summary>
    /// The VAE of a single-file checkpoint (<c>first_stage_model.*</c>) or of a separate VAE file
    /// (sd-scripts' <c>--vae</c>: bare <c>encoder.*/decoder.*</c> keys or prefixed ones), in ldm or diffusers
    /// names; shapes that differ only by singleton dimensions (attention stored as Linear) are reshaped. Missing or
    /// mis-shaped weights throw <see cref="VaeWeightsException"/>; VAE keys nobody reads are listed in
    /// <paramref name="unexpected"/>.
    /// </summary>
    public static AutoencoderKL FromCheckpoint(ITensorFile file, VaeConfig config, out IReadOnlyList<string> unexpected,
        ScalarType dtype = ScalarType.Float32, Device? device = null, string? prefix = null)
    {
        prefix ??= VaeCheckpointLayout.DetectPrefix(file.TensorNames)
            ?? throw new InvalidFileException(file.Path, "no VAE found (no encoder.conv_in.weight under first_stage_model., vae. or at the top level)");
        string found = prefix;
        var vae = SinglePartLoader.Load(() => new AutoencoderKL(config, dtype, device),
            module => PartPlans.Vae(file, ModelArchitecture.Vae.Name, module, found,
                k => k.StartsWith(found, StringComparison.Ordinal) && VaeCheckpointLayout.IsVaeKey(k[found.Length..])),
            report => new VaeWeightsException(file.Path, report.Missing, report.WrongShape),
            out var loaded);
        unexpected = loaded.Unexpected;
        return vae;
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
    /// pixels) with <paramref name="overlapLatent"/> of overlap, blended linearly; only one tile's
    /// activations are alive at a time. With <paramref name="wholeImageNorms"/> every GroupNorm uses the
    /// whole image's statistics, gathered by running the tiles once per norm layer (about as many partial
    /// passes as the encoder has norms: slower, much closer to the untiled result); without it each tile
    /// is normalised on its own (one pass, as diffusers' tiling does). The mid attention likewise attends to
    /// the whole image's keys and values (latent resolution) or only the tile's.
    /// </summary>
    public VaeLatentDistribution EncodeTiled(Tensor image, int tileLatent = 64, int overlapLatent = 16, bool wholeImageNorms = false)
    {
        int f = Config.DownscaleFactor;
        if (image.dim() != 4 || image.shape[2] % f != 0 || image.shape[3] % f != 0)
            throw new ArgumentException($"the VAE encodes (batch, {Config.ImageChannels}, H, W) images with H and W multiples of {f}; got [{string.Join(", ", image.shape)}]");
        long h = image.shape[2] / f, w = image.shape[3] / f;
        using var blender = new VaeTileBlender(h, w, tileLatent, overlapLatent);
        using var mean = torch.zeros(new[] { image.shape[0], Config.ZChannels, h, w }, image.dtype, image.device);
        using var logVar = torch.zeros(new[] { image.shape[0], Config.ZChannels, h, w }, image.dtype, image.device);
        RunTiles(blender, wholeImageNorms, tile =>
        {
            using var rows = image.narrow(2, tile.Y * f, tile.Height * f);
            using var crop = rows.narrow(3, tile.X * f, tile.Width * f);
            return Encode(crop);
        }, (tile, posterior) =>
        {
            using (posterior)
            {
                blender.Add(mean, posterior.Mean, tile);
                blender.Add(logVar, posterior.LogVar, tile, countWeight: false);
            }
        });
        return new VaeLatentDistribution(blender.Normalize(mean), blender.Normalize(logVar));
    }

    /// <summary>
    /// <see cref="Decode"/> by overlapping latent tiles of <paramref name="tileLatent"/> with
    /// <paramref name="overlapLatent"/> of overlap, blended linearly across the overlap; only one tile's
    /// activations are alive at a time. <paramref name="wholeImageNorms"/> as in <see cref="EncodeTiled"/>.
    /// </summary>
    public Tensor DecodeTiled(Tensor latent, int tileLatent = 64, int overlapLatent = 16, bool wholeImageNorms = false)
    {
        if (latent.dim() != 4 || latent.shape[1] != Config.ZChannels)
            throw new ArgumentException($"the VAE decodes (batch, {Config.ZChannels}, h, w) latents; got [{string.Join(", ", latent.shape)}]");
        int f = Config.DownscaleFactor;
        long h = latent.shape[2], w = latent.shape[3];
        using var blender = new VaeTileBlender(h, w, tileLatent, overlapLatent, f);
        using var image = torch.zeros(new[] { latent.shape[0], Config.ImageChannels, h * f, w * f }, latent.dtype, latent.device);
        RunTiles(blender, wholeImageNorms, tile =>
        {
            using var rows = latent.narrow(2, tile.Y, tile.Height);
            using var crop = rows.narrow(3, tile.X, tile.Width);
            return Decode(crop);
        }, (tile, decoded) =>
        {
            using (decoded) blender.Add(image, decoded, tile);
        });
        return blender.Normalize(image);
    }

    /// <summary>
    /// Runs <paramref name="run"/> on every tile; with whole-image norms, repeats the tiles until every
    /// norm layer has its statistics (each earlier pass stops at the first layer without them) and hands
    /// the complete last pass's outputs to <paramref name="accept"/>.
    /// </summary>
    private void RunTiles<T>(VaeTileBlender blender, bool wholeImageNorms, Func<VaeTile, T> run, Action<VaeTile, T> accept)
    {
        if (!wholeImageNorms)
        {
            foreach (var tile in blender.Tiles()) accept(tile, run(tile));
            return;
        }
        normStatistics.Begin();
        try
        {
            while (true)
            {
                bool? stopped = null;
                foreach (var tile in blender.Tiles())
                {
                    var (ownedRows, ownedColumns) = blender.Owned(tile);
                    normStatistics.StartTile(tile.Height, tile.Width, ownedRows, ownedColumns);
                    T result;
                    try { result = run(tile); }
                    catch (VaeNormStatistics.StopPass)
                    {
                        if (stopped == false) throw new InvalidOperationException("tiles ran different numbers of norm layers");
                        stopped = true;
                        continue;
                    }
                    if (stopped == true) throw new InvalidOperationException("tiles ran different numbers of norm layers");
                    stopped = false;
                    accept(tile, result);
                }
                if (stopped != true) return;
                normStatistics.FinishPass();
            }
        }
        finally
        {
            normStatistics.End();
        }
    }
}
