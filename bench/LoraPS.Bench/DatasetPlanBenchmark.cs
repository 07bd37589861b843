using System.Diagnostics;
using System.IO.Compression;
using LoraPS.Formats.Images.Png;
using LoraPS.Workflows.Dataset;

namespace LoraPS.Bench;

/// <summary>
/// Planning a dataset of 10,000 pictures in 20 folders: header probing, bucketing, captions,
/// duplicates and the plan, through the same workflow as Get-LoraDataset. Target: under 3 s.
/// </summary>
public sealed class DatasetPlanBenchmark : IBenchmark
{
    private const int Folders = 20, PerFolder = 500;

    public string Name => "dataset";
    public string Description => "Plan 10,000 PNG pictures in 20 folders (header probing, buckets, captions, duplicates, plan); target under 3 s.";

    public void Run(TextWriter report)
    {
        string root = Path.Combine(Path.GetTempPath(), "loraps-bench-dataset-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var config = MakeDataset(root);
            string configPath = Path.Combine(root, "dataset.toml");
            DatasetConfigWriter.WriteFile(config, configPath);

            var timings = new List<(string, double, LoraDataset)>();
            foreach (var (label, duplicates) in new[] { ("first run (cold JIT)", true), ("second run", true), ("third run", true), ("without the duplicate check", false) })
            {
                var clock = Stopwatch.StartNew();
                var plan = DatasetWorkflow.Get(new GetDatasetOptions { Path = configPath, Epochs = 10, DetectDuplicates = duplicates });
                timings.Add((label, clock.Elapsed.TotalSeconds, plan));
            }
            var last = timings[0].Item3;
            report.WriteLine($"Dataset: {last.ImageCount} PNG files (real PNG headers, varied sizes 256–4000 px) with .txt captions in {Folders} folders; {last.Buckets.Count} buckets, {last.StepsPerEpoch} steps per epoch.");
            report.WriteLine();
            report.WriteLine("| run | seconds |");
            report.WriteLine("| --- | --- |");
            foreach (var (label, seconds, _) in timings) report.WriteLine($"| {label} | {seconds:F2} |");
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    private static DatasetConfig MakeDataset(string root)
    {
        var rng = new Random(1234);
        var config = new DatasetConfig();
        config.General["resolution"] = 512;
        config.General["enable_bucket"] = true;
        config.General["caption_extension"] = ".txt";
        config.General["batch_size"] = 4;
        var dataset = new DatasetEntryConfig();
        for (int f = 0; f < Folders; f++)
        {
            string folder = Path.Combine(root, "img", $"{1 + f % 5}_subject{f} 1girl");
            Directory.CreateDirectory(folder);
            for (int i = 0; i < PerFolder; i++)
            {
                string file = Path.Combine(folder, $"pic_{i:0000}.png");
                File.WriteAllBytes(file, Png(rng.Next(256, 4000), rng.Next(256, 4000), rng));
                File.WriteAllText(Path.ChangeExtension(file, ".txt"), "1girl, solo, looking at viewer");
            }
            var subset = new SubsetConfig();
            subset.Options["image_dir"] = folder;
            subset.Options["num_repeats"] = 1 + f % 5;
            dataset.Subsets.Add(subset);
        }
        config.Datasets.Add(dataset);
        return config;
    }

    /// <summary>A small real PNG: the header of the wanted size and a few KB of compressed noise as IDAT.</summary>
    private static byte[] Png(int width, int height, Random rng)
    {
        using var file = new MemoryStream();
        PngChunk.WriteStart(file, width, height, PngColorType.Rgb);
        var noise = new byte[rng.Next(2000, 8000)];
        rng.NextBytes(noise);
        using (var z = new MemoryStream())
        {
            using (var deflate = new ZLibStream(z, CompressionLevel.Fastest, leaveOpen: true)) deflate.Write(noise);
            PngChunk.Write(file, PngChunk.IDAT, z.ToArray());
        }
        PngChunk.Write(file, PngChunk.IEND, []);
        return file.ToArray();
    }
}
