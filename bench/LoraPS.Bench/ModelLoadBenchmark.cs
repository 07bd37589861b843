using System.Diagnostics;
using LoraPS.Formats;
using LoraPS.Models.StableDiffusion;
using LoraPS.Models.StableDiffusion.TextEncoders;
using LoraPS.Models.StableDiffusion.UNet;
using LoraPS.Models.StableDiffusion.Vae;
using LoraPS.Torch;

namespace LoraPS.Bench;

/// <summary>
/// StableDiffusionModel.Load of a whole SD1.5-sized model from an fp16 .safetensors (random weights, real key layout,
/// written to a temp folder first and deleted after) into float32 on CPU: time, and peak memory against the size of
/// the loaded float32 weights.
/// </summary>
public sealed class ModelLoadBenchmark : IBenchmark
{
    public string Name => "sd-load";
    public string Description => "Whole SD1.5 model (CLIP ViT-L, UNet, VAE) loaded from a 2 GB fp16 .safetensors into float32 CPU with StableDiffusionModel.Load: time and peak RSS (VmHWM, and RssAnon/RssFile sampled every 20 ms), cold (file evicted from the page cache) then warm.";

    public void Run(TextWriter report) => LoadMeasurement.Run(report, "StableDiffusionModel.Load", path =>
    {
        var model = StableDiffusionModel.Load(new StableDiffusionLoadOptions { Path = path });
        return (model, new LoraPS.Torch.Modules.Module[] { model.TextEncoder, model.UNet, model.Vae });
    });
}

/// <summary>
/// The same with the per-part loaders, one part at a time. They first built each part with random initialisation and
/// read its weights into a dictionary; they now run on the whole-model loader's plans (so the two should measure alike).
/// </summary>
public sealed class ComponentLoadBenchmark : IBenchmark
{
    public string Name => "sd-load-components";
    public string Description => "The same SD1.5 fp16 checkpoint through ClipTextEncoder/UNet2DConditionModel/AutoencoderKL.FromCheckpoint (per part, on the same weight plans): time and peak RSS, for comparison with sd-load.";

    public void Run(TextWriter report) => LoadMeasurement.Run(report, "per-part FromCheckpoint", path =>
    {
        using var file = TensorFiles.Open(path);
        var text = ClipTextEncoder.FromCheckpoint(file, ClipTextEncoderConfig.Sd1);
        var unet = UNet2DConditionModel.FromCheckpoint(file, UNetConfig.Sd15, out _);
        var vae = AutoencoderKL.FromCheckpoint(file, VaeConfig.Sd);
        var parts = new LoraPS.Torch.Modules.Module[] { text, unet, vae };
        return (new Parts(parts), parts);
    });

    private sealed class Parts(LoraPS.Torch.Modules.Module[] modules) : IDisposable
    {
        public void Dispose()
        {
            foreach (var m in modules) m.Dispose();
        }
    }
}

internal static class LoadMeasurement
{
    public static void Run(TextWriter report, string label, Func<string, (IDisposable Model, LoraPS.Torch.Modules.Module[] Parts)> load)
    {
        string dir = Path.Combine(Path.GetTempPath(), "loraps-bench-sd-load-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var clock = Stopwatch.StartNew();
            var (path, parameters) = Sd15CheckpointWriter.Write(dir);
            long fileBytes = new FileInfo(path).Length;
            report.WriteLine($"Checkpoint: {fileBytes / 1048576.0:F0} MiB fp16, {parameters:N0} parameters, written in {clock.Elapsed.TotalSeconds:F0} s; threads {torch.get_num_threads()}.");
            report.WriteLine();
            report.WriteLine($"| {label} | time | VmHWM (peak RSS) | peak RssAnon | peak RssFile | float32 weights loaded | VmHWM ÷ weights | RSS before |");
            report.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
            report.Flush();
            foreach (bool cold in new[] { true, false })
            {
                if (cold) Sd15CheckpointWriter.Evict(path);
                GC.Collect();
                GC.WaitForPendingFinalizers();
                ProcessMemory.ResetPeak();
                long before = ProcessMemory.StatusKb("VmRSS") * 1024;
                long peakAnon = 0, peakFile = 0;
                using var stop = new CancellationTokenSource();
                var sampler = Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        peakAnon = Math.Max(peakAnon, ProcessMemory.StatusKb("RssAnon") * 1024);
                        peakFile = Math.Max(peakFile, ProcessMemory.StatusKb("RssFile") * 1024);
                        await Task.Delay(20);
                    }
                });
                clock.Restart();
                var (model, parts) = load(path);
                double seconds = clock.Elapsed.TotalSeconds;
                stop.Cancel();
                sampler.Wait();
                long hwm = ProcessMemory.StatusKb("VmHWM") * 1024;
                long weights = parts.Sum(p => p.parameters().Sum(t => t.numel() * t.element_size()));
                report.WriteLine($"| {(cold ? "cold (file evicted)" : "warm (page cache)")} | {seconds:F1} s | {Mb(hwm)} | {Mb(peakAnon)} | {Mb(peakFile)} | {Mb(weights)} | {hwm / (double)weights:F2} | {Mb(before)} |");
                report.Flush();
                model.Dispose();
            }
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static string Mb(long bytes) => $"{bytes / 1048576.0:F0} MiB";


}
