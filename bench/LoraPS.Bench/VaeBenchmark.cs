using System.Diagnostics;
using LoraPS.Models.StableDiffusion.Vae;
using LoraPS.Torch;

namespace LoraPS.Bench;

/// <summary>VAE encode of one 512×512 image at the real SD1.5 size (ch 128, ch_mult 1,2,4,4), float32 on CPU, random weights.</summary>
public sealed class VaeBenchmark : IBenchmark
{
    public string Name => "vae-encode";
    public string Description => "SD1.5 VAE encode (AutoencoderKL, 34M encoder parameters) of a 512×512 image without grad, float32 CPU, random weights: time and peak RSS.";

    public void Run(TextWriter report)
    {
        GC.Collect();
        long rssBefore = ProcessMemory.StatusKb("VmRSS");
        var clock = Stopwatch.StartNew();
        using var vae = new AutoencoderKL(VaeConfig.Sd);
        vae.eval();
        double buildMs = clock.Elapsed.TotalMilliseconds;
        long parameters = vae.encoder.parameter_count() + vae.quant_conv.parameter_count();
        using var generator = new Generator(1234);
        using var raw = torch.rand(new[] { 1L, 3, 512, 512 }, ScalarType.Float32, null, generator);
        using var image = raw * 2.0 - 1.0;
        using var _ = torch.no_grad();

        clock.Restart();
        vae.Encode(image).Dispose();
        double firstMs = clock.Elapsed.TotalMilliseconds;
        var times = new List<double>();
        for (int i = 0; i < 3; i++)
        {
            clock.Restart();
            using var posterior = vae.Encode(image);
            using var latents = posterior.Sample(generator);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        long hwm = ProcessMemory.StatusKb("VmHWM");
        report.WriteLine($"Encoder + quant_conv: {parameters / 1e6:F1} M parameters; image 1 × 3 × 512 × 512 → latent 1 × 4 × 64 × 64; {Environment.ProcessorCount} logical CPUs, torch threads {torch.get_num_threads()}.");
        report.WriteLine();
        report.WriteLine("| build (random init) | first encode | encode + sample (median of 3) | peak RSS (VmHWM) | RSS before building |");
        report.WriteLine("| --- | --- | --- | --- | --- |");
        report.WriteLine($"| {buildMs:F0} ms | {firstMs:F0} ms | {times[1]:F0} ms | {hwm / 1024.0:F0} MiB | {rssBefore / 1024.0:F0} MiB |");
    }
}

/// <summary>The same 512×512 encode by 256×256-pixel tiles (overlap 64 px) with whole-image norms: what tiling costs and saves.</summary>
public sealed class VaeTiledBenchmark : IBenchmark
{
    public string Name => "vae-encode-tiled";
    public string Description => "SD1.5 VAE tiled encode (32-latent tiles, overlap 8, whole-image norms) of a 512×512 image without grad, float32 CPU, random weights: time and peak RSS.";

    public void Run(TextWriter report)
    {
        using var vae = new AutoencoderKL(VaeConfig.Sd);
        vae.eval();
        using var generator = new Generator(1234);
        using var raw = torch.rand(new[] { 1L, 3, 512, 512 }, ScalarType.Float32, null, generator);
        using var image = raw * 2.0 - 1.0;
        using var _ = torch.no_grad();
        // The one-pass variant first, so its figures are out even if the gathered-norm run is stopped.
        report.WriteLine("| variant | time | peak RSS so far (VmHWM) | largest input the encoder saw |");
        report.WriteLine("| --- | --- | --- | --- |");
        var clock = Stopwatch.StartNew();
        using (vae.EncodeTiled(image, tileLatent: 32, overlapLatent: 8, wholeImageNorms: false))
            report.WriteLine($"| per-tile norms (one pass, 9 tiles) | {clock.Elapsed.TotalMilliseconds:F0} ms | {ProcessMemory.StatusKb("VmHWM") / 1024.0:F0} MiB | {string.Join(" × ", vae.LargestInput!)} |");
        report.Flush();
        clock.Restart();
        using (vae.EncodeTiled(image, tileLatent: 32, overlapLatent: 8, wholeImageNorms: true))
            report.WriteLine($"| whole-image norms (one pass per norm layer) | {clock.Elapsed.TotalMilliseconds:F0} ms | {ProcessMemory.StatusKb("VmHWM") / 1024.0:F0} MiB | {string.Join(" × ", vae.LargestInput!)} |");
    }
}
