using LoraPS.Formats;
using LoraPS.Formats.SafeTensors;
using LoraPS.Models;
using LoraPS.Models.Lora;
using LoraPS.Tests.Support;
using LoraPS.Workflows.Lora;

namespace LoraPS.Tests.Lora;

public class MergeTests
{
    private static void AssertClose(double[] expected, float[] actual, double tol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = Math.Max(1e-12, expected.Max(Math.Abs));
        double err = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(err <= tol * scale, $"{what}: max error {err:E3} > {tol:E0} × {scale:E3}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Merge_into_a_checkpoint_adds_ratio_times_scale_times_up_down_per_module(bool ckptBase)
    {
        using var dir = new TempFolder("merge");
        var layers = TestLoras.Sd1Layers(conv: true);
        string baseModel = dir.File(ckptBase ? "base model.ckpt" : "base model.safetensors");
        var w = TestCheckpoints.WriteSd1(baseModel, layers, ckpt: ckptBase);
        var a = TestLoras.WriteLora(dir.File("a.safetensors"), layers, rank: 4, alpha: 2, convRank: 2, convAlpha: 1, seed: 1);
        var b = TestLoras.WriteLora(dir.File("b.safetensors"), layers.Where(l => l.Name.Contains("attn")), rank: 3, alpha: 3, seed: 2);
        var result = MergeLoraWorkflow.Run(new MergeLoraOptions
        {
            Loras = new[] { dir.File("a.safetensors"), dir.File("b.safetensors") }, Ratios = new[] { 0.7, -0.5 },
            BaseModel = baseModel, OutputPath = dir.File("merged.safetensors"),
        });
        Assert.Equal(ModelFamily.SD1, result.Checkpoint!.Family);
        Assert.Empty(result.UnmatchedModules);
        Assert.Equal(a.Count, result.MergedModules);
        using var merged = SafeTensorsFile.Open(result.OutputPath);
        Assert.Equal(w.Count, merged.Tensors.Count);
        foreach (var layer in layers)
        {
            string key = TestCheckpoints.KeyOf(layer.Name);
            var expected = w[key].Values.Select(v => (double)v).ToArray();
            foreach (var (factors, ratio) in new[] { (a, 0.7), (b, -0.5) })
                if (factors.TryGetValue(layer.Name, out var f))
                {
                    var d = TestLoras.Delta(f);
                    for (int i = 0; i < d.Length; i++) expected[i] += ratio * f.Alpha / f.Rank * d[i];
                }
            AssertClose(expected, merged[key].ToSingleArray(), 1e-5, layer.Name);
            Assert.Equal(w[key].Shape, merged[key].ShapeArray());
        }
        Assert.Equal(w["first_stage_model.decoder.conv_out.weight"].Values, merged["first_stage_model.decoder.conv_out.weight"].ToSingleArray());
    }

    [Fact]
    public void Output_precision_and_loha_lokr_reconstruction()
    {
        using var dir = new TempFolder("merge");
        var layers = TestLoras.Sd1Layers(full: false);
        var fc1 = layers.First(l => l.Name.EndsWith("mlp_fc1")); // 32 × 8
        var projOut = layers.First(l => l.Name.EndsWith("proj_out")); // conv 1×1, 4 × 4
        string baseModel = dir.File("base.safetensors");
        var w = TestCheckpoints.WriteSd1(baseModel, layers, dtype: SafeTensorDType.F16);
        var rng = new Random(11);
        float[] w1a = TestLoras.Random(rng, 4 * 2), w1b = TestLoras.Random(rng, 2 * 4), w2a = TestLoras.Random(rng, 4 * 2), w2b = TestLoras.Random(rng, 2 * 4);
        float[] k1 = TestLoras.Random(rng, 4 * 2), k2a = TestLoras.Random(rng, 8 * 3), k2b = TestLoras.Random(rng, 3 * 4);
        SafeTensorsWriter.Write(dir.File("lyco.safetensors"), new[]
        {
            SafeTensorEntry.FromSingles(projOut.Name + ".hada_w1_a", SafeTensorDType.F32, new long[] { 4, 2 }, w1a),
            SafeTensorEntry.FromSingles(projOut.Name + ".hada_w1_b", SafeTensorDType.F32, new long[] { 2, 4 }, w1b),
            SafeTensorEntry.FromSingles(projOut.Name + ".hada_w2_a", SafeTensorDType.F32, new long[] { 4, 2 }, w2a),
            SafeTensorEntry.FromSingles(projOut.Name + ".hada_w2_b", SafeTensorDType.F32, new long[] { 2, 4 }, w2b),
            SafeTensorEntry.FromSingles(projOut.Name + ".alpha", SafeTensorDType.F32, Array.Empty<long>(), new float[] { 1 }),
            SafeTensorEntry.FromSingles(fc1.Name + ".lokr_w1", SafeTensorDType.F32, new long[] { 4, 2 }, k1),
            SafeTensorEntry.FromSingles(fc1.Name + ".lokr_w2_a", SafeTensorDType.F32, new long[] { 8, 3 }, k2a),
            SafeTensorEntry.FromSingles(fc1.Name + ".lokr_w2_b", SafeTensorDType.F32, new long[] { 3, 4 }, k2b),
            SafeTensorEntry.FromSingles(fc1.Name + ".alpha", SafeTensorDType.F32, Array.Empty<long>(), new float[] { 6 }),
        });
        var result = MergeLoraWorkflow.Run(new MergeLoraOptions
        {
            Loras = new[] { dir.File("lyco.safetensors") }, Ratios = new[] { 1.0 }, BaseModel = baseModel,
            OutputPath = dir.File("out.safetensors"), Precision = LoraPrecision.Float,
        });
        Assert.Equal("fp32", result.Checkpoint!.Precision);
        using var merged = SafeTensorsFile.Open(result.OutputPath);
        Assert.All(merged.Tensors, t => Assert.Equal(SafeTensorDType.F32, t.DType));

        // LoHa: (w1a@w1b) ⊙ (w2a@w2b) × α/r
        double Mm(float[] x, float[] y, int i, int j, int r, int n) { double s = 0; for (int k = 0; k < r; k++) s += x[i * r + k] * y[k * n + j]; return s; }
        var key = TestCheckpoints.KeyOf(projOut.Name);
        var expected = new double[16];
        for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++)
            expected[i * 4 + j] = w[key].Values[i * 4 + j] + Mm(w1a, w1b, i, j, 2, 4) * Mm(w2a, w2b, i, j, 2, 4) * 0.5;
        AssertClose(expected, merged[key].ToSingleArray(), 1e-5, "LoHa");

        // LoKr: kron(w1 [4,2], w2a@w2b [8,4]) × α/r (r = 3) → [32, 8]
        key = TestCheckpoints.KeyOf(fc1.Name);
        expected = new double[32 * 8];
        for (int a = 0; a < 4; a++) for (int b = 0; b < 8; b++) for (int c = 0; c < 2; c++) for (int d = 0; d < 4; d++)
            expected[(a * 8 + b) * 8 + c * 4 + d] = w[key].Values[(a * 8 + b) * 8 + c * 4 + d] + k1[a * 2 + c] * Mm(k2a, k2b, b, d, 3, 4) * 2.0;
        AssertClose(expected, merged[key].ToSingleArray(), 1e-5, "LoKr");
    }

    [Fact]
    public void Block_weights_zero_exactly_the_blocks_they_should()
    {
        using var dir = new TempFolder("merge");
        var layers = TestLoras.Sd1Layers(conv: true);
        string baseModel = dir.File("base.safetensors");
        var w = TestCheckpoints.WriteSd1(baseModel, layers);
        TestLoras.WriteLora(dir.File("locon.safetensors"), layers, rank: 2, alpha: 1, convRank: 2, convAlpha: 1);
        var face = BlockWeights.Parse("FACE");
        var result = MergeLoraWorkflow.Run(new MergeLoraOptions
        {
            Loras = new[] { dir.File("locon.safetensors") }, BlockWeights = new[] { face }, BaseModel = baseModel, OutputPath = dir.File("face.safetensors"),
        });
        using var merged = SafeTensorsFile.Open(result.OutputPath);
        int zeroed = 0, changed = 0;
        foreach (var layer in layers)
        {
            string key = TestCheckpoints.KeyOf(layer.Name);
            bool same = w[key].Values.SequenceEqual(merged[key].ToSingleArray());
            int slot = BlockWeights.SlotOf(layer.Name)!.Value;
            Assert.True(face[slot] == 0 ? same : !same, $"{layer.Name} (slot {BlockWeights.SlotNames[slot]}, weight {face[slot]})");
            if (same) zeroed++; else changed++;
        }
        Assert.True(zeroed > 0 && changed > 0);
        // BASE (text encoder) is 0 in FACE; OUT01 = up_blocks_0_resnets_1 is 0; IN04 = down_blocks_1 attention 0 is 1.
        Assert.Equal(0, face[0]);
        Assert.Equal(0, BlockWeights.Parse("FACE").For("lora_unet_up_blocks_0_resnets_1_conv1"));
        Assert.Equal(1, BlockWeights.Parse("FACE").For("lora_unet_down_blocks_1_attentions_0_proj_in"));
    }

    [Fact]
    public void Block_weight_forms_and_slots()
    {
        var w17 = BlockWeights.Parse("1,0,0,0,0,0,0,0,0,0,0,0,1,1,1,1,1"); // OUTS
        Assert.Equal(1, w17.For("lora_te_text_model_encoder_layers_0_mlp_fc1"));
        Assert.Equal(0, w17.For("lora_unet_down_blocks_0_attentions_0_proj_in")); // IN01
        Assert.Equal(1, w17.For("lora_unet_up_blocks_2_attentions_1_proj_in")); // OUT07
        Assert.Equal(0, w17.For("lora_unet_up_blocks_1_attentions_0_proj_in")); // OUT03
        Assert.Equal(1, w17.For("lora_unet_down_blocks_0_downsamplers_0_conv")); // IN03 not in the 17 form: keeps 1
        var xl = BlockWeights.Parse("0,1,1,1,1,0,0,0,0,0,0,0"); // 12-value SDXL: BASE, IN04, IN05, IN07, IN08, M00, OUT00..05
        Assert.Equal(1, xl.For("lora_unet_input_blocks_4_1_proj_in"));
        Assert.Equal(0, xl.For("lora_unet_middle_block_1_proj_in"));
        Assert.Equal(0, xl.For("lora_unet_output_blocks_5_1_proj_in"));
        Assert.Equal(14 + 3, BlockWeights.SlotOf("lora_unet_output_blocks_3_1_proj_in"));
        Assert.Equal(1 + 3 * 2, BlockWeights.SlotOf("lora_unet_down_blocks_1_downsamplers_0_conv")); // IN06
        Assert.Equal(14 + 2, BlockWeights.SlotOf("lora_unet_up_blocks_0_upsamplers_0_conv")); // OUT02
        Assert.Throws<FormatException>(() => BlockWeights.Parse("1,2,3"));
        Assert.Throws<FormatException>(() => BlockWeights.Parse("NOPE"));
    }

    [Fact]
    public void Concatenation_merge_is_exact()
    {
        using var dir = new TempFolder("merge");
        var layers = TestLoras.Sd1Layers(conv: true, full: false);
        var a = TestLoras.WriteLora(dir.File("a.safetensors"), layers, 4, 2, 2, 1, seed: 1);
        var b = TestLoras.WriteLora(dir.File("b.safetensors"), layers, 3, 1.5f, 1, 1, seed: 2);
        var result = MergeLoraWorkflow.Run(new MergeLoraOptions
        {
            Loras = new[] { dir.File("a.safetensors"), dir.File("b.safetensors") }, Ratios = new[] { 1.0, -0.4 }, OutputPath = dir.File("cat.safetensors"),
        });
        var lora = result.Lora!;
        using var f = LoraFile.Open(result.OutputPath);
        foreach (var layer in layers)
        {
            var m = f.ModulesByName[layer.Name];
            Assert.Equal(a[layer.Name].Rank + b[layer.Name].Rank, m.Rank);
            Assert.Equal(1.0, m.Scale, 12);
            var expected = TestLoras.Delta(a[layer.Name]).Zip(TestLoras.Delta(b[layer.Name]), (x, y) => x * a[layer.Name].Alpha / a[layer.Name].Rank - 0.4 * y * b[layer.Name].Alpha / b[layer.Name].Rank).ToArray();
            var got = TestLoras.Delta(new TestLoras.Factors(layer, f.Read(m, "down"), f.Read(m, "up"), m.Rank, (float)m.Alpha)).Select(v => (float)v).ToArray();
            AssertClose(expected, got, 1e-5, layer.Name);
        }
        Assert.Equal(layers.Count, lora.ModuleCount);
    }

    [Fact]
    public void Svd_merge_at_full_rank_reproduces_the_summed_deltas_and_clamps_otherwise()
    {
        using var dir = new TempFolder("merge");
        var layers = TestLoras.Sd1Layers(conv: true, full: false);
        var a = TestLoras.WriteLora(dir.File("copier a.safetensors"), layers, 2, 1, 2, 1, seed: 3);
        var b = TestLoras.WriteLora(dir.File("copier b.safetensors"), layers, 2, 2, 2, 2, seed: 4);
        var result = MergeLoraWorkflow.Run(new MergeLoraOptions
        {
            Loras = new[] { dir.File("copier a.safetensors"), dir.File("copier b.safetensors") }, Ratios = new[] { 1.0, -1.0 },
            OutputPath = dir.File("diff.safetensors"), Mode = LoraMergeMode.Svd, Rank = 64, ConvRank = 64, ClampQuantile = 1.0,
        });
        using var f = LoraFile.Open(result.OutputPath);
        foreach (var layer in layers)
        {
            var m = f.ModulesByName[layer.Name];
            Assert.Equal(Math.Min(64, Math.Min(layer.Out, layer.Columns)), m.Rank);
            Assert.Equal(m.Rank, m.Alpha);
            var fa = a[layer.Name]; var fb = b[layer.Name];
            var expected = TestLoras.Delta(fa).Zip(TestLoras.Delta(fb), (x, y) => x * fa.Alpha / fa.Rank - y * fb.Alpha / fb.Rank).ToArray();
            var got = TestLoras.Delta(new TestLoras.Factors(layer, f.Read(m, "down"), f.Read(m, "up"), m.Rank, 1)).Select(v => (float)v).ToArray();
            AssertClose(expected, got, 1e-4, layer.Name);
        }

        var clamped = MergeLoraWorkflow.Run(new MergeLoraOptions
        {
            Loras = new[] { dir.File("copier a.safetensors"), dir.File("copier b.safetensors") }, Ratios = new[] { 1.0, -1.0 },
            OutputPath = dir.File("diff2.safetensors"), Mode = LoraMergeMode.Svd, Rank = 2, ConvRank = 1,
        });
        using var g = LoraFile.Open(clamped.OutputPath);
        var ff = g.Modules.First(x => x.Name.EndsWith("ff_net_0_proj"));
        Assert.Equal(2, ff.Rank);
        var values = g.Read(ff, "up").Concat(g.Read(ff, "down")).ToArray();
        double hi = values.Max();
        Assert.True(values.Count(v => v == hi) >= 1 && values.All(v => Math.Abs(v) <= hi + 1e-7)); // clamped to ± the 0.99 quantile
        Assert.Equal(1, g.Modules.First(x => x.LayerKind == LoraLayerKind.Conv).Rank);
    }

    [Fact]
    public void Bad_input_gives_a_clear_error_and_no_output_and_dry_run_writes_nothing()
    {
        using var dir = new TempFolder("merge");
        var layers = TestLoras.Sd1Layers(full: false);
        TestLoras.WriteLora(dir.File("good.safetensors"), layers, 2, 1);
        File.WriteAllBytes(dir.File("broken.safetensors"), File.ReadAllBytes(dir.File("good.safetensors"))[..100]);
        var e = Assert.ThrowsAny<InvalidFileException>(() => MergeLoraWorkflow.Run(new MergeLoraOptions
        {
            Loras = new[] { dir.File("good.safetensors"), dir.File("broken.safetensors") }, OutputPath = dir.File("out.safetensors"),
        }));
        Assert.Contains("broken.safetensors", e.Message);
        Assert.False(File.Exists(dir.File("out.safetensors")));

        TestCheckpoints.WriteSd1(dir.File("base.safetensors"), layers);
        var dry = MergeLoraWorkflow.Run(new MergeLoraOptions
        {
            Loras = new[] { dir.File("good.safetensors") }, BaseModel = dir.File("base.safetensors"), OutputPath = dir.File("out.safetensors"), DryRun = true,
        });
        Assert.False(dry.Written);
        var resized = ResizeLoraWorkflow.Run(new ResizeLoraOptions { Path = dir.File("good.safetensors"), Rank = 1, DryRun = true });
        Assert.False(resized.Written);
        Assert.Equal(new[] { "base.safetensors", "broken.safetensors", "good.safetensors" }, Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Extracting_from_a_rank_r_difference_reproduces_it()
    {
        using var dir = new TempFolder("extract");
        var layers = TestLoras.Sd1Layers(conv: true, full: false);
        var w = TestCheckpoints.WriteSd1(dir.File("base.safetensors"), layers);
        var delta = TestLoras.WriteLora(dir.File("delta.safetensors"), layers, rank: 2, alpha: 2, convRank: 2, convAlpha: 2, seed: 9);
        // W_tuned = W + Δ on the UNet only (the text encoder stays the same and must be dropped).
        TestCheckpoints.WriteSd1(dir.File("tuned.safetensors"), layers, edit: (key, v) =>
        {
            var layer = layers.FirstOrDefault(l => TestCheckpoints.KeyOf(l.Name) == key && !l.Name.StartsWith("lora_te"));
            if (layer == null) return v;
            var d = TestLoras.Delta(delta[layer.Name]);
            return v.Select((x, i) => (float)(x + d[i])).ToArray();
        });
        var result = ExtractLoraWorkflow.Run(new ExtractLoraOptions
        {
            BaseModel = dir.File("base.safetensors"), TunedModel = dir.File("tuned.safetensors"), OutputPath = dir.File("extracted.safetensors"),
            Rank = 2, ConvRank = 2, ClampQuantile = 1.0,
        });
        Assert.True(result.TextEncoderSkipped);
        using var f = LoraFile.Open(result.OutputPath);
        var unetLayers = layers.Where(l => !l.Name.StartsWith("lora_te")).ToList();
        Assert.Equal(unetLayers.Select(l => l.Name).Order(), f.Modules.Select(m => m.Name).Order());
        foreach (var layer in unetLayers)
        {
            var m = f.ModulesByName[layer.Name];
            var got = TestLoras.Delta(new TestLoras.Factors(layer, f.Read(m, "down"), f.Read(m, "up"), m.Rank, 1)).Select(v => (float)v).ToArray();
            AssertClose(TestLoras.Delta(delta[layer.Name]), got, 1e-4, layer.Name);
        }
        Assert.Equal("networks.lora", f.Tensors.Metadata["ss_network_module"]);
    }
}
