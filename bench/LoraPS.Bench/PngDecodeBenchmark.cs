using System.Diagnostics;
using LoraPS.Formats.Images;
using LoraPS.Formats.Images.Png;

namespace LoraPS.Bench;

/// <summary>
/// PNG decode throughput on one core for a 2048×2048 picture (RGB from ImageMagick's plasma fractal, and
/// the same with an alpha gradient as RGBA), beside libpng through Netpbm's pngtopnm/pngtopam on the
/// same files. Target: at least 0.7× libpng.
/// </summary>
public sealed class PngDecodeBenchmark : IBenchmark
{
    public string Name => "png-decode";
    public string Description => "PNG decode megapixels/s on one core, 2048×2048, beside libpng (pngtopnm); target ≥ 0.7× libpng.";

    private const int Size = 2048;
    private const int Runs = 15;

    public void Run(TextWriter report)
    {
        string dir = Path.Combine(Path.GetTempPath(), "loraps-bench-png");
        Directory.CreateDirectory(dir);
        string rgb = Path.Combine(dir, "plasma-rgb.png"), paeth = Path.Combine(dir, "plasma-rgba-paeth.png"), rgba = Path.Combine(dir, "plasma-rgba.png"), tiny = Path.Combine(dir, "tiny.png");
        bool tools = File.Exists("/usr/bin/convert") && File.Exists("/usr/bin/pngtopnm") && File.Exists("/usr/bin/pngtopam");
        if (tools)
        {
            if (!File.Exists(rgb)) Shell($"/usr/bin/convert -seed 7 -size {Size}x{Size} plasma:fractal -depth 8 -define png:format=png24 '{rgb}'");
            if (!File.Exists(paeth)) Shell($"/usr/bin/convert '{rgb}' -define png:compression-filter=4 -define png:format=png32 '{paeth}'");
        }
        else
        {
            var synthetic = new RgbaImage(Size, Size);
            var rng = new Random(7);
            for (int i = 0; i < synthetic.Pixels.Length; i += 4)
            {
                int x = i / 4 % Size, y = i / 4 / Size;
                synthetic.Pixels[i] = (byte)(x / 8 + rng.Next(8)); synthetic.Pixels[i + 1] = (byte)(y / 8 + rng.Next(8));
                synthetic.Pixels[i + 2] = (byte)((x + y) / 16 + rng.Next(8)); synthetic.Pixels[i + 3] = 255;
            }
            PngEncoder.Save(synthetic, rgb, overwrite: true);
        }
        if (!File.Exists(rgba))
        {
            var image = PngDecoder.Decode(File.ReadAllBytes(rgb));
            for (int i = 0; i < image.Pixels.Length; i += 4) image.Pixels[i + 3] = (byte)(i / 4 % Size / 8);
            PngEncoder.Save(image, rgba, overwrite: true);
        }
        PngEncoder.Save(new RgbaImage(1, 1), tiny, overwrite: true);

        string? harness = BuildLibpngHarness(dir);
        report.WriteLine("| file | size | LoraPS | libpng in-process (C harness) | ratio to it | pngtopnm/pngtopam process | ratio to it |");
        report.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var (file, label, tool) in new[] { (rgb, "2048×2048 RGB 8-bit (ImageMagick, adaptive filters)", "pngtopnm"), (rgba, "2048×2048 RGBA 8-bit (LoraPS encoder)", "pngtopam -alphapam"),
                     (paeth, "2048×2048 RGBA 8-bit, Paeth on every row (ImageMagick)", "pngtopam -alphapam") })
        {
            byte[] data = File.ReadAllBytes(file);
            PngDecoder.Decode(data); // warm up the JIT
            // The machine is shared: runs alternate between LoraPS and libpng and the best of each counts.
            double ours = double.MaxValue, lib = double.MaxValue;
            for (int run = 0; run < Runs; run++)
            {
                ours = Math.Min(ours, Best(1, () => PngDecoder.Decode(data)));
                if (harness != null)
                    lib = Math.Min(lib, double.Parse(Capture($"'{harness}' '{file}' 1"), System.Globalization.CultureInfo.InvariantCulture));
            }
            double mp = Size * (double)Size / 1e6;
            string theirs = "tool missing", ratio = "", direct = "cc or libpng-dev missing", directRatio = "";
            if (harness != null)
            {
                direct = $"{mp / lib:F1} MP/s ({lib * 1000:F0} ms)";
                directRatio = $"{lib / ours:F2}×";
            }
            if (tools)
            {
                double start = Best(5, () => Shell($"{tool} '{tiny}' > /dev/null"));
                double process = Best(Runs / 2, () => Shell($"{tool} '{file}' > /dev/null")) - start;
                theirs = $"{mp / process:F1} MP/s ({process * 1000:F0} ms, process start of {start * 1000:F0} ms subtracted)";
                ratio = $"{process / ours:F2}×";
            }
            report.WriteLine($"| {label} | {data.Length / 1024} KiB | {mp / ours:F1} MP/s ({ours * 1000:F0} ms) | {direct} | {directRatio} | {theirs} | {ratio} |");
        }
    }

    /// <summary>Compiles native/libpng_decode.c (beside the benchmark's sources) when a C compiler and libpng-dev are present.</summary>
    private static string? BuildLibpngHarness(string dir)
    {
        string source = Path.Combine(AppContext.BaseDirectory, "native", "libpng_decode.c");
        string exe = Path.Combine(dir, "libpng_decode");
        if (!File.Exists(source) || !File.Exists("/usr/bin/cc") || !File.Exists("/usr/include/png.h")) return null;
        try { Shell($"cc -O2 '{source}' -o '{exe}' -lpng"); return exe; }
        catch (InvalidOperationException) { return null; }
    }

    private static string Capture(string command)
    {
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardOutput = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        using var p = Process.Start(info)!;
        string output = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return output;
    }

    private static double Best(int runs, Action action)
    {
        double best = double.MaxValue;
        for (int i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return best;
    }

    internal static void Shell(string command)
    {
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        using var p = Process.Start(info)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{command}: {err}");
    }
}
