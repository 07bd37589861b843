using System.Diagnostics;
using LoraPS.Formats.SafeTensors;
using LoraPS.Models.Lora;
using LoraPS.Torch;
using LoraPS.Workflows.Lora;

namespace LoraPS.Bench;

/// <summary>
/// Resize-Lora of a synthetic SD1.5-shaped rank-128 LoCon (the full module list at real sizes, conv
/// 3×3 included) to rank 16 and to sv_ratio 16: SVD from the factors vs the dense SVD of every delta.
/// </summary>
public sealed class LoraResizeBenchmark : IBenchmark
{
    public string Name => "lora-resize";
    public string Description => "Resize a synthetic SD1.5 rank-128 LoCon to rank 16 and sv_ratio 16: factor SVD vs dense SVD per module (target ≥ 10×).";

    /// <summary>Writes a rank-<paramref name="rank"/> LoRA with a decaying spectrum (random factors scaled by 0.97^k).</summary>
    internal static string WriteLora(string dir, int rank)
    {
        string path = Path.Combine(dir, $"sd15-locon-r{rank}.safetensors");
        if (File.Exists(path)) return path;
        var rng = new Random(1234);
        var entries = new List<SafeTensorEntry>();
        foreach (var l in Sd15Shapes.LoconLayers())
        {
            var down = new float[rank * l.Columns];
            var up = new float[(long)l.Out * rank];
            for (long i = 0; i < down.Length; i++) down[i] = (float)(rng.NextDouble() - 0.5) * 0.05f;
            for (long i = 0; i < up.Length; i++) up[i] = (float)((rng.NextDouble() - 0.5) * 0.05 * Math.Pow(0.97, i % rank));
            entries.Add(SafeTensorEntry.FromSingles(l.Name + ".lora_down.weight", SafeTensorDType.F16, l.FourD ? new long[] { rank, l.In, l.K, l.K } : new long[] { rank, l.In }, down));
            entries.Add(SafeTensorEntry.FromSingles(l.Name + ".lora_up.weight", SafeTensorDType.F16, l.FourD ? new long[] { l.Out, rank, 1, 1 } : new long[] { l.Out, rank }, up));
            entries.Add(SafeTensorEntry.FromSingles(l.Name + ".alpha", SafeTensorDType.F16, Array.Empty<long>(), new float[] { rank / 2f }));
        }
        SafeTensorsWriter.Write(path, entries, new Dictionary<string, string> { ["ss_network_dim"] = rank.ToString(), ["ss_network_alpha"] = (rank / 2).ToString(), ["ss_base_model_version"] = "sd_v1" }, overwrite: true);
        return path;
    }

    private static double CpuSeconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    public void Run(TextWriter report)
    {
        string dir = Path.Combine(Path.GetTempPath(), "loraps-bench");
        Directory.CreateDirectory(dir);
        var clock = Stopwatch.StartNew();
        string lora = WriteLora(dir, 128);
        var info = ModelInfoWorkflow.InspectLora(lora);
        Console.Error.WriteLine($"synthetic LoRA: {info.ModuleCount} modules, {info.FileSize / 1048576.0:F0} MB, ready in {clock.Elapsed.TotalSeconds:F1} s");
        int threads = torch.get_num_threads();

        // A. The whole Resize-Lora workflow (read, SVD from the factors, write) on the full module list.
        (double Wall, double Cpu, ResizeLoraResult Result) Whole(ResizeMethod method, double param, int rank, string tag)
        {
            var sw = Stopwatch.StartNew();
            double cpu0 = CpuSeconds();
            var r = ResizeLoraWorkflow.Run(new ResizeLoraOptions
            {
                Path = lora, OutputPath = Path.Combine(dir, $"out-{tag}.safetensors"), Rank = rank, ConvRank = rank, Method = method, Parameter = param, Force = true,
            });
            var result = (sw.Elapsed.TotalSeconds, CpuSeconds() - cpu0, r);
            Console.Error.WriteLine($"{tag}: {result.Item1:F1} s wall, {result.Item2:F1} s CPU");
            return result;
        }
        var fixedFast = Whole(ResizeMethod.Fixed, 0, 16, "rank16");
        var ratioFast = Whole(ResizeMethod.SvRatio, 16, 128, "svratio16");

        // B. Per module shape: the SVD step both ways (from the factors vs dense SVD of up@down, which
        //    is what sd-scripts does), timed once per distinct shape, and both rank rules on both spectra.
        using var file = LoraFile.Open(lora);
        var groups = file.Modules.GroupBy(m => (m.OutFeatures, m.InFeatures * m.KernelHeight * m.KernelWidth)).ToList();
        double fastTotal = 0, denseTotal = 0, fastCpu = 0, denseCpu = 0;
        int rankMismatch = 0;
        double maxFroDiff = 0, maxSvRel = 0;
        var rows = new List<string>();
        foreach (var g in groups.OrderByDescending(g => (double)g.Key.Item1 * g.Key.Item2))
        {
            var m = g.First();
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var (up, down) = LoraTensors.Factors(file, m);
            var sw = Stopwatch.StartNew();
            double c0 = CpuSeconds();
            var (_, sFast, _) = LowRankSvd.FromFactors(up, down);
            double tFast = sw.Elapsed.TotalSeconds, cFast = CpuSeconds() - c0;
            sw.Restart(); c0 = CpuSeconds();
            var (_, sDense, _) = LowRankSvd.Dense(up.matmul(down));
            double tDense = sw.Elapsed.TotalSeconds, cDense = CpuSeconds() - c0;
            fastTotal += tFast * g.Count(); denseTotal += tDense * g.Count();
            fastCpu += cFast * g.Count(); denseCpu += cDense * g.Count();
            long full = Math.Min(m.OutFeatures, m.InFeatures * m.KernelHeight * m.KernelWidth);
            double[] a = Pad(sFast.data<float>(), full), b = Pad(sDense.data<float>(), full);
            for (int i = 0; i < m.Rank; i++) maxSvRel = Math.Max(maxSvRel, Math.Abs(a[i] - b[i]) / b[0]);
            foreach (var (method, param, cap) in new[] { (ResizeMethod.Fixed, 0.0, 16), (ResizeMethod.SvRatio, 16.0, 128) })
            {
                int ra = RankRule.NewRank(a, method, param, cap), rb = RankRule.NewRank(b, method, param, cap);
                if (ra != rb) rankMismatch++;
                maxFroDiff = Math.Max(maxFroDiff, Math.Abs(RankRule.Stats(a, ra).FroRetained - RankRule.Stats(b, rb).FroRetained));
            }
            rows.Add($"| {m.OutFeatures} × {m.InFeatures * m.KernelHeight * m.KernelWidth}{(m.KernelHeight > 1 ? " (3×3)" : "")} | {g.Count()} | {tFast * 1000:F0} ms | {tDense * 1000:F0} ms | {tDense / tFast:F0}× |");
            Console.Error.WriteLine(rows[^1]);
        }

        report.WriteLine($"Synthetic SD1.5 LoCon: {info.ModuleCount} modules ({info.Modules.Count(m => m.LayerKind == LoraLayerKind.Conv)} conv 3×3) at real layer sizes, rank 128, alpha 64, fp16, {info.FileSize / 1048576.0:F0} MB; libtorch {torch.__version__} CPU, {threads} threads.");
        report.WriteLine();
        report.WriteLine("Whole Resize-Lora run (read, SVD from the factors, write), full module list:");
        report.WriteLine();
        report.WriteLine("| resize | wall | CPU | output | kept ranks |");
        report.WriteLine("| --- | --- | --- | --- | --- |");
        foreach (var (name, r) in new[] { ("rank 16", fixedFast), ("sv_ratio 16 (cap 128)", ratioFast) })
            report.WriteLine($"| {name} | {r.Wall:F1} s | {r.Cpu:F1} s | {r.Result.SizeAfter / 1048576.0:F1} MB | {r.Result.Modules.Min(x => x.NewRank)}–{r.Result.Modules.Max(x => x.NewRank)} |");
        report.WriteLine();
        report.WriteLine("The SVD step per module shape, each timed once (wall), SVD of the factors vs dense SVD of up@down:");
        report.WriteLine();
        report.WriteLine("| module shape (out × in·k·k) | modules | factors | dense | speed-up |");
        report.WriteLine("| --- | --- | --- | --- | --- |");
        foreach (var row in rows) report.WriteLine(row);
        report.WriteLine();
        report.WriteLine($"Summed over the module list (time of each shape × its module count): factors {fastTotal:F1} s wall / {fastCpu:F1} s CPU, dense {denseTotal:F1} s wall / {denseCpu:F1} s CPU → **{denseTotal / fastTotal:F0}× (wall), {denseCpu / fastCpu:F0}× (CPU)**.");
        report.WriteLine($"Same selections: ranks that differ between the two spectra under rank 16 and sv_ratio 16: {rankMismatch}; largest difference in Frobenius retention {maxFroDiff:E1}; largest singular-value difference {maxSvRel:E1} of S₀.");
    }

    private static double[] Pad(float[] s, long full)
    {
        var r = new double[full];
        for (int i = 0; i < s.Length && i < full; i++) r[i] = s[i];
        return r;
    }
}
