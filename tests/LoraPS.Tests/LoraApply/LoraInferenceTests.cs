using LoraPS.Formats.SafeTensors;
using LoraPS.Models.Lora;
using LoraPS.Models.Lora.Inference;
using LoraPS.Models.StableDiffusion.TextEncoders;
using LoraPS.Models.StableDiffusion.UNet;
using LoraPS.Tests.Lora;
using LoraPS.Tests.Support;
using LoraPS.Torch;
using static LoraPS.Tests.LoraApply.InferenceModels;

namespace LoraPS.Tests.LoraApply;

/// <summary>LoRAs applied at inference on a tiny random text encoder and UNet, checked against the same models with the weights merged in memory.</summary>
public sealed class LoraInferenceTests
{
    private const double TeStrength = 0.7, UNetStrength = -0.6;
    private readonly Xunit.Abstractions.ITestOutputHelper output;

    public LoraInferenceTests(Xunit.Abstractions.ITestOutputHelper output) => this.output = output;

    /// <summary>Writes a LoRA of <paramref name="kind"/> over the models' layers; returns each module's delta and scale (alpha/r).</summary>
    private static Dictionary<string, (double[] Delta, double Scale)> WriteKind(string kind, string path, ClipTextEncoder te, UNet2DConditionModel unet)
    {
        var layers = AllLayers(te, unet);
        Dictionary<string, (double[], double)> FromFactors(Dictionary<string, TestLoras.Factors> f) =>
            f.ToDictionary(kv => kv.Key, kv => (TestLoras.Delta(kv.Value), (double)kv.Value.Alpha / kv.Value.Rank));
        return kind switch
        {
            "lora linear" => FromFactors(TestLoras.WriteLora(path, layers.Where(l => !l.FourD), rank: 4, alpha: 2)),
            "lora conv 1x1" => FromFactors(TestLoras.WriteLora(path, layers.Where(l => l.FourD && l.K == 1), rank: 3, alpha: 1)),
            "locon conv 3x3" => FromFactors(TestLoras.WriteLora(path, layers.Where(l => l.K == 3), rank: 2, alpha: 2, convRank: 3, convAlpha: 1.5f)),
            "loha" => WriteLoha(path, layers.Where(l => !l.FourD || l.K == 3), rank: 2, alpha: 1, seed: 3),
            "lokr" => WriteLokr(path, layers, rank: 2, alpha: 3, seed: 4),
            "peft" => FromFactors(TestLoras.WriteLora(path, layers, rank: 2, alpha: 1, convRank: 2, convAlpha: 1, peft: true)),
            "dylora" => FromFactors(TestLoras.WriteLora(path, layers, rank: 4, alpha: 4, convRank: 2, convAlpha: 2,
                metadata: new Dictionary<string, string> { ["ss_network_module"] = "networks.dylora" })),
            _ => throw new ArgumentException(kind),
        };
    }

    [Theory]
    [InlineData("lora linear")]
    [InlineData("lora conv 1x1")]
    [InlineData("locon conv 3x3")]
    [InlineData("loha")]
    [InlineData("lokr")]
    [InlineData("peft")]
    [InlineData("dylora")]
    public void Strength_s_equals_merged_weights_strength_0_and_dispose_are_bit_identical(string kind)
    {
        using var folder = new TempFolder("lora inference ü");
        using var te = NewTextEncoder();
        using var unet = NewUNet();
        string path = folder.File($"my {kind} ü.safetensors");
        var deltas = WriteKind(kind, path, te, unet);
        Assert.NotEmpty(deltas);
        using var ids = Ids(1);
        using var x = new UNetInputs(2);
        float[] text0 = Encode(te, ids), out0 = Denoise(unet, x);

        using var lora = LoraFile.Open(path);
        Assert.Equal(kind == "peft" ? LoraKeyLayout.Diffusers : LoraKeyLayout.Kohya, lora.Layout);
        using (var zero = LoraInference.Apply(lora, 0, 0, te, unet))
        {
            Assert.Empty(zero.AppliedModules);
            Assert.Empty(zero.UnmatchedModules);
            Assert.Equal(deltas.Count, zero.SkippedModules.Count);
            Assert.Equal(0, AdapterCount(te) + AdapterCount(unet));
            Assert.Equal(text0, Encode(te, ids));
            Assert.Equal(out0, Denoise(unet, x));
        }

        using var mergedTe = Copy(te);
        using var mergedUNet = Copy(unet);
        foreach (var (name, (delta, scale)) in deltas)
            Merge(mergedTe, mergedUNet, name, delta, (name.StartsWith("lora_te_", StringComparison.Ordinal) ? TeStrength : UNetStrength) * scale);
        float[] textMerged = Encode(mergedTe, ids), outMerged = Denoise(mergedUNet, x);

        var applied = LoraInference.Apply(lora, TeStrength, UNetStrength, te, unet);
        Assert.Equal("my " + kind + " ü", applied.Name);
        Assert.Equal(deltas.Keys.OrderBy(k => k, StringComparer.Ordinal), applied.AppliedModules.OrderBy(k => k, StringComparer.Ordinal));
        Assert.Empty(applied.UnmatchedModules);
        Assert.Equal(deltas.Count, AdapterCount(te) + AdapterCount(unet));
        float[] textLora = Encode(te, ids), outLora = Denoise(unet, x);
        if (deltas.Keys.Any(k => k.StartsWith("lora_te_", StringComparison.Ordinal)))
        {
            AssertChanged(text0, textLora, kind + " text");
            output.WriteLine($"{kind} text: relative error {AssertClose(textMerged, textLora, kind + " text"):E2}");
        }
        else Assert.Equal(text0, textLora);
        AssertChanged(out0, outLora, kind + " unet");
        output.WriteLine($"{kind} unet: relative error {AssertClose(outMerged, outLora, kind + " unet"):E2}");

        var adapters = te.named_modules().Concat(unet.named_modules()).SelectMany(m => m.module switch
        {
            LoraPS.Torch.Modules.Linear l => l.adapters,
            LoraPS.Torch.Modules.Conv2d c => c.adapters,
            _ => Array.Empty<LoraPS.Torch.Modules.ILayerAdapter>(),
        }).ToList();
        applied.Dispose();
        Assert.True(applied.IsRemoved);
        Assert.All(adapters, a => Assert.True(a switch
        {
            LowRankAdapter l => l.Down.IsInvalid && l.Up.IsInvalid,
            DenseDeltaAdapter d => d.Delta.IsInvalid,
            _ => false,
        }));
        Assert.Equal(0, AdapterCount(te) + AdapterCount(unet));
        Assert.Equal(text0, Encode(te, ids));
        Assert.Equal(out0, Denoise(unet, x));
        applied.Dispose(); // twice is harmless
    }

    [Fact]
    public void Two_loras_stack_as_the_merged_sum_and_disposing_one_leaves_the_other()
    {
        using var folder = new TempFolder("lora stack");
        using var te = NewTextEncoder();
        using var unet = NewUNet();
        var layers = AllLayers(te, unet);
        var a = TestLoras.WriteLora(folder.File("a.safetensors"), layers, rank: 4, alpha: 2, convRank: 2, convAlpha: 1, seed: 1);
        var b = TestLoras.WriteLora(folder.File("b.safetensors"), layers.Where(l => l.Name.Contains("attn") || l.Name.Contains("mlp")), rank: 3, alpha: 3, seed: 2);
        using var ids = Ids(3);
        using var x = new UNetInputs(4);
        float[] text0 = Encode(te, ids), out0 = Denoise(unet, x);

        using var bothTe = Copy(te);
        using var bothUNet = Copy(unet);
        Merge(bothTe, bothUNet, a, 0.8, 0.5);
        Merge(bothTe, bothUNet, b, -0.4, 1.2);
        using var onlyBTe = Copy(te);
        using var onlyBUNet = Copy(unet);
        Merge(onlyBTe, onlyBUNet, b, -0.4, 1.2);

        using var fileA = LoraFile.Open(folder.File("a.safetensors"));
        using var fileB = LoraFile.Open(folder.File("b.safetensors"));
        var appliedA = LoraInference.Apply(fileA, 0.8, 0.5, te, unet);
        using var appliedB = LoraInference.Apply(fileB, -0.4, 1.2, te, unet);
        Assert.Equal(a.Count + b.Count, AdapterCount(te) + AdapterCount(unet));
        AssertClose(Encode(bothTe, ids), Encode(te, ids), "both, text");
        AssertClose(Denoise(bothUNet, x), Denoise(unet, x), "both, unet");

        appliedA.Dispose();
        Assert.Equal(b.Count, AdapterCount(te) + AdapterCount(unet));
        AssertClose(Encode(onlyBTe, ids), Encode(te, ids), "b alone, text");
        AssertClose(Denoise(onlyBUNet, x), Denoise(unet, x), "b alone, unet");

        appliedB.Dispose();
        Assert.Equal(text0, Encode(te, ids));
        Assert.Equal(out0, Denoise(unet, x));
    }

    [Fact]
    public void Modules_without_a_layer_are_listed_and_a_missing_model_skips_its_part()
    {
        using var folder = new TempFolder("lora unmatched");
        using var te = NewTextEncoder();
        using var unet = NewUNet();
        var layers = AllLayers(te, unet);
        var extra = new[]
        {
            new TestLayer("lora_te_text_model_encoder_layers_5_mlp_fc1", 32, 8),                                  // a layer the 2-layer encoder lacks
            new TestLayer("lora_unet_down_blocks_3_attentions_0_transformer_blocks_0_attn1_to_q", 8, 8),          // a level the tiny UNet lacks
            new TestLayer("lora_unet_input_blocks_4_1_proj_in", 8, 8),                                          // SDXL (SAI) naming
        };
        var written = TestLoras.WriteLora(folder.File("extra.safetensors"), layers.Concat(extra), rank: 2, alpha: 1);
        using var lora = LoraFile.Open(folder.File("extra.safetensors"));
        using var x = new UNetInputs(5);

        using (var applied = LoraInference.Apply(lora, 1, 1, te, unet))
        {
            Assert.Equal(extra.Select(e => e.Name).OrderBy(n => n, StringComparer.Ordinal), applied.UnmatchedModules.OrderBy(n => n, StringComparer.Ordinal));
            Assert.Equal(written.Count - extra.Length, applied.AppliedModules.Count);
            Assert.Empty(applied.SkippedModules);
        }

        // UNet only: the text encoder's modules are skipped (not unmatched), the UNet's applied.
        using var merged = Copy(unet);
        Merge(null, merged, written.Where(kv => layers.Any(l => l.Name == kv.Key) && kv.Key.StartsWith("lora_unet_", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => kv.Value), 0, 0.9);
        using (var unetOnly = LoraInference.Apply(lora, 1, 0.9, null, unet))
        {
            Assert.Equal(written.Keys.Where(k => k.StartsWith("lora_te_", StringComparison.Ordinal)).OrderBy(n => n, StringComparer.Ordinal),
                unetOnly.SkippedModules.OrderBy(n => n, StringComparer.Ordinal));
            Assert.Equal(extra.Where(e => e.Name.StartsWith("lora_unet_", StringComparison.Ordinal)).Select(e => e.Name).OrderBy(n => n, StringComparer.Ordinal),
                unetOnly.UnmatchedModules.OrderBy(n => n, StringComparer.Ordinal));
            Assert.Equal(0, AdapterCount(te));
            AssertClose(Denoise(merged, x), Denoise(unet, x), "unet only");
        }

        // Text encoder strength 0: its modules get no adapter.
        using (var teZero = LoraInference.Apply(lora, 0, 1, te, unet))
        {
            Assert.Equal(0, AdapterCount(te));
            Assert.All(teZero.AppliedModules, m => Assert.StartsWith("lora_unet_", m));
            Assert.Contains("lora_te_text_model_encoder_layers_0_mlp_fc2", teZero.SkippedModules);
        }
    }

    [Fact]
    public void A_lora_for_another_context_width_is_refused_naming_modules_and_shapes_and_nothing_is_applied()
    {
        using var folder = new TempFolder("lora mismatch");
        // The LoRA was trained on a UNet with context width 10 (as SD2's 1024 against SD1's 768).
        using var other = NewUNet(TinyUNet(context: 10));
        using var te = NewTextEncoder();
        using var unet = NewUNet();
        TestLoras.WriteLora(folder.File("other model.safetensors"), LayersOf(te, "lora_te_").Concat(LayersOf(other, "lora_unet_")), rank: 2, alpha: 1);
        using var lora = LoraFile.Open(folder.File("other model.safetensors"));
        var e = Assert.Throws<LoraModelMismatchException>(() => LoraInference.Apply(lora, 1, 1, te, unet));
        // attn2 to_k and to_v of the 6 transformers: 2 down and 3 up on level 0, 1 in the middle.
        Assert.All(e.Mismatches, m => Assert.Matches("attn2_to_(k|v)$", m.Module));
        Assert.Equal(2 * (2 + 1 + 3), e.Mismatches.Count);
        var first = e.Mismatches[0];
        Assert.Equal(new long[] { 8, 10 }, first.LoraShape);
        Assert.Equal(new long[] { 8, 6 }, first.LayerShape);
        Assert.Contains(first.Module, e.Message);
        Assert.Contains("[8, 10]", e.Message);
        Assert.Contains("[8, 6]", e.Message);
        Assert.Contains("other model.safetensors", e.Message);
        Assert.Equal(0, AdapterCount(te) + AdapterCount(unet));
    }

    [Fact]
    public void Block_weights_scale_each_unet_module_by_its_block_and_zero_skips_it()
    {
        using var folder = new TempFolder("lora lbw");
        using var te = NewTextEncoder();
        using var unet = NewUNet();
        var lora = TestLoras.WriteLora(folder.File("lbw.safetensors"), AllLayers(te, unet), rank: 2, alpha: 2, convRank: 2, convAlpha: 1);
        // BASE (text encoder) 0.5, IN01 0, IN02 0.25, IN04 2, M00 0, OUT00 -1; the rest 1.
        var weights = BlockWeights.Parse("0.5,1,0,0.25,1,2,1,1,1,1,1,1,1,0,-1,1,1,1,1,1,1,1,1,1,1,1");
        using var ids = Ids(6);
        using var x = new UNetInputs(7);
        using var mergedTe = Copy(te);
        using var mergedUNet = Copy(unet);
        Merge(mergedTe, mergedUNet, lora, 0.8, 0.6, weights.For);

        using var file = LoraFile.Open(folder.File("lbw.safetensors"));
        using var applied = LoraInference.Apply(file, 0.8, 0.6, te, unet, weights);
        Assert.Contains("lora_unet_down_blocks_0_attentions_0_proj_in", applied.SkippedModules);        // IN01
        Assert.Contains("lora_unet_mid_block_attentions_0_transformer_blocks_0_attn1_to_q", applied.SkippedModules); // M00
        Assert.Contains("lora_unet_down_blocks_0_resnets_1_conv1", applied.AppliedModules);           // IN02
        Assert.Contains("lora_unet_conv_in", applied.AppliedModules);                                // outside the blocks: 1
        Assert.Equal(lora.Count, applied.AppliedModules.Count + applied.SkippedModules.Count);
        AssertClose(Encode(mergedTe, ids), Encode(te, ids), "text (BASE)");
        AssertClose(Denoise(mergedUNet, x), Denoise(unet, x), "unet");
    }

    [Fact]
    public void A_conv_1x1_lora_fits_linear_projections_and_a_linear_lora_fits_1x1_convolutions()
    {
        using var folder = new TempFolder("lora proj");
        using var linearUNet = NewUNet(TinyUNet(linear: true));
        using var convUNet = NewUNet(TinyUNet(linear: false));
        // SD1-style (4-D 1×1) proj_in/proj_out factors on the SD2-style linear UNet, and the reverse.
        var fourD = LayersOf(convUNet, "lora_unet_").Where(l => l.Name.EndsWith("proj_in") || l.Name.EndsWith("proj_out")).ToList();
        var twoD = LayersOf(linearUNet, "lora_unet_").Where(l => l.Name.EndsWith("proj_in") || l.Name.EndsWith("proj_out")).ToList();
        Assert.All(fourD, l => Assert.True(l.FourD));
        Assert.All(twoD, l => Assert.False(l.FourD));
        using var x = new UNetInputs(8);
        foreach (var (unet, layers) in new[] { (linearUNet, fourD), (convUNet, twoD) })
        {
            string path = folder.File($"proj {layers[0].FourD}.safetensors");
            var factors = TestLoras.WriteLora(path, layers, rank: 3, alpha: 1);
            using var merged = Copy(unet);
            Merge(null, merged, factors, 0, 0.75);
            using var file = LoraFile.Open(path);
            using var applied = LoraInference.Apply(file, 1, 0.75, null, unet);
            Assert.Equal(layers.Count, applied.AppliedModules.Count);
            AssertClose(Denoise(merged, x), Denoise(unet, x), path);
        }
    }

    [Fact]
    public void A_DoRA_module_is_refused_with_the_file_and_module_named()
    {
        using var folder = new TempFolder("lora dora");
        using var unet = NewUNet();
        var layer = LayersOf(unet, "lora_unet_").First(l => l.Name.EndsWith("attn1_to_q"));
        string path = folder.File("dora.safetensors");
        SafeTensorsWriter.Write(path, new[]
        {
            SafeTensorEntry.FromSingles(layer.Name + ".lora_down.weight", SafeTensorDType.F32, new long[] { 2, layer.In }, new float[2 * layer.In]),
            SafeTensorEntry.FromSingles(layer.Name + ".lora_up.weight", SafeTensorDType.F32, new long[] { layer.Out, 2 }, new float[layer.Out * 2]),
            SafeTensorEntry.FromSingles(layer.Name + ".dora_scale", SafeTensorDType.F32, new long[] { 1, layer.In }, new float[layer.In]),
        });
        using var file = LoraFile.Open(path);
        var e = Assert.Throws<NotSupportedException>(() => LoraInference.Apply(file, 1, 1, null, unet));
        Assert.Contains(layer.Name, e.Message);
        Assert.Contains("dora.safetensors", e.Message);
        Assert.Equal(0, AdapterCount(unet));
    }

    [Fact]
    public void Adapters_follow_the_layer_dtype_when_applied_and_after_the_model_is_converted()
    {
        using var folder = new TempFolder("lora dtype");
        using var te = NewTextEncoder();
        var factors = TestLoras.WriteLora(folder.File("te.safetensors"), LayersOf(te, "lora_te_"), rank: 2, alpha: 1);
        using var ids = Ids(9);
        using var merged = Copy(te);
        merged.to(ScalarType.Float64);
        Merge(merged, null, factors, 0.5, 0); // merged in float64
        double[] expected = Encode64(merged, ids);

        // Applied to a float64 model: the adapter computes in float64 (a float32 path would be off by ~1e-7).
        using var file = LoraFile.Open(folder.File("te.safetensors"));
        using (var wide = Copy(te))
        {
            wide.to(ScalarType.Float64);
            using var applied = LoraInference.Apply(file, 0.5, 0, wide, null);
            var adapter = Assert.IsType<LowRankAdapter>(FirstLinear(wide).adapters.Single());
            Assert.Equal(ScalarType.Float64, adapter.Down.dtype);
            Assert.Equal(ScalarType.Float64, adapter.Up.dtype);
            AssertClose64(expected, Encode64(wide, ids), 1e-10, "applied to float64");
        }

        // Applied in float32, then the model is converted: the adapter follows at the next forward.
        using var later = Copy(te);
        using var appliedEarly = LoraInference.Apply(file, 0.5, 0, later, null);
        var early = Assert.IsType<LowRankAdapter>(FirstLinear(later).adapters.Single());
        Assert.Equal(ScalarType.Float32, early.Down.dtype);
        later.to(ScalarType.Float64);
        AssertClose64(expected, Encode64(later, ids), 1e-5, "converted after applying");
        Assert.Equal(ScalarType.Float64, early.Down.dtype);

        static double[] Encode64(ClipTextEncoder e, Tensor ids)
        {
            using var _ = torch.no_grad();
            using var hidden = e.Encode(ids);
            return hidden.data<double>();
        }

        static void AssertClose64(double[] expected, double[] actual, double tolerance, string what)
        {
            double scale = expected.Max(Math.Abs);
            double error = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(error <= tolerance * scale, $"{what}: max error {error:E3} > {tolerance:E0} × {scale:E3}");
        }
    }

    private static LoraPS.Torch.Modules.Linear FirstLinear(ClipTextEncoder te) =>
        te.named_modules().Select(m => m.module).OfType<LoraPS.Torch.Modules.Linear>().First();

    [Fact]
    public void Non_finite_strengths_are_refused()
    {
        using var folder = new TempFolder("lora nan");
        using var te = NewTextEncoder();
        TestLoras.WriteLora(folder.File("l.safetensors"), LayersOf(te, "lora_te_"), rank: 2, alpha: 1);
        using var file = LoraFile.Open(folder.File("l.safetensors"));
        Assert.Throws<ArgumentOutOfRangeException>(() => LoraInference.Apply(file, double.NaN, 1, te, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => LoraInference.Apply(file, 1, double.PositiveInfinity, te, null));
        Assert.Equal(0, AdapterCount(te));
    }
}
