using LoraPS.Models.StableDiffusion.Generation;
using LoraPS.Models.StableDiffusion.Sampling;
using LoraPS.Tests.Engine;
using LoraPS.Tests.StableDiffusion.Sampling;
using LoraPS.Tests.Support;
using LoraPS.Torch;

namespace LoraPS.Tests.StableDiffusion.Generation;

/// <summary>Sampling frees each step's tensors: the live count is the same after every step and back to its start at the end.</summary>
[Collection(NativeTensorCountingCollection.Name)]
public sealed class GenerationMemoryTests
{
    [Theory]
    [InlineData("Euler a")]
    [InlineData("DPM++ 2M Karras")]
    [InlineData("DDIM")]
    public void Samplers_keep_the_live_tensor_count_flat_over_steps(string name)
    {
        var sampler = Sampler.Create(SamplerChoice.Parse(name));
        using var g = new Generator(1);
        using var noise = torch.randn(new long[] { 1, 4, 8, 8 }, generator: g);
        Denoiser denoiser = GaussianData.Denoiser();
        using (sampler.Sample(denoiser, noise, 3, g)) { } // warm up
        EngineTestSupport.CollectGarbage();
        long before = torch.live_tensor_count();
        var counts = new List<long>();
        using (var result = sampler.Sample(denoiser, noise, 30, g, new ImageGeneratorTests.SyncProgress(_ => counts.Add(torch.live_tensor_count()))))
            Assert.Equal(before + 1, torch.live_tensor_count());
        EngineTestSupport.CollectGarbage();
        Assert.Equal(before, torch.live_tensor_count());
        Assert.Equal(30, counts.Count);
        // flat: no step holds more than the first ones (DPM++ 2M's last step drops its remembered estimate)
        Assert.All(counts, c => Assert.True(c <= counts.Take(2).Max(), $"live tensors per step: {string.Join(", ", counts)}"));
        Assert.All(counts.Skip(1).SkipLast(1), c => Assert.Equal(counts[1], c));
    }

    [TinyModelFact]
    public void Generating_a_picture_leaves_no_tensor_behind()
    {
        using var pipeline = new TinyPipeline("sd1");
        var generator = pipeline.Generator();
        var request = new GenerationRequest { Prompt = "a cat", Width = 64, Height = 64, Steps = 8, Sampler = SamplerChoice.Parse("DPM++ 2M"), Seed = 3 };
        generator.Generate(request with { Steps = 2 }); // warm up
        EngineTestSupport.CollectGarbage();
        long before = torch.live_tensor_count();
        var counts = new List<long>();
        generator.Generate(request, new ImageGeneratorTests.SyncProgress(_ => counts.Add(torch.live_tensor_count())));
        EngineTestSupport.CollectGarbage();
        Assert.Equal(before, torch.live_tensor_count());
        Assert.Equal(8, counts.Count);
        Assert.All(counts, c => Assert.True(c <= counts.Take(2).Max(), $"live tensors per step: {string.Join(", ", counts)}"));
        Assert.All(counts.Skip(1).SkipLast(1), c => Assert.Equal(counts[1], c));
    }
}

/// <summary>The picture depends on the request's seed only, not on libtorch's global generator.</summary>
[Collection(GlobalRandomCollection.Name)]
public sealed class GenerationSeedTests
{
    [TinyModelFact]
    public void The_global_generator_does_not_change_the_picture()
    {
        using var pipeline = new TinyPipeline("sd1");
        var generator = pipeline.Generator();
        var request = new GenerationRequest { Prompt = "a cat", Width = 64, Height = 64, Steps = 4, Seed = -7 };
        torch.manual_seed(1);
        var first = generator.Generate(request);
        torch.manual_seed(2);
        using (torch.randn(100)) { }
        var second = generator.Generate(request);
        Assert.Equal(first.Pixels, second.Pixels);
    }
}
