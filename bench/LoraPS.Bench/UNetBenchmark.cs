using System.Diagnostics;
using LoraPS.Models.StableDiffusion.UNet;
using LoraPS.Torch;

namespace LoraPS.Bench;

/// <summary>
/// Forward+backward of the real-size SD1.5 UNet (random weights, float32, CPU, batch 1, 64×64 latents, 77×768 context),
/// with and without gradient checkpointing: time per step and the peak RSS of each mode.
/// </summary>
public sealed class UNetBenchmark : IBenchmark
{
    public string Name => "unet";
    public string Description => "SD1.5 UNet forward+backward, float32 CPU, batch 1, 64×64 latents, with and without gradient checkpointing: time and peak RSS.";

    private const int Steps = 2;

    public void Run(TextWriter report)
    {
        torch.manual_seed(0);
        using var unet = new UNet2DConditionModel(UNetConfig.Sd15);
        unet.train();
        using var sample = torch.randn(1, 4, 64, 64);
        using var timesteps = torch.tensor(new long[] { 500 }, 1);
        using var context = torch.randn(1, 77, 768);
        long weightsMb = StatusKb("VmRSS") / 1024;
        report.WriteLine($"threads {torch.get_num_threads()}, parameters {unet.parameter_count():N0}, RSS after building {weightsMb} MB");
        report.WriteLine();
        report.WriteLine("| mode | step 1 (s) | step 2 (s) | peak RSS (MB) |");
        report.WriteLine("| --- | --- | --- | --- |");
        foreach (bool checkpointing in new[] { true, false })
        {
            unet.GradientCheckpointing = checkpointing;
            ResetPeak();
            var times = new List<double>();
            for (int i = 0; i < Steps; i++)
            {
                var clock = Stopwatch.StartNew();
                using (var scope = torch.NewDisposeScope())
                {
                    var loss = unet.forward(sample, timesteps, context).square().mean();
                    loss.backward();
                }
                times.Add(clock.Elapsed.TotalSeconds);
                unet.zero_grad();
            }
            report.WriteLine($"| {(checkpointing ? "checkpointing" : "plain")} | {times[0]:F1} | {times[1]:F1} | {StatusKb("VmHWM") / 1024} |");
            report.Flush();
        }
    }

    /// <summary>Resets VmHWM to the current RSS (Linux: writing 5 to clear_refs), so each mode reports its own peak.</summary>
    private static void ResetPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static long StatusKb(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(field + ":", StringComparison.Ordinal)) return long.Parse(line.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries)[1]);
        return 0;
    }
}
