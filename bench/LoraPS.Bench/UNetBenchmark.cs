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
        long weightsMb = ProcessMemory.StatusKb("VmRSS") / 1024;
        report.WriteLine($"threads {torch.get_num_threads()}, parameters {unet.parameter_count():N0}, RSS after building {weightsMb} MB");
        report.WriteLine();
        report.WriteLine("| mode | step 1 (s) | step 2 (s) | peak RSS (MB) |");
        report.WriteLine("| --- | --- | --- | --- |");
        foreach (bool checkpointing in new[] { true, false })
        {
            unet.GradientCheckpointing = checkpointing;
            ProcessMemory.ResetPeak();
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
            report.WriteLine($"| {(checkpointing ? "checkpointing" : "plain")} | {times[0]:F1} | {times[1]:F1} | {ProcessMemory.StatusKb("VmHWM") / 1024} |");
            report.Flush();
        }
    }
}
