using System.Diagnostics;
using LoraPS.Formats.SafeTensors;
using LoraPS.Models.Lora;
using LoraPS.Models.Lora.Inference;
using LoraPS.Models.StableDiffusion.TextEncoders;
using LoraPS.Torch;
using LoraPS.Torch.Modules;

namespace LoraPS.Bench;

/// <summary>
/// What applying a LoRA without merging costs: LoraInference.Apply time and the forward time with
/// and without adapters, for the SD1.5 text encoder (rank 32 on its 72 kohya modules) and for one
/// SD1.5 UNet 3×3 conv (320 channels, 64×64, LoCon rank 16). float32 CPU, random weights.
/// </summary>
public sealed class LoraInferenceBenchmark : IBenchmark
{
    public string Name => "lora-inference";
    public string Description => "Apply time and forward overhead of unmerged LoRA adapters (SD1.5 text encoder rank 32, batch 8 × 77; one 320-channel 3×3 conv with LoCon rank 16), float32 CPU.";

    private static double Median(Action run, int count = 3)
    {
        var times = new List<double>();
        for (int i = 0; i < count; i++)
        {
            var clock = Stopwatch.StartNew();
            run();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return times[count / 2];
    }

    public void Run(TextWriter report)
    {
        string dir = Path.Combine(Path.GetTempPath(), "loraps-bench-lora-inference");
        Directory.CreateDirectory(dir);
        report.WriteLine("| case | Apply | forward without (median of 3) | with adapters | after Dispose |");
        report.WriteLine("| --- | --- | --- | --- | --- |");

        using (var encoder = new ClipTextEncoder(ClipTextEncoderConfig.Sd1))
        {
            encoder.eval();
            var rng = new Random(5);
            var entries = new List<SafeTensorEntry>();
            foreach (var (path, module) in encoder.named_modules())
            {
                if (module is not Linear l) continue;
                string name = "lora_te_" + KohyaNames.Underscore(path);
                long o = l.weight.shape[0], i = l.weight.shape[1];
                entries.Add(SafeTensorEntry.FromSingles(name + ".lora_down.weight", SafeTensorDType.F16, new long[] { 32, i }, Values(rng, 32 * i)));
                entries.Add(SafeTensorEntry.FromSingles(name + ".lora_up.weight", SafeTensorDType.F16, new long[] { o, 32 }, Values(rng, o * 32)));
                entries.Add(SafeTensorEntry.FromSingles(name + ".alpha", SafeTensorDType.F16, Array.Empty<long>(), new float[] { 16 }));
            }
            string file = Path.Combine(dir, "te rank32.safetensors");
            SafeTensorsWriter.Write(file, entries, overwrite: true);
            var random = new Random(1234);
            using var ids = torch.tensor(Enumerable.Range(0, 8 * 77).Select(_ => (long)random.Next(0, 49406)).ToArray(), 8, 77);
            using var noGrad = torch.no_grad();
            void Forward() => encoder.Encode(ids).Dispose();
            Forward();
            double without = Median(Forward);
            using var lora = LoraFile.Open(file);
            var clock = Stopwatch.StartNew();
            var applied = LoraInference.Apply(lora, 0.8, 0.8, encoder, null);
            double applyMs = clock.Elapsed.TotalMilliseconds;
            double with = Median(Forward);
            applied.Dispose();
            double after = Median(Forward);
            report.WriteLine($"| SD1.5 text encoder, {applied.AppliedModules.Count} modules rank 32, batch 8 × 77 | {applyMs:F0} ms | {without:F0} ms | {with:F0} ms | {after:F0} ms |");
        }

        using (var conv = new Conv2d(320, 320, 3, padding: 1))
        {
            using var g = new Generator(3);
            using var x = torch.randn(new long[] { 2, 320, 64, 64 }, generator: g);
            using var noGrad = torch.no_grad();
            void Forward() => conv.forward(x).Dispose();
            Forward();
            double without = Median(Forward);
            var clock = Stopwatch.StartNew();
            var adapter = new LowRankAdapter(new AdaptedLayer(conv), torch.randn(new long[] { 16, 320, 3, 3 }, generator: g), torch.randn(new long[] { 320, 16, 1, 1 }, generator: g), 0.5);
            conv.adapters.Add(adapter);
            double applyMs = clock.Elapsed.TotalMilliseconds;
            double with = Median(Forward);
            conv.adapters.Remove(adapter);
            adapter.Dispose();
            double after = Median(Forward);
            report.WriteLine($"| SD1.5 UNet conv 3×3, 320 ch, 2 × 64 × 64, LoCon rank 16 | {applyMs:F1} ms | {without:F0} ms | {with:F0} ms | {after:F0} ms |");
        }
    }

    private static float[] Values(Random rng, long n)
    {
        var v = new float[n];
        for (long i = 0; i < n; i++) v[i] = (float)(rng.NextDouble() * 2 - 1) * 0.01f;
        return v;
    }
}
