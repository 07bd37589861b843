using LoraPS.Formats;
using LoraPS.Formats.SafeTensors;
using LoraPS.Models.Lora;
using LoraPS.Models.Lora.Inference;
using LoraPS.Models.StableDiffusion.TextEncoders;
using LoraPS.Models.StableDiffusion.UNet;
using LoraPS.Tests.Lora;
using LoraPS.Tests.Support;
using LoraPS.Tests.TextEncoders;
using LoraPS.Tests.UNet;
using LoraPS.Torch;
using static LoraPS.Tests.LoraApply.InferenceModels;

namespace LoraPS.Tests.LoraApply;

/// <summary>LoRAs in kohya's SD1 names on the tiny SD1 reference model (real key layout, loaded from its checkpoint).</summary>
public sealed class LoraInferenceReferenceTests
{
    private readonly Xunit.Abstractions.ITestOutputHelper output;

    public LoraInferenceReferenceTests(Xunit.Abstractions.ITestOutputHelper output) => this.output = output;

    private static (ClipTextEncoder Te, UNet2DConditionModel UNet) Load()
    {
        using var file = TensorFiles.Open(ClipTextEncoderWeightsTests.Model("sd1"));
        var te = ClipTextEncoder.FromCheckpoint(file, ClipTextEncoderWeightsTests.Config("sd1"));
        var unet = UNet2DConditionModel.FromCheckpoint(file, UNetConfig.FromModelJson(UNetParityTests.ModelJson("sd1")), out _);
        te.eval();
        unet.eval();
        return (te, unet);
    }

    [ReferenceDataFact]
    public void Kohya_SD1_names_find_their_layers_and_match_the_merged_model()
    {
        var (te, unet) = Load();
        using var _te = te;
        using var _unet = unet;
        using var folder = new TempFolder("lora reference ü");
        // The merge tests' SD1 module list at the tiny widths (32 channels, context 32, text width 32): 16 transformers and 12 text layers.
        var layers = TestLoras.Sd1Layers(width: 32, context: 32, te: 32, conv: false, full: true);
        var locon = AllLayers(te, unet).Where(l => l.K == 3).ToList();   // every 3×3 conv, from the model itself
        string path = folder.File("sd1 lora.safetensors");
        var factors = TestLoras.WriteLora(path, layers.Concat(locon), rank: 4, alpha: 1, convRank: 2, convAlpha: 0.5f);

        using var ids = Ids(21);
        using var sample = torch.randn(new long[] { 1, 4, 16, 16 }, generator: new Generator(22));
        using var timesteps = torch.tensor(new long[] { 500 }, 1);
        float[] before;
        using (torch.no_grad())
        using (var context = te.Encode(ids.narrow(0, 0, 1)))
        using (var o = unet.forward(sample, timesteps, context)) before = o.data<float>();

        using var mergedTe = Copy(te);
        using var mergedUNet = Copy(unet);
        // The tiny encoder has 3 layers: kohya's modules for layers 3–11 have no layer.
        var present = factors.Where(kv => !System.Text.RegularExpressions.Regex.IsMatch(kv.Key, @"^lora_te_text_model_encoder_layers_([3-9]|1[01])_"))
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        Merge(mergedTe, mergedUNet, present, 0.9, 0.8);

        using var lora = LoraFile.Open(path);
        using var applied = LoraInference.Apply(lora, 0.9, 0.8, te, unet);
        Assert.Equal(9 * 6, applied.UnmatchedModules.Count);
        Assert.All(applied.UnmatchedModules, m => Assert.StartsWith("lora_te_text_model_encoder_layers_", m));
        Assert.Equal(present.Count, applied.AppliedModules.Count);
        Assert.Equal(16 * 12 + 3 * 6 + locon.Count, applied.AppliedModules.Count); // 12 modules per transformer, 6 per text layer

        using (torch.no_grad())
        using (var contextMerged = mergedTe.Encode(ids))
        using (var contextLora = te.Encode(ids))
        {
            double textError = AssertClose(contextMerged.data<float>(), contextLora.data<float>(), "text");
            using var c1 = contextLora.narrow(0, 0, 1);
            using var m1 = contextMerged.narrow(0, 0, 1);
            using var outLora = unet.forward(sample, timesteps, c1);
            using var outMerged = mergedUNet.forward(sample, timesteps, m1);
            float[] after = outLora.data<float>();
            AssertChanged(before, after, "unet");
            double unetError = AssertClose(outMerged.data<float>(), after, "unet");
            output.WriteLine($"relative error against the merged model: text {textError:E2}, unet {unetError:E2}");
        }
    }

    [ReferenceDataFact]
    public void An_SD2_sized_lora_on_the_SD1_model_is_refused_with_module_and_shapes()
    {
        var (te, unet) = Load();
        using var _te = te;
        using var _unet = unet;
        using var folder = new TempFolder("lora sd2 on sd1");
        string path = folder.File("sd2 style.safetensors");
        // Real SD2 sizes: text width 1024, cross-attention context 1024 (SD1: 768; the tiny SD1 model: 32).
        TestLoras.WriteLora(path, new[]
        {
            new TestLayer("lora_te_text_model_encoder_layers_0_self_attn_q_proj", 1024, 1024),
            new TestLayer("lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k", 320, 1024),
        }, rank: 1, alpha: 1);
        using var lora = LoraFile.Open(path);
        var e = Assert.Throws<LoraModelMismatchException>(() => LoraInference.Apply(lora, 1, 1, te, unet));
        Assert.Equal(2, e.Mismatches.Count);
        Assert.Contains("lora_te_text_model_encoder_layers_0_self_attn_q_proj: the LoRA's weight is [1024, 1024], the model's text_model.encoder.layers.0.self_attn.q_proj has [32, 32]", e.Message);
        Assert.Contains("attn2_to_k: the LoRA's weight is [320, 1024]", e.Message);
        Assert.Contains(path, e.Message);
        Assert.Equal(0, AdapterCount(te) + AdapterCount(unet));
    }
}
