using System.Diagnostics;

using LoraPS.Models.StableDiffusion.Generation;
using LoraPS.Models.StableDiffusion.Sampling;
using LoraPS.Models.StableDiffusion.TextEncoders;
using LoraPS.Models.StableDiffusion.UNet;
using LoraPS.Models.StableDiffusion.Vae;
using LoraPS.Models.Text;
using LoraPS.Torch;

namespace LoraPS.Bench;

/// <summary>
/// One text-to-image generation at the real SD1.5 sizes with random weights (float32, CPU): 512×512, 20 steps of
/// Euler a with CFG 7 (uncond and cond batched, so every step is a batch-2 UNet forward), then the VAE decode.
/// Reports the time of each phase, the per-step times and the resident memory at each step (flat if sampling frees
/// its intermediates).
/// </summary>
public sealed class GenerationBenchmark : IBenchmark
{
    public string Name => "generate";
    public string Description => "SD1.5-size text-to-image with random weights, float32 CPU: 512×512, 20 steps Euler a, CFG 7 (batch-2 UNet per step), VAE decode: time per phase and per step, RSS per step, peak RSS.";

    public void Run(TextWriter report)
    {
        string? vocabulary = SharedData.FindVocabulary();
        if (vocabulary is null)
        {
            report.WriteLine("skipped: ../shared/data/bpe_simple_vocab_16e6.txt.gz not found beside the repository");
            return;
        }
        var clock = Stopwatch.StartNew();
        torch.manual_seed(0);
        var tokenizer = new ClipTokenizer(ClipBpeTokenizer.FromOpenAiBpeFile(vocabulary), ClipTextEncoderConfig.Sd1.PadTokenId);
        using var textEncoder = new ClipTextEncoder(ClipTextEncoderConfig.Sd1);
        using var unet = new UNet2DConditionModel(UNetConfig.Sd15);
        using var vae = new AutoencoderKL(VaeConfig.Sd);
        textEncoder.eval();
        unet.eval();
        vae.eval();
        double buildS = clock.Elapsed.TotalSeconds;
        long rssBuilt = ProcessMemory.StatusKb("VmRSS");

        var generator = new ImageGenerator(tokenizer, textEncoder, unet, vae, LoraPS.Models.PredictionType.Epsilon);
        var request = new GenerationRequest
        {
            Prompt = "masterpiece, best quality, a photo of a cat sitting on a red sofa, (detailed fur:1.2)",
            NegativePrompt = "lowres, blurry, bad anatomy",
            Width = 512, Height = 512, Steps = 20, CfgScale = 7, Sampler = new SamplerChoice(SamplerKind.EulerAncestral), Seed = 1234,
        };
        var stepEnds = new List<double>();
        var stepRss = new List<long>();
        clock.Restart();
        var image = generator.Generate(request, new StepRecorder(() =>
        {
            stepEnds.Add(clock.Elapsed.TotalSeconds);
            stepRss.Add(ProcessMemory.StatusKb("VmRSS"));
        }));
        double totalS = clock.Elapsed.TotalSeconds;
        long hwm = ProcessMemory.StatusKb("VmHWM");

        var stepTimes = stepEnds.Select((t, i) => t - (i == 0 ? 0 : stepEnds[i - 1])).ToList();
        double firstStep = stepTimes[0];
        var later = stepTimes.Skip(1).OrderBy(t => t).ToList();
        report.WriteLine($"{Environment.ProcessorCount} logical CPUs, torch threads {torch.get_num_threads()}; UNet {unet.parameter_count():N0} parameters, text encoder {textEncoder.parameter_count():N0}, VAE {vae.parameter_count():N0}; image {image.Width}×{image.Height}.");
        report.WriteLine();
        report.WriteLine("| phase | seconds |");
        report.WriteLine("| --- | --- |");
        report.WriteLine($"| build the three models (random init) | {buildS:F1} |");
        report.WriteLine($"| encode prompts + step 1 | {firstStep:F1} |");
        report.WriteLine($"| steps 2–20: median / min / max | {later[later.Count / 2]:F1} / {later[0]:F1} / {later[^1]:F1} |");
        report.WriteLine($"| VAE decode 64×64 → 512×512 + to picture | {totalS - stepEnds[^1]:F1} |");
        report.WriteLine($"| whole generation | {totalS:F1} |");
        report.WriteLine();
        report.WriteLine($"RSS after building {rssBuilt / 1024} MB; RSS after each step (MB): {string.Join(", ", stepRss.Select(k => k / 1024))}; peak RSS (VmHWM) {hwm / 1024} MB.");
    }

    private sealed class StepRecorder : IProgress<int>
    {
        private readonly Action record;
        public StepRecorder(Action record) => this.record = record;
        public void Report(int value) => record();
    }
}
