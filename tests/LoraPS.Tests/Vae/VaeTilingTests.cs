using LoraPS.Formats;
using LoraPS.Formats.SafeTensors;
using LoraPS.Models.StableDiffusion.Vae;
using LoraPS.Tests.Support;
using LoraPS.Torch;

namespace LoraPS.Tests.Vae;

/// <summary>Tiled encode/decode: agreement with the whole pass, the tile bound on what the networks see, seams blended.</summary>
public sealed class VaeTilingTests
{
    private readonly Xunit.Abstractions.ITestOutputHelper output;

    public VaeTilingTests(Xunit.Abstractions.ITestOutputHelper output) => this.output = output;

    /// <summary>
    /// Relative tolerance of a tiled pass (whole-image norms and attention) against a whole one: largest
    /// difference ÷ largest magnitude. What remains is the convolutions' zero padding at tile edges, which
    /// the overlap only partly hides (measured about 0.06 on this random tiny VAE; per-tile norms: 0.55).
    /// </summary>
    internal const double TiledTolerance = 0.1;

    private static Tensor SmoothImage(long h, long w)
    {
        // A smooth picture (gradients and a blob), as images are; pure noise would exaggerate seams.
        var values = new float[3 * h * w];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    double blob = Math.Exp(-((x - w / 2.0) * (x - w / 2.0) + (y - h / 3.0) * (y - h / 3.0)) / (h * w / 8.0));
                    values[(c * h + y) * w + x] = (float)Math.Clamp(0.8 * Math.Sin((x + 2 * y) / (7.0 + c) ) * 0.5 + blob - 0.4 + 0.1 * c, -1, 1);
                }
        return torch.tensor(values, 1, 3, h, w);
    }

    private static double Relative(Tensor a, Tensor b)
    {
        float[] x = a.data<float>(), y = b.data<float>();
        double scale = y.Max(v => Math.Abs((double)v)), worst = 0;
        for (int i = 0; i < x.Length; i++) worst = Math.Max(worst, Math.Abs((double)x[i] - y[i]));
        return worst / scale;
    }

    [ReferenceDataFact]
    public void Tiled_decode_agrees_with_the_whole_decode_and_sees_only_tiles()
    {
        using var file = TensorFiles.Open(VaeParityTests.Model("sd1"));
        using var vae = AutoencoderKL.FromCheckpoint(file, VaeParityTests.Config("sd1"));
        using var _ = torch.no_grad();
        using var image = SmoothImage(256, 192);
        using var posterior = vae.Encode(image);                                  // latent 32 × 24
        vae.ResetLargestInput();
        using var whole = vae.Decode(posterior.Mean);
        Assert.Equal(new long[] { 1, 4, 32, 24 }, vae.LargestInput);

        vae.ResetLargestInput();
        using var tiled = vae.DecodeTiled(posterior.Mean, tileLatent: 24, overlapLatent: 16, wholeImageNorms: true);
        Assert.Equal(whole.shape, tiled.shape);
        // Memory bound: the decoder never saw more than one 24 × 24 latent tile (of 32 × 24).
        Assert.Equal(new long[] { 1, 4, 24, 24 }, vae.LargestInput);
        double error = Relative(tiled, whole);
        output.WriteLine($"tiled decode (24-latent tiles, overlap 16) vs whole: {error:G3} of the largest magnitude");
        Assert.True(error < TiledTolerance, $"tiled decode differs by {error:G3} of the largest magnitude");

        // A tile as large as the latent is the whole decode: bit for bit with per-tile norms, to rounding with gathered ones.
        using var single = vae.DecodeTiled(posterior.Mean, tileLatent: 64, overlapLatent: 8, wholeImageNorms: false);
        Assert.Equal(whole.data<float>(), single.data<float>());
        using var gathered = vae.DecodeTiled(posterior.Mean, tileLatent: 64, overlapLatent: 8, wholeImageNorms: true);
        Assert.True(Relative(gathered, whole) < 1e-4, $"one gathered tile differs by {Relative(gathered, whole):G3}");

        // Per-tile norms (one pass) are further off; the gathered statistics are what make tiles agree.
        using var perTile = vae.DecodeTiled(posterior.Mean, tileLatent: 24, overlapLatent: 16, wholeImageNorms: false);
        output.WriteLine($"per-tile norms: {Relative(perTile, whole):G3}");
        Assert.True(Relative(perTile, whole) > error);
    }

    [ReferenceDataFact]
    public void Tiled_encode_agrees_with_the_whole_encode_and_sees_only_tiles()
    {
        using var file = TensorFiles.Open(VaeParityTests.Model("sd1"));
        using var vae = AutoencoderKL.FromCheckpoint(file, VaeParityTests.Config("sd1"));
        using var _ = torch.no_grad();
        using var image = SmoothImage(256, 192);
        using var whole = vae.Encode(image);
        vae.ResetLargestInput();
        using var tiled = vae.EncodeTiled(image, tileLatent: 24, overlapLatent: 16, wholeImageNorms: true);
        Assert.Equal(new long[] { 1, 3, 192, 192 }, vae.LargestInput);
        double meanError = Relative(tiled.Mean, whole.Mean), logVarError = Relative(tiled.LogVar, whole.LogVar);
        output.WriteLine($"tiled encode vs whole: mean {meanError:G3}, logvar {logVarError:G3} of the largest magnitude");
        Assert.True(meanError < TiledTolerance, $"tiled mean differs by {meanError:G3}");
        Assert.True(logVarError < TiledTolerance, $"tiled logvar differs by {logVarError:G3}");
    }

    [Fact]
    public void Blending_weights_sum_to_one_and_reproduce_a_tile_independent_function()
    {
        // Decoding a "network" that is the identity at scale 2 must give the input back exactly (up to rounding).
        using var blender = new VaeTileBlender(20, 13, tile: 8, overlap: 3, scale: 2);
        var tiles = blender.Tiles().ToList();
        Assert.All(tiles, t => Assert.True(t.Height <= 8 && t.Width <= 8));
        Assert.Contains(tiles, t => t.Y + t.Height == 20 && t.X + t.Width == 13);
        using var source = torch.rand(1, 1, 40, 26);
        using var sum = torch.zeros(1, 1, 40, 26);
        foreach (var t in tiles)
        {
            using var crop = source.narrow(2, t.Y * 2, t.Height * 2).narrow(3, t.X * 2, t.Width * 2);
            blender.Add(sum, crop, t);
        }
        using var result = blender.Normalize(sum);
        Assert.True(Relative(result, source) < 1e-6);
        Assert.Throws<ArgumentException>(() => new VaeTileBlender(10, 10, tile: 4, overlap: 4));
    }
}
