using System.Diagnostics;
using System.Runtime.InteropServices;
using LoraPS.Formats.Images;

namespace LoraPS.Bench;

/// <summary>
/// Decode throughput of LoraPS's JPEG and WebP decoders beside djpeg and dwebp on the same 2048×2048
/// files (one core each), and the time to probe 10,000 JPEG/WebP headers.
/// </summary>
public sealed class JpegWebPDecodeBenchmark : IBenchmark
{
    private const int Size = 2048;
    private const int Runs = 20;

    public string Name => "jpegwebp";

    public string Description =>
        "Decode megapixels/s of a 2048×2048 baseline JPEG, progressive JPEG and lossy WebP (one core) beside djpeg/dwebp " +
        "(targets ≥ 0.5× libjpeg-turbo, ≥ 0.7× libwebp); probing 10,000 headers (target < 2 s).";

    public void Run(TextWriter report)
    {
        string folder = Path.Combine(Path.GetTempPath(), "loraps-bench-jpegwebp-" + Environment.ProcessId);
        Directory.CreateDirectory(folder);
        try
        {
            string source = Path.Combine(folder, "source.ppm");
            MakeSource(source);
            string baseline = Path.Combine(folder, "baseline.jpg"), progressive = Path.Combine(folder, "progressive.jpg"), lossy = Path.Combine(folder, "lossy.webp");
            Tool("cjpeg", "-quality", "90", "-outfile", baseline, source);
            Tool("cjpeg", "-quality", "90", "-progressive", "-outfile", progressive, source);
            Tool("cwebp", "-q", "80", "-quiet", source, "-o", lossy);

            report.WriteLine("| file | size | LoraPS MP/s (CPU) | reference | reference MP/s (CPU) | ratio |");
            report.WriteLine("| --- | --- | --- | --- | --- | --- |");
            Row(report, "baseline JPEG q90 4:2:0", baseline, "djpeg", ["-outfile", "/dev/null", baseline]);
            Row(report, "progressive JPEG q90 4:2:0", progressive, "djpeg", ["-outfile", "/dev/null", progressive]);
            Row(report, "lossy WebP q80", lossy, "dwebp", [lossy, "-ppm", "-o", "/dev/null"]);

            report.WriteLine();
            report.WriteLine(ProbeMany(folder, baseline, progressive, lossy));
        }
        finally
        {
            try { Directory.Delete(folder, true); } catch (IOException) { }
        }
    }

    /// <summary>A photo-like source: ImageMagick's plasma fractal when available, else gradients with mild noise.</summary>
    private static void MakeSource(string path)
    {
        try
        {
            Tool("convert", "-size", $"{Size}x{Size}", "-seed", "7", "plasma:fractal", "-blur", "0x1", "-depth", "8", path);
            return;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception) { }
        using var stream = File.Create(path);
        stream.Write(System.Text.Encoding.ASCII.GetBytes($"P6\n{Size} {Size}\n255\n"));
        var random = new Random(7);
        var row = new byte[Size * 3];
        for (int y = 0; y < Size; y++)
        {
            for (int x = 0; x < Size; x++)
            {
                row[3 * x] = (byte)(x / 8 + random.Next(8));
                row[3 * x + 1] = (byte)(y / 8 + random.Next(8));
                row[3 * x + 2] = (byte)((x + y) / 16 + random.Next(8));
            }
            stream.Write(row);
        }
    }

    /// <summary>
    /// CPU time, not wall time: the build machine is shared, and CPU time is what one core spends. Ours is the
    /// calling thread's CPU time per decode (mean of <see cref="Runs"/> after warm-up); the reference's is the
    /// user+system time of a shell loop running the tool <see cref="Runs"/> times (process start-up included).
    /// </summary>
    private static void Row(TextWriter report, string label, string file, string tool, string[] toolArgs)
    {
        byte[] data = File.ReadAllBytes(file);
        ImageCodecs.Decode(data, null, file); // warm-up (JIT)
        ImageCodecs.Decode(data, null, file);
        double start = ThreadCpuSeconds();
        for (int i = 0; i < Runs; i++) ImageCodecs.Decode(data, null, file);
        double ours = Size * (double)Size / 1e6 / ((ThreadCpuSeconds() - start) / Runs);
        string reference = "not installed", ratio = "–";
        double? theirsSeconds = ReferenceCpuSeconds(tool, toolArgs);
        if (theirsSeconds is { } t)
        {
            double theirs = Size * (double)Size / 1e6 / t;
            reference = $"{theirs:F1}";
            ratio = $"{ours / theirs:F2}×";
        }
        report.WriteLine($"| {label} | {data.Length / 1024} KiB | {ours:F1} | {tool} | {reference} | {ratio} |");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec { public long Seconds; public long Nanoseconds; }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out Timespec value);

    private static double ThreadCpuSeconds()
    {
        if (OperatingSystem.IsLinux() && ClockGetTime(3 /* CLOCK_THREAD_CPUTIME_ID */, out var t) == 0)
            return t.Seconds + t.Nanoseconds / 1e9;
        return Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
    }

    /// <summary>Mean CPU seconds of one run of the tool, or null when it (or /usr/bin/time) is missing.</summary>
    private static double? ReferenceCpuSeconds(string tool, string[] toolArgs)
    {
        if (!File.Exists("/usr/bin/time")) return null;
        try
        {
            Tool(tool, toolArgs);
            string command = tool + " " + string.Join(' ', toolArgs.Select(a => "'" + a.Replace("'", "'\\''") + "'"));
            var info = new ProcessStartInfo("/usr/bin/time", ["-f", "%U %S", "sh", "-c", $"for i in $(seq {Runs}); do {command} >/dev/null 2>&1; done"])
            {
                UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true,
            };
            using var process = Process.Start(info)!;
            process.StandardOutput.ReadToEnd();
            string[] lines = process.StandardError.ReadToEnd().Trim().Split('\n');
            process.WaitForExit();
            var parts = lines[^1].Split(' ');
            double cpu = double.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) + double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
            return cpu / Runs;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or FormatException or IndexOutOfRangeException) { return null; }
    }

    private static string ProbeMany(string folder, params string[] samples)
    {
        string many = Path.Combine(folder, "many");
        Directory.CreateDirectory(many);
        // Small real files (headers are what matters): re-encode tiny versions of each kind.
        string tinySource = Path.Combine(folder, "tiny.ppm");
        File.WriteAllBytes(tinySource, [.. System.Text.Encoding.ASCII.GetBytes("P6\n64 48\n255\n"), .. new byte[64 * 48 * 3]]);
        var kinds = new List<(string Ext, byte[] Data)>();
        string tinyJpeg = Path.Combine(folder, "tiny.jpg"), tinyWebp = Path.Combine(folder, "tiny.webp");
        Tool("cjpeg", "-outfile", tinyJpeg, tinySource);
        Tool("cwebp", "-quiet", tinySource, "-o", tinyWebp);
        kinds.Add((".jpg", File.ReadAllBytes(tinyJpeg)));
        kinds.Add((".webp", File.ReadAllBytes(tinyWebp)));
        const int count = 10_000;
        for (int i = 0; i < count; i++)
        {
            var (ext, data) = kinds[i % kinds.Count];
            File.WriteAllBytes(Path.Combine(many, $"img {i}{ext}"), data);
        }
        var files = Directory.GetFiles(many);
        var clock = Stopwatch.StartNew();
        long pixels = 0;
        foreach (var f in files) { var h = ImageCodecs.Probe(f); pixels += h.Width; }
        double seconds = clock.Elapsed.TotalSeconds;
        return $"Probing {files.Length:N0} JPEG/WebP headers (half each, files on local disk, warm cache): {seconds:F2} s.";
    }

    private static void Tool(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(tool) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{tool} did not start");
        process.StandardOutput.ReadToEnd();
        string err = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{tool} failed: {err}");
    }
}
