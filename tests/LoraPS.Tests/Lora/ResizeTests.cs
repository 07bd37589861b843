using LoraPS.Formats.SafeTensors;
using LoraPS.Models.Lora;
using LoraPS.Tests.Support;
using LoraPS.Workflows.Lora;

namespace LoraPS.Tests.Lora;

public class ResizeTests
{
    /// <summary>Random orthonormal columns (Gram–Schmidt on a seeded matrix), n × k.</summary>
    private static double[,] Orthonormal(int n, int k, Random rng)
    {
        var q = new double[n, k];
        for (int j = 0; j < k; j++)
        {
            for (int i = 0; i < n; i++) q[i, j] = rng.NextDouble() * 2 - 1;
            for (int p = 0; p < j; p++)
            {
                double dot = 0;
                for (int i = 0; i < n; i++) dot += q[i, j] * q[i, p];
                for (int i = 0; i < n; i++) q[i, j] -= dot * q[i, p];
            }
            double norm = Math.Sqrt(Enumerable.Range(0, n).Sum(i => q[i, j] * q[i, j]));
            for (int i = 0; i < n; i++) q[i, j] /= norm;
        }
        return q;
    }

    /// <summary>A LoRA whose every module's up@down has exactly the singular values <paramref name="s"/>.</summary>
    private static void WriteKnownSpectrum(string path, IEnumerable<TestLayer> layers, double[] s, float alpha)
    {
        int r = s.Length;
        var rng = new Random(5);
        TestLoras.WriteLora(path, layers, rank: r, alpha: alpha, convRank: r, convAlpha: alpha, factors: layer =>
        {
            var u = Orthonormal(layer.Out, r, rng);
            var v = Orthonormal(layer.Columns, r, rng);
            var up = new float[layer.Out * r];
            var down = new float[r * layer.Columns];
            for (int i = 0; i < layer.Out; i++) for (int k = 0; k < r; k++) up[i * r + k] = (float)(u[i, k] * s[k]);
            for (int k = 0; k < r; k++) for (int j = 0; j < layer.Columns; j++) down[k * layer.Columns + j] = (float)v[j, k];
            return (down, up, r);
        });
    }

    private static readonly double[] Spectrum = { 10, 6, 3, 1.5, 0.5, 0.2, 0.05, 0.01 };

    // Expected ranks from sd-scripts' rules on this spectrum (index clamped to [1, len−1], rank = index + 1):
    //  sv_ratio 8: S > 10/8 → {10, 6, 3, 1.5} = 4 → rank 5.
    //  sv_fro 0.9: cumsum(S²)/ΣS² = .678, .922 ≥ .81 at i = 1 → index 2 → rank 3.
    //  sv_cumulative 0.9: cumsum(S)/ΣS = .470, .752, .893, .964 ≥ .9 at i = 3 → index 4 → rank 5.
    //  sv_ratio 500 keeps everything above 0.02: 7 → rank 8, then capped at 6.
    [Theory]
    [InlineData(ResizeMethod.SvRatio, 8.0, 8, 5)]
    [InlineData(ResizeMethod.SvFro, 0.9, 8, 3)]
    [InlineData(ResizeMethod.SvCumulative, 0.9, 8, 5)]
    [InlineData(ResizeMethod.SvRatio, 500.0, 6, 6)]
    [InlineData(ResizeMethod.Fixed, 0, 3, 3)]
    public void Each_rule_keeps_exactly_the_ranks_it_selects(ResizeMethod method, double param, int cap, int expected)
    {
        using var dir = new TempFolder("resize");
        var layers = TestLoras.Sd1Layers(width: 8, te: 16, conv: true, full: false).Where(l => l.Out >= 8 && l.Columns >= 8).ToList();
        WriteKnownSpectrum(dir.File("known.safetensors"), layers, Spectrum, alpha: 4);
        var result = ResizeLoraWorkflow.Run(new ResizeLoraOptions
        {
            Path = dir.File("known.safetensors"), OutputPath = dir.File("out.safetensors"), Rank = cap, Method = method, Parameter = param,
        });
        Assert.All(result.Modules, m => Assert.Equal(expected, m.NewRank));
        Assert.All(result.Modules, m => Assert.Equal(4.0 / 8 * expected, m.NewAlpha, 10));
        // The factor path everywhere the rank is below the layer's smaller side; no ties on this spectrum.
        var minSide = layers.ToDictionary(l => l.Name, l => Math.Min(l.Out, l.Columns));
        Assert.All(result.Modules, m => Assert.Equal(minSide[m.Module] <= 8, m.DenseSvd));
        Assert.All(result.Modules, m => Assert.False(m.Tie));
        Assert.Contains(result.Modules, m => !m.DenseSvd);
        double keptFro = Math.Sqrt(Spectrum.Take(expected).Sum(v => v * v) / Spectrum.Sum(v => v * v));
        Assert.All(result.Modules, m => Assert.Equal(keptFro, m.FroRetained, 4));
        Assert.All(result.Modules, m => Assert.Equal(Spectrum[0] / Spectrum[expected - 1], m.MaxRatio, 2));
        using var f = LoraFile.Open(result.OutputPath);
        Assert.All(f.Modules, m => Assert.Equal(expected, m.Rank));
        var md = f.Tensors.Metadata;
        Assert.Equal(method == ResizeMethod.Fixed ? "3" : "Dynamic", md["ss_network_dim"]);
        Assert.StartsWith(method == ResizeMethod.Fixed ? "dimension is resized from 8 to 3" : "Dynamic resize with", md["ss_training_comment"]);
        Assert.Matches("^[0-9a-f]{64}$", md["sshs_model_hash"]);
        Assert.Contains("| sum(S) retained:", result.Modules[0].ToVerboseLine(method != ResizeMethod.Fixed));
    }

    [Fact]
    public void Truncation_equals_the_best_rank_k_approximation_and_precision_is_applied()
    {
        using var dir = new TempFolder("resize");
        var layers = TestLoras.Sd1Layers(width: 8, te: 16, conv: true, full: false).Where(l => l.Out >= 8 && l.Columns >= 8).ToList();
        WriteKnownSpectrum(dir.File("known.safetensors"), layers, Spectrum, alpha: 8);
        var result = ResizeLoraWorkflow.Run(new ResizeLoraOptions
        {
            Path = dir.File("known.safetensors"), OutputPath = dir.File("half.safetensors"), Rank = 4, Precision = LoraPrecision.FP16,
        });
        using var f = LoraFile.Open(result.OutputPath);
        using var orig = LoraFile.Open(dir.File("known.safetensors"));
        Assert.Equal("fp16", result.Output!.Precision);
        Assert.All(f.Tensors.TensorNames, n => Assert.Equal(SafeTensorDType.F16, f.Tensors.GetInfo(n).DType));
        foreach (var m in f.Modules)
        {
            // ‖M − M_k‖_F² must be the dropped energy Σ_{i≥4} s_i² (Eckart–Young), to fp16 rounding.
            var o = orig.ModulesByName[m.Name];
            var full = TestLoras.Delta(new TestLoras.Factors(new TestLayer(m.Name, (int)o.OutFeatures, (int)o.InFeatures, o.KernelHeight), orig.Read(o, "down"), orig.Read(o, "up"), o.Rank, 1));
            var kept = TestLoras.Delta(new TestLoras.Factors(new TestLayer(m.Name, (int)m.OutFeatures, (int)m.InFeatures, m.KernelHeight), f.Read(m, "down"), f.Read(m, "up"), m.Rank, 1));
            double dropped = full.Zip(kept, (a, b) => (a - b) * (a - b)).Sum();
            Assert.Equal(Spectrum.Skip(4).Sum(v => v * v), dropped, 2);
            Assert.Equal(4, m.Rank);
            Assert.Equal(4.0, m.Alpha);
        }
    }

    [Fact]
    public void Compress_defaults_to_sv_ratio_16_fp16_and_reports_sizes()
    {
        using var dir = new TempFolder("compress");
        var layers = TestLoras.Sd1Layers(width: 8, te: 16, full: false).Where(l => l.Out >= 8 && l.Columns >= 8).ToList();
        WriteKnownSpectrum(dir.File("char lora.safetensors"), layers, Spectrum, alpha: 8);
        var result = CompressLoraWorkflow.Run(new CompressLoraOptions { Path = dir.File("char lora.safetensors") });
        Assert.Equal(dir.File("char lora-SvR16.safetensors"), result.OutputPath);
        // S > 10/16 = 0.625 → {10, 6, 3, 1.5} = 4 → rank 5.
        Assert.All(result.Modules, m => Assert.Equal(5, m.NewRank));
        Assert.Equal("fp16", result.Output!.Precision);
        Assert.True(result.SizeAfter < result.SizeBefore / 2, $"{result.SizeAfter} vs {result.SizeBefore}");
    }
}
