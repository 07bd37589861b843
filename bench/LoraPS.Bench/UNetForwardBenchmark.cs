using System.Diagnostics;
using LoraPS.Models.StableDiffusion.UNet;
using LoraPS.Torch;
using LoraPS.Torch.Interop;
using LoraPS.Torch.Modules;

namespace LoraPS.Bench;

/// <summary>
/// The sampling workload: one SD1.5 UNet forward at batch 2 (CFG), 64×64 latents, no grad, float32 CPU
/// (weights left uninitialised: time does not depend on them). Median of 3 after a warm-up, page faults
/// per forward, and VmRSS after a forward and after disposing everything, to compare LORAPS_MALLOC settings.
/// </summary>
public sealed class UNetForwardBenchmark : IBenchmark
{
    public string Name => "unet-forward";
    public string Description => "SD1.5 UNet forward, batch 2 (CFG), 64×64 latents, no grad, float32 CPU: median of 3 after a warm-up, page faults, RSS after a forward and after disposing (compare LORAPS_MALLOC=tuned/default).";

    private const int Timed = 3;

    public void Run(TextWriter report)
    {
        LibTorchLoader.EnsureLoaded();
        long startKb = ProcessMemory.StatusKb("VmRSS");
        var times = new List<double>();
        var faults = new List<long>();
        var userMs = new List<double>();
        var systemMs = new List<double>();
        using var self = Process.GetCurrentProcess();
        long afterForwardKb;
        {
            UNet2DConditionModel unet;
            using (ParameterInit.SkipInit()) unet = new UNet2DConditionModel(UNetConfig.Sd15);
            using var _ = unet;
            unet.eval();
            torch.manual_seed(0);
            using var sample = torch.randn(2, 4, 64, 64);
            using var timesteps = torch.tensor(new long[] { 500, 500 }, 2);
            using var context = torch.randn(2, 77, 768);
            using var noGrad = torch.no_grad();
            for (int i = 0; i <= Timed; i++)
            {
                long faultsBefore = ProcessMemory.MinorFaults();
                self.Refresh();
                TimeSpan user = self.UserProcessorTime, system = self.PrivilegedProcessorTime;
                var clock = Stopwatch.StartNew();
                using (var output = unet.forward(sample, timesteps, context)) { }
                double ms = clock.Elapsed.TotalMilliseconds;
                if (i == 0) continue; // warm-up
                times.Add(ms);
                faults.Add(ProcessMemory.MinorFaults() - faultsBefore);
                self.Refresh();
                userMs.Add((self.UserProcessorTime - user).TotalMilliseconds);
                systemMs.Add((self.PrivilegedProcessorTime - system).TotalMilliseconds);
            }
            afterForwardKb = ProcessMemory.StatusKb("VmRSS");
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long afterDisposeKb = ProcessMemory.StatusKb("VmRSS");
        string load = File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

        report.WriteLine($"allocator: {MallocTuning.InEffect}; threads {torch.get_num_threads()}; load {load}");
        report.WriteLine();
        // CPU time (user, kernel) is less at the mercy of other processes than wall time on a shared machine
        report.WriteLine("| forwards (ms) | median ms | median CPU ms user / kernel | page faults per forward (median) | VmRSS start / after forwards / after dispose (MB) |");
        report.WriteLine("| --- | --- | --- | --- | --- |");
        report.WriteLine($"| {string.Join(", ", times.Select(t => t.ToString("F0")))} | {EngineAddBenchmark.Median(times):F0} | " +
                         $"{EngineAddBenchmark.Median(userMs):F0} / {EngineAddBenchmark.Median(systemMs):F0} | " +
                         $"{faults.OrderBy(f => f).ElementAt(faults.Count / 2):N0} | {startKb / 1024} / {afterForwardKb / 1024} / {afterDisposeKb / 1024} |");
    }
}
