using System.Diagnostics;
using LoraPS.Models.StableDiffusion.TextEncoders;
using LoraPS.Torch;

namespace LoraPS.Bench;

/// <summary>CLIP text encoder forward at the real SD1.5 size (ViT-L/14: 12 layers, width 768), float32 on CPU, random weights.</summary>
public sealed class TextEncoderBenchmark : IBenchmark
{
    public string Name => "text-encoder";
    public string Description => "SD1.5 text encoder (CLIP ViT-L/14) forward without grad for a batch of 8 × 77 tokens, float32 CPU, random weights.";

    public void Run(TextWriter report) => TextEncoderMeasurement.Run(report, "SD1.5 CLIP ViT-L/14", ClipTextEncoderConfig.Sd1);
}

/// <summary>The same at the SD2 size (OpenCLIP ViT-H/14: 24 layers, width 1024, clip skip 2).</summary>
public sealed class TextEncoderSd2Benchmark : IBenchmark
{
    public string Name => "text-encoder-sd2";
    public string Description => "SD2 text encoder (OpenCLIP ViT-H/14, clip skip 2) forward without grad for a batch of 8 × 77 tokens, float32 CPU, random weights.";

    public void Run(TextWriter report) => TextEncoderMeasurement.Run(report, "SD2 OpenCLIP ViT-H/14", ClipTextEncoderConfig.Sd2);
}

internal static class TextEncoderMeasurement
{
    public static void Run(TextWriter report, string label, ClipTextEncoderConfig config)
    {
        report.WriteLine("| model | build (random init) | first forward | forward (median of 3) | peak resident memory |");
        report.WriteLine("| --- | --- | --- | --- | --- |");
        Measure(report, label, config);
    }

    private static void Measure(TextWriter report, string label, ClipTextEncoderConfig config)
    {
        var clock = Stopwatch.StartNew();
        using var encoder = new ClipTextEncoder(config);
        encoder.eval();
        double buildMs = clock.Elapsed.TotalMilliseconds;
        var random = new Random(1234);
        using var ids = torch.tensor(Enumerable.Range(0, 8 * 77).Select(_ => (long)random.Next(0, 49406)).ToArray(), 8, 77);
        using var _ = torch.no_grad();

        clock.Restart();
        encoder.Encode(ids, config.DefaultClipSkip).Dispose();
        double firstMs = clock.Elapsed.TotalMilliseconds;
        var times = new List<double>();
        for (int i = 0; i < 3; i++)
        {
            clock.Restart();
            encoder.Encode(ids, config.DefaultClipSkip).Dispose();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        report.WriteLine($"| {label} | {buildMs:F0} ms | {firstMs:F0} ms | {times[1]:F0} ms | {process.PeakWorkingSet64 / (1024.0 * 1024):F0} MiB |");
    }
}
