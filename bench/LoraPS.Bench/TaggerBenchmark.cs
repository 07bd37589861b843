using System.Diagnostics;
using LoraPS.Formats.Images;
using LoraPS.Models.Tagging;
using LoraPS.Onnx;
using LoraPS.Workflows;
using LoraPS.Workflows.Tagging;

namespace LoraPS.Bench;

/// <summary>
/// The tagger's own cost per image (read, decode, preprocess, write the caption) for 1024×1024 JPEGs
/// with the pipeline overlapped, using a model whose Run costs almost nothing; then images/s with a
/// random-weight model of the ConvNeXt tagger's size and input.
/// </summary>
public sealed class TaggerBenchmark : IBenchmark
{
    public string Name => "tagger";
    public string Description => "WD14 tagger: per-image overhead outside Run for 1024×1024 JPEGs (target < 5 ms), and images/s with a ConvNeXt-tagger-sized model.";

    public void Run(TextWriter report)
    {
        string root = Path.Combine(Path.GetTempPath(), "loraps-bench-tagger");
        Directory.CreateDirectory(root);
        try
        {
            int count = int.TryParse(Environment.GetEnvironmentVariable("LORAPS_BENCH_IMAGES"), out int n) ? n : 48;
            string pictures = Path.Combine(root, "pictures");
            string format = MakePictures(pictures, count);
            Overhead(report, root, pictures, count, format);
            if (Environment.GetEnvironmentVariable("LORAPS_BENCH_SKIP_CONVNEXT") != "1") ConvNeXt(report, root, pictures);
        }
        finally
        {
            try { Directory.Delete(root, true); } catch (IOException) { }
        }
    }

    /// <summary>1024×1024 JPEGs (quality 90, 4:2:0) made with cjpeg from a smooth pattern plus noise; PNGs where cjpeg is missing.</summary>
    private static string MakePictures(string folder, int count)
    {
        Directory.CreateDirectory(folder);
        var random = new Random(7);
        bool haveCjpeg = File.Exists("/usr/bin/cjpeg");
        for (int i = 0; i < count; i++)
        {
            var image = new RgbaImage(1024, 1024);
            byte[] p = image.Pixels;
            for (int y = 0; y < 1024; y++)
                for (int x = 0; x < 1024; x++)
                {
                    int o = (y * 1024 + x) * 4;
                    p[o] = (byte)((x + i * 13 + random.Next(24)) & 255);
                    p[o + 1] = (byte)((y * 2 + random.Next(24)) & 255);
                    p[o + 2] = (byte)(((x ^ y) + i + random.Next(24)) & 255);
                    p[o + 3] = 255;
                }
            string stem = Path.Combine(folder, $"img_{i:D3}");
            if (haveCjpeg)
            {
                var ppm = new MemoryStream();
                var header = System.Text.Encoding.ASCII.GetBytes("P6\n1024 1024\n255\n");
                ppm.Write(header);
                for (int j = 0; j < p.Length; j += 4) ppm.Write(p.AsSpan(j, 3));
                var psi = new ProcessStartInfo("/usr/bin/cjpeg", new[] { "-quality", "90", "-outfile", stem + ".jpg" }) { RedirectStandardInput = true };
                using var process = Process.Start(psi)!;
                process.StandardInput.BaseStream.Write(ppm.GetBuffer(), 0, (int)ppm.Length);
                process.StandardInput.Close();
                process.WaitForExit();
            }
            else LoraPS.Formats.Images.Png.PngEncoder.Save(image, stem + ".png");
        }
        return haveCjpeg ? "JPEG (cjpeg -quality 90)" : "PNG (cjpeg not installed)";
    }

    private static void Overhead(TextWriter report, string root, string pictures, int count, string format)
    {
        string model = Path.Combine(root, "trivial");
        BenchTaggerModels.WriteTrivial(model, 9083);
        var files = Directory.GetFiles(pictures).Where(ImageCodecs.IsImageExtension).OrderBy(f => f).ToList();

        // Stage costs on one thread; median and best of 16 because other work shares this machine.
        var decodeMs = new List<double>();
        var preprocessMs = new List<double>();
        var writeMs = new List<double>();
        var input = new float[448 * 448 * 3];
        string captionFolder = Path.Combine(root, "captions");
        Directory.CreateDirectory(captionFolder);
        int k = 0;
        foreach (string file in files.Take(16))
        {
            var clock = Stopwatch.StartNew();
            var image = ImageCodecs.Decode(file);
            decodeMs.Add(clock.Elapsed.TotalMilliseconds);
            clock.Restart();
            Wd14Preprocessor.ToModelInput(image, 448, input);
            preprocessMs.Add(clock.Elapsed.TotalMilliseconds);
            clock.Restart();
            LoraPS.Formats.AtomicFile.WriteAllText(Path.Combine(captionFolder, $"{k++}.txt"), "1girl, long hair, smile, blue eyes, looking at viewer\n", overwrite: true);
            writeMs.Add(clock.Elapsed.TotalMilliseconds);
        }
        static double Median(List<double> v) => v.OrderBy(x => x).ElementAt(v.Count / 2);
        report.WriteLine($"Pictures: {count} × 1024×1024 {format}.");
        report.WriteLine();
        report.WriteLine("| stage (one thread, 16 pictures) | median ms | best ms |");
        report.WriteLine("| --- | ---: | ---: |");
        report.WriteLine($"| read + decode | {Median(decodeMs):F2} | {decodeMs.Min():F2} |");
        report.WriteLine($"| WD14 preprocess (BGR, area resize 1024→448, float) | {Median(preprocessMs):F2} | {preprocessMs.Min():F2} |");
        report.WriteLine($"| write caption (temp + rename) | {Median(writeMs):F2} | {writeMs.Min():F2} |");
        report.WriteLine();

        report.WriteLine("| pipeline (trivial model, 9,083 tags, ~30 per caption, captions written) | decode workers | batch | wall ms/image | in Run ms/image | outside Run ms/image | of which waiting for decode |");
        report.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (workers, batch) in new[] { (1, 1), (Environment.ProcessorCount, 1), (Environment.ProcessorCount, 8) })
        {
            var options = new TaggerOptions { ModelPath = model, DecodeWorkers = workers, BatchSize = batch, Device = OnnxDevice.Cpu, Threads = 1, Force = true };
            using var warm = TaggerSession.Open(options);
            foreach (var _ in warm.Tag(files.Take(4).Select(f => new TrainingImage { Path = f }).ToList())) { }
            using var session = TaggerSession.Open(options);
            var results = session.Tag(files.Select(f => new TrainingImage { Path = f }).ToList()).ToList();
            if (results.Any(r => r.Outcome != TaggerOutcome.Tagged)) throw new InvalidOperationException("benchmark pictures failed to tag");
            var s = session.Summary();
            double wall = s.Elapsed.TotalMilliseconds / count, run = s.InferenceTime.TotalMilliseconds / count;
            report.WriteLine($"| overlapped | {workers} | {batch} | {wall:F2} | {run:F2} | {wall - run:F2} | {(s.InputWait + s.PipelineFill).TotalMilliseconds / count:F2} |");
        }
        report.WriteLine();
    }

    private static void ConvNeXt(TextWriter report, string root, string pictures)
    {
        string model = Path.Combine(root, "convnext");
        var write = Stopwatch.StartNew();
        long parameters = BenchTaggerModels.WriteConvNeXt(model, 9083, "N");
        write.Stop();
        long bytes = new FileInfo(Path.Combine(model, "model.onnx")).Length;
        report.WriteLine($"Random-weight ConvNeXt tagger: {parameters / 1e6:F1} M parameters, model.onnx {bytes / 1e6:F0} MB (written in {write.Elapsed.TotalSeconds:F1} s).");
        report.WriteLine();
        report.WriteLine("| model | device | batch | images | load s | images/s | ms/image | in Run ms/image | outside Run, steady (ms/image) | pipeline fill ms (per call) |");
        report.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        var files = Directory.GetFiles(pictures).Where(ImageCodecs.IsImageExtension).OrderBy(f => f).Take(int.TryParse(Environment.GetEnvironmentVariable("LORAPS_BENCH_CONVNEXT_IMAGES"), out int k) ? k : 6).ToList();
        foreach (int batch in new[] { 1, 2 })
        {
            var load = Stopwatch.StartNew();
            using var session = TaggerSession.Open(new TaggerOptions { ModelPath = model, BatchSize = batch, Device = OnnxDevice.Cpu, Force = true });
            load.Stop();
            foreach (var _ in session.Tag(files.Take(batch).Select(f => new TrainingImage { Path = f }).ToList())) { } // warm-up
            var clock = Stopwatch.StartNew();
            var results = session.Tag(files.Select(f => new TrainingImage { Path = f }).ToList()).ToList();
            clock.Stop();
            int tagged = results.Count(r => r.Outcome == TaggerOutcome.Tagged);
            var s = session.Summary(); // both calls (warm-up and timed): the fill of each is reported apart
            double run = s.InferenceTime.TotalMilliseconds / s.Tagged, outside = (s.Elapsed - s.InferenceTime - s.PipelineFill).TotalMilliseconds / s.Tagged;
            double tagsPerCaption = results.Where(r => r.Outcome == TaggerOutcome.Tagged).Average(r => r.Image.Tags.Count);
            report.WriteLine($"| ConvNeXt-B 448 ({tagsPerCaption:F0} tags/caption), 9,083 tags | {session.Model.Device} | {batch} | {tagged} | {load.Elapsed.TotalSeconds:F1} | {tagged / clock.Elapsed.TotalSeconds:F3} | {clock.Elapsed.TotalMilliseconds / tagged:F0} | {run:F0} | {outside:F1} | {s.PipelineFill.TotalMilliseconds / 2:F0} |");
        }
        report.WriteLine();
    }
}
