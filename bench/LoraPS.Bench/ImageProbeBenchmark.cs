using System.Diagnostics;
using LoraPS.Formats.Images;
using LoraPS.Formats.Images.Png;

namespace LoraPS.Bench;

/// <summary>Header probing (format and size without decoding) of 10,000 files, as a dataset scan does. Target: under 2 s.</summary>
public sealed class ImageProbeBenchmark : IBenchmark
{
    public string Name => "image-probe";
    public string Description => "ImageCodecs.Probe over 10,000 PNG/BMP files (5,000 each, page cache warm); target < 2 s.";

    public void Run(TextWriter report)
    {
        string dir = Path.Combine(Path.GetTempPath(), "loraps-bench-probe");
        const int count = 10_000;
        if (!Directory.Exists(dir) || Directory.GetFiles(dir).Length != count)
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
            Directory.CreateDirectory(dir);
            var image = new RgbaImage(64, 48);
            new Random(1).NextBytes(image.Pixels);
            byte[] png = PngEncoder.Encode(image, new PngEncodeOptions { Text = new Dictionary<string, string> { ["parameters"] = "a long prompt that sits before the image data" } });
            byte[] bmp = new byte[54 + 64 * 48 * 3];
            "BM"u8.CopyTo(bmp);
            BitConverter.TryWriteBytes(bmp.AsSpan(2), bmp.Length);
            BitConverter.TryWriteBytes(bmp.AsSpan(10), 54);
            BitConverter.TryWriteBytes(bmp.AsSpan(14), 40);
            BitConverter.TryWriteBytes(bmp.AsSpan(18), 64);
            BitConverter.TryWriteBytes(bmp.AsSpan(22), 48);
            BitConverter.TryWriteBytes(bmp.AsSpan(26), (short)1);
            BitConverter.TryWriteBytes(bmp.AsSpan(28), (short)24);
            for (int i = 0; i < count; i++)
                File.WriteAllBytes(Path.Combine(dir, i % 2 == 0 ? $"{i:D5}.png" : $"{i:D5}.bmp"), i % 2 == 0 ? png : bmp);
        }
        var files = Directory.GetFiles(dir);
        foreach (var f in files.Take(100)) ImageCodecs.Probe(f); // JIT warm-up
        var clock = Stopwatch.StartNew();
        long pixels = 0;
        foreach (var f in files)
        {
            var h = ImageCodecs.Probe(f);
            pixels += (long)h.Width * h.Height;
        }
        double seconds = clock.Elapsed.TotalSeconds;
        report.WriteLine("| measure | value |");
        report.WriteLine("| --- | --- |");
        report.WriteLine($"| files probed | {files.Length:N0} (64×48 PNG with a text chunk, 24-bit BMP) |");
        report.WriteLine($"| total time | {seconds:F2} s ({seconds * 1e6 / files.Length:F0} µs per file) |");
        report.WriteLine($"| check (sum of pixels) | {pixels:N0} |");
    }
}
