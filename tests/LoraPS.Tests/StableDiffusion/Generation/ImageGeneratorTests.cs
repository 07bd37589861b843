using LoraPS.Formats.Images;
using LoraPS.Models.StableDiffusion.Generation;
using LoraPS.Models.StableDiffusion.Sampling;
using LoraPS.Tests.Support;
using LoraPS.Torch;
using PredictionType = LoraPS.Models.PredictionType;

namespace LoraPS.Tests.StableDiffusion.Generation;

/// <summary>The whole text-to-image path on the tiny SD1 reference model (64×64 pictures, 8×8 latents).</summary>
public sealed class ImageGeneratorTests : IClassFixture<TinySd1Fixture>
{
    private readonly TinyPipeline pipeline;

    public ImageGeneratorTests(TinySd1Fixture fixture) => pipeline = fixture.Pipeline;

    private static GenerationRequest Request(string sampler = "Euler a", long seed = 1234) => new()
    {
        Prompt = "a photo of a cat, (sitting:1.2) on a red sofa",
        NegativePrompt = "blurry",
        Width = 64,
        Height = 64,
        Steps = 6,
        Sampler = SamplerChoice.Parse(sampler),
        Seed = seed,
    };

    private static float[] Values(Tensor t)
    {
        using var cpu = t.to(Device.CPU, ScalarType.Float32);
        return cpu.data<float>();
    }

    private static double MaxDifference(Tensor a, Tensor b) => Values(a).Zip(Values(b), (x, y) => (double)Math.Abs(x - y)).Max();

    [TinyModelTheory]
    [InlineData("Euler a")]
    [InlineData("Euler")]
    [InlineData("DDIM")]
    [InlineData("DPM++ 2M")]
    [InlineData("DPM++ 2M Karras")]
    [InlineData("Euler a Karras")]
    public void The_same_seed_gives_a_bit_identical_picture_and_another_seed_a_different_one(string sampler)
    {
        var generator = pipeline.Generator();
        RgbaImage first = generator.Generate(Request(sampler));
        RgbaImage again = generator.Generate(Request(sampler));
        RgbaImage other = generator.Generate(Request(sampler, seed: 1235));
        Assert.Equal(64, first.Width);
        Assert.Equal(64, first.Height);
        Assert.Equal(first.Pixels, again.Pixels);
        Assert.NotEqual(first.Pixels, other.Pixels);
        Assert.True(first.Pixels.Distinct().Count() > 10, "the picture should not be flat");
    }

    [TinyModelFact]
    public void Samplers_give_different_pictures_from_the_same_seed()
    {
        var generator = pipeline.Generator();
        var pictures = new[] { "Euler a", "Euler", "DDIM", "DPM++ 2M Karras" }.Select(s => generator.Generate(Request(s)).Pixels).ToList();
        for (int i = 0; i < pictures.Count; i++)
            for (int j = i + 1; j < pictures.Count; j++)
                Assert.NotEqual(pictures[i], pictures[j]);
    }

    [TinyModelFact]
    public void Latents_have_the_latent_shape_and_are_what_the_picture_decodes()
    {
        var generator = pipeline.Generator();
        var request = Request("DPM++ 2M") with { Width = 64, Height = 128 };
        using var latents = generator.GenerateLatents(request);
        Assert.Equal(new long[] { 1, 4, 16, 8 }, latents.shape);
        Assert.Equal(ScalarType.Float32, latents.dtype);
        using var decoded = pipeline.Vae.DecodeLatents(latents);
        Assert.Equal(ImageTensors.ToImage(decoded).Pixels, generator.Generate(request).Pixels);
    }

    [TinyModelFact]
    public void Sizes_are_floored_to_multiples_of_8_with_a_minimum_of_64_and_any_such_size_works()
    {
        var generator = pipeline.Generator();
        Assert.Equal((128, 64), ImageGenerator.ImageSize(Request() with { Width = 135, Height = 10 }));
        using var latents = generator.GenerateLatents(Request("Euler") with { Width = 135, Height = -5, Steps = 1 });
        Assert.Equal(new long[] { 1, 4, 8, 16 }, latents.shape);
        // 96 × 72 pixels give 12 × 9 latents, which the UNet's three halvings round up and its upsamplers bring back
        using var odd = generator.GenerateLatents(Request("Euler") with { Width = 96, Height = 72, Steps = 1 });
        Assert.Equal(new long[] { 1, 4, 9, 12 }, odd.shape);
        using var oddImage = ImageTensors.ToTensor(generator.Generate(Request("Euler") with { Width = 96, Height = 72, Steps = 1 }));
        Assert.Equal(new long[] { 1, 3, 72, 96 }, oddImage.shape);
        Assert.Throws<ArgumentException>(() => generator.GenerateLatents(Request() with { Width = 100_000 }));
    }

    [TinyModelFact]
    public void Cfg_scale_and_negative_prompt_change_the_picture()
    {
        var generator = pipeline.Generator();
        var baseline = generator.Generate(Request("Euler")).Pixels;
        Assert.NotEqual(baseline, generator.Generate(Request("Euler") with { CfgScale = 3 }).Pixels);
        Assert.NotEqual(baseline, generator.Generate(Request("Euler") with { NegativePrompt = "a dog" }).Pixels);
        Assert.NotEqual(baseline, generator.Generate(Request("Euler") with { Prompt = "a dog" }).Pixels);
        // at CFG 1 only the prompt counts: the negative prompt is not even encoded
        var plain = generator.Generate(Request("Euler") with { CfgScale = 1 }).Pixels;
        Assert.Equal(plain, generator.Generate(Request("Euler") with { CfgScale = 1, NegativePrompt = "a dog, blurry, (ugly:1.4)" }).Pixels);
    }

    [TinyModelFact]
    public void Guidance_is_uncond_plus_scale_times_cond_minus_uncond_with_the_negative_prompt_as_uncond()
    {
        // one Euler step returns D(x, σ_max) = x − σ·out, which is affine in the scale s of out = u + s·(c − u)
        var generator = pipeline.Generator();
        var request = Request("Euler") with { Steps = 1 };
        using var at0 = generator.GenerateLatents(request with { CfgScale = 0 });
        using var at2 = generator.GenerateLatents(request with { CfgScale = 2 });
        using var at5 = generator.GenerateLatents(request with { CfgScale = 5 });
        using var slope2 = (at2 - at0) / 2;
        using var slope5 = (at5 - at0) / 5;
        double scale = Values(at5).Max(Math.Abs);
        Assert.True(MaxDifference(slope2, slope5) < 1e-4 * scale, $"not affine in the scale: {MaxDifference(slope2, slope5)}");
        Assert.True(Values(slope2).Max(Math.Abs) > 1e-3 * scale, "the scale should matter");
        // scale 0 is the unconditional output alone: the negative prompt generated on its own, unguided
        using var negativeAlone = generator.GenerateLatents(request with { Prompt = request.NegativePrompt, NegativePrompt = "", CfgScale = 1 });
        Assert.True(MaxDifference(at0, negativeAlone) < 1e-4 * scale, $"uncond differs from the negative prompt by {MaxDifference(at0, negativeAlone)}");
    }

    [TinyModelFact]
    public void A_long_prompt_and_a_short_negative_prompt_are_padded_to_the_same_chunk_count()
    {
        var generator = pipeline.Generator();
        string longPrompt = string.Join(", ", Enumerable.Range(0, 40).Select(i => $"detail {i}"));
        Assert.True(pipeline.Tokenizer.Tokenize(longPrompt, chunkCount: null).ChunkCount >= 2);
        var request = Request("Euler") with { Prompt = longPrompt, NegativePrompt = "blurry" };
        var image = generator.Generate(request);
        var swapped = generator.Generate(request with { Prompt = "blurry", NegativePrompt = longPrompt });
        Assert.NotEqual(image.Pixels, swapped.Pixels);
        // the tokens past the first chunk reach the picture
        string firstChunkOnly = longPrompt[..(longPrompt.Length / 3)];
        Assert.NotEqual(image.Pixels, generator.Generate(request with { Prompt = firstChunkOnly }).Pixels);
    }

    [TinyModelFact]
    public void Clip_skip_changes_the_picture()
    {
        var generator = pipeline.Generator();
        Assert.NotEqual(generator.Generate(Request("Euler")).Pixels, generator.Generate(Request("Euler") with { ClipSkip = 2 }).Pixels);
        Assert.Equal(generator.Generate(Request("Euler")).Pixels, generator.Generate(Request("Euler") with { ClipSkip = 1 }).Pixels);
        Assert.Throws<ArgumentException>(() => generator.Generate(Request() with { ClipSkip = 99 }));
    }

    [TinyModelTheory]
    [InlineData("sd1")]
    [InlineData("sd2")]
    public void V_prediction_turns_the_model_output_into_the_denoised_latents_as_v_models_do(string family)
    {
        using var sd2 = family == "sd2" ? new TinyPipeline("sd2") : null;
        var parts = sd2 ?? pipeline;
        var eps = parts.Generator(PredictionType.Epsilon);
        var v = parts.Generator(PredictionType.V);
        var request = Request("Euler") with { Steps = 1 };
        using var fromEps = eps.GenerateLatents(request);
        using var fromV = v.GenerateLatents(request);
        // one Euler step: x = noise·σ_max, the UNet sees the same input; eps: D = x − σ·out; v: D = x/(σ²+1) − out·σ/√(σ²+1)
        double sigma = NoiseSchedule.Default.SigmaMax;
        using var g = new Generator((ulong)request.Seed);
        using var noise = torch.randn(new long[] { 1, 4, 8, 8 }, generator: g);
        using var x = noise * sigma;
        using var output = (x - fromEps) / sigma;
        using var expected = x / (sigma * sigma + 1) - output * (sigma / Math.Sqrt(sigma * sigma + 1));
        Assert.True(MaxDifference(fromV, expected) < 1e-4 * Values(expected).Max(Math.Abs), $"v path off by {MaxDifference(fromV, expected)}");

        // a whole v-prediction run reproduces bit for bit and differs from reading the output as noise
        var full = Request("DPM++ 2M Karras") with { Steps = 5 };
        var picture = v.Generate(full);
        Assert.Equal(picture.Pixels, v.Generate(full).Pixels);
        Assert.NotEqual(picture.Pixels, eps.Generate(full).Pixels);
        Assert.Throws<ArgumentException>(() => parts.Generator(PredictionType.Unknown));
    }

    [TinyModelFact]
    public void Progress_counts_every_step_and_cancellation_stops_between_steps()
    {
        var generator = pipeline.Generator();
        var reported = new List<int>();
        generator.Generate(Request("DPM++ 2M") with { Steps = 5 }, new SyncProgress(reported.Add));
        Assert.Equal(new[] { 1, 2, 3, 4, 5 }, reported);

        reported.Clear();
        using var cancel = new CancellationTokenSource();
        var progress = new SyncProgress(n => { reported.Add(n); if (n == 2) cancel.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => generator.Generate(Request() with { Steps = 5 }, progress, cancel.Token));
        Assert.Equal(new[] { 1, 2 }, reported);

        using var already = new CancellationTokenSource();
        already.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => generator.Generate(Request(), null, already.Token));
    }

    [TinyModelFact]
    public void Bad_requests_are_refused_naming_the_field()
    {
        var generator = pipeline.Generator();
        Assert.Contains("Steps", Assert.Throws<ArgumentException>(() => generator.Generate(Request() with { Steps = 0 })).Message);
        Assert.Contains("Steps", Assert.Throws<ArgumentException>(() => generator.Generate(Request() with { Steps = 1001 })).Message);
        Assert.Contains("CfgScale", Assert.Throws<ArgumentException>(() => generator.Generate(Request() with { CfgScale = double.NaN })).Message);
        Assert.Contains("CfgScale", Assert.Throws<ArgumentException>(() => generator.Generate(Request() with { CfgScale = -1 })).Message);
        Assert.Contains("NegativePrompt", Assert.Throws<ArgumentException>(() => generator.Generate(Request() with { NegativePrompt = null! })).Message);
    }

    /// <summary>Reports on the calling thread at once (Progress&lt;T&gt; posts to the thread pool).</summary>
    internal sealed class SyncProgress : IProgress<int>
    {
        private readonly Action<int> report;
        public SyncProgress(Action<int> report) => this.report = report;
        public void Report(int value) => report(value);
    }
}
