using LoraPS.Models.StableDiffusion.Vae;
using LoraPS.Formats;
using LoraPS.Tests.Support;
using LoraPS.Torch;

namespace LoraPS.Tests.Vae;

/// <summary>A tiny random VAE (widths 32, 64; one res block a level): gradients, sampling, scaling, shapes.</summary>
public sealed class AutoencoderKLTests
{
    private static Tensor Image(long h, long w, ulong seed = 3)
    {
        using var g = new Generator(seed);
        using var r = torch.rand(new[] { 1L, 3, h, w }, ScalarType.Float32, null, g);
        return r * 2.0 - 1.0;
    }

    [Fact]
    public void Backward_reaches_every_parameter()
    {
        torch.manual_seed(1);
        using var vae = new AutoencoderKL(VaeWeightsTests.Tiny);
        using var scope = torch.NewDisposeScope();
        using var image = Image(16, 16);
        var posterior = vae.Encode(image);
        var z = posterior.Sample(new Generator(5));
        var decoded = vae.Decode(z);
        var loss = decoded.square().mean() + posterior.LogVar.mean();
        loss.backward();
        int count = 0;
        foreach (var (name, parameter) in vae.named_parameters())
        {
            var grad = parameter.grad;
            Assert.True(grad is not null, $"{name} got no gradient");
            using var magnitude = grad!.abs().sum();
            Assert.True(magnitude.item() > 0, $"{name} got a zero gradient");
            count++;
        }
        Assert.Equal(vae.state_dict().Count, count);
    }

    [Fact]
    public void Shapes_follow_the_downscale_factor_and_bad_inputs_are_refused()
    {
        using var vae = new AutoencoderKL(VaeWeightsTests.Tiny);
        using var _ = torch.no_grad();
        using var image = Image(24, 40);
        using var posterior = vae.Encode(image);
        Assert.Equal(new long[] { 1, 4, 12, 20 }, posterior.Mean.shape);
        Assert.Equal(new long[] { 1, 4, 12, 20 }, posterior.LogVar.shape);
        using var decoded = vae.Decode(posterior.Mean);
        Assert.Equal(new long[] { 1, 3, 24, 40 }, decoded.shape);
        using var odd = Image(23, 40);
        Assert.Contains("multiples of 2", Assert.Throws<ArgumentException>(() => vae.Encode(odd)).Message);
        using var wrongLatent = torch.zeros(1, 3, 8, 8);
        Assert.Throws<ArgumentException>(() => vae.Decode(wrongLatent));
    }

    [Fact]
    public void Sampling_reproduces_with_a_seed_and_scaling_uses_the_config()
    {
        using var vae = new AutoencoderKL(VaeWeightsTests.Tiny);
        using var _ = torch.no_grad();
        using var image = Image(16, 16);
        using var posterior = vae.Encode(image);
        using var g1 = new Generator(42);
        using var g2 = new Generator(42);
        using var g3 = new Generator(43);
        using var a = posterior.Sample(g1);
        using var b = posterior.Sample(g2);
        using var c = posterior.Sample(g3);
        Assert.Equal(a.data<float>(), b.data<float>());
        Assert.NotEqual(a.data<float>(), c.data<float>());

        // sample = mean + exp(logvar / 2) · ε, with ε from the same seed.
        using var g4 = new Generator(42);
        using var eps = torch.randn(posterior.Mean.shape, ScalarType.Float32, null, g4);
        using var std = (posterior.LogVar * 0.5).exp();
        using var expected = posterior.Mean + std * eps;
        Assert.Equal(expected.data<float>(), a.data<float>());

        using var g5 = new Generator(42);
        using var latents = vae.EncodeToLatents(image, g5);
        Assert.Equal(a.data<float>().Select(v => v * 0.5f), latents.data<float>());
        using var mode = vae.EncodeToLatents(image, sample: false);
        Assert.Equal(posterior.Mean.data<float>().Select(v => v * 0.5f), mode.data<float>());
        using var fromLatents = vae.DecodeLatents(mode);
        using var direct = vae.Decode(posterior.Mean);
        Assert.Equal(direct.data<float>(), fromLatents.data<float>());
    }

    [Fact]
    public void Logvar_is_clamped_to_the_reference_range()
    {
        using var moments = torch.tensor(new float[] { 0, 1, -100, 100 }, 1, 4, 1, 1);
        using var d = VaeLatentDistribution.FromMoments(moments);
        Assert.Equal(new float[] { 0, 1 }, d.Mean.data<float>());
        Assert.Equal(new float[] { -30, 20 }, d.LogVar.data<float>());
    }
}
