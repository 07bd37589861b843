using LoraPS.Formats;
using LoraPS.Formats.SafeTensors;
using LoraPS.Models;
using LoraPS.Models.Lora;
using LoraPS.Tests.Checkpoint;
using LoraPS.Tests.Support;
using LoraPS.Workflows.Lora;

namespace LoraPS.Tests.Lora;

public class RecognitionTests
{
    [Fact]
    public void Kohya_sd1_lora_is_described_with_ranks_alphas_precision_and_metadata()
    {
        using var dir = new TempFolder("lora");
        string path = dir.File("キャラ lora.safetensors");
        var md = new Dictionary<string, string>
        {
            ["ss_network_dim"] = "4", ["ss_network_alpha"] = "2.0", ["ss_network_module"] = "networks.lora",
            ["ss_sd_model_hash"] = "e1441589", ["ss_new_sd_model_hash"] = "cc6cb27103417325ff94f52b7a5d2dde45a7515b25c255d8e396c90014281516",
            ["ss_sd_model_name"] = "v1-5-pruned-emaonly.safetensors",
            ["ss_tag_frequency"] = "{\"20_krnk girl\": {\"krnk\": 12, \"smile\": 3}}", ["ss_epoch"] = "6",
        };
        TestLoras.WriteLora(path, TestLoras.Sd1Layers(), rank: 4, alpha: 2, dtype: SafeTensorDType.F16, metadata: md);
        var lora = Assert.IsType<LoraModel>(ModelInfoWorkflow.Inspect(path));
        Assert.Equal(LoraNetworkKind.LoRA, lora.NetworkKind);
        Assert.Equal(ModelFamily.SD1, lora.BaseFamily); // from attn2.to_k's 768-wide input, no ss_base_model_version given
        Assert.Equal(LoraKeyLayout.Kohya, lora.KeyLayout);
        Assert.Equal(192, lora.UNetModuleCount);
        Assert.Equal(72, lora.TextEncoderModuleCount);
        Assert.Equal(4, lora.Rank);
        Assert.Equal(2.0, lora.Alpha);
        Assert.Null(lora.ConvRank);
        Assert.False(lora.IsDynamicRank);
        Assert.Equal("fp16", lora.Precision);
        Assert.Equal("e1441589", lora.BaseModelHash);
        Assert.Equal("4", lora.NetworkDim);
        Assert.Equal(6, lora.Epoch);
        Assert.Equal(12, lora.TagFrequency["20_krnk girl"]["krnk"]);
        Assert.Equal(new FileInfo(path).Length, lora.FileSize);
        var projIn = lora.Modules.Single(m => m.Name == "lora_unet_down_blocks_0_attentions_0_proj_in");
        Assert.Equal(LoraLayerKind.Conv1x1, projIn.LayerKind);
        Assert.Equal(0.5, projIn.Scale);
    }

    [Fact]
    public void Conv_3x3_modules_make_it_a_locon_with_its_own_conv_rank()
    {
        using var dir = new TempFolder("lora");
        string path = dir.File("locon.safetensors");
        TestLoras.WriteLora(path, TestLoras.Sd1Layers(conv: true), rank: 8, alpha: 4, convRank: 2, convAlpha: 1);
        var lora = ModelInfoWorkflow.InspectLora(path);
        Assert.Equal(LoraNetworkKind.LoCon, lora.NetworkKind);
        Assert.Equal(8, lora.Rank);
        Assert.Equal(2, lora.ConvRank);
        Assert.Equal(1.0, lora.ConvAlpha);
        var conv1 = lora.Modules.Single(m => m.Name == "lora_unet_down_blocks_1_resnets_0_conv1");
        Assert.Equal((LoraLayerKind.Conv, 3, 3, 2), (conv1.LayerKind, conv1.KernelHeight, conv1.KernelWidth, conv1.Rank));
        Assert.Equal(2, lora.Ranks["lora_unet_up_blocks_0_upsamplers_0_conv"]);
        Assert.Equal(4.0, lora.Alphas["lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q"]);
    }

    [Fact]
    public void Sdxl_lora_is_recognised_from_its_sai_names()
    {
        using var dir = new TempFolder("lora");
        string path = dir.File("xl.safetensors");
        TestLoras.WriteLora(path, TestLoras.SdxlLayers(width: 2, te: 2), rank: 2, alpha: 1);
        var lora = ModelInfoWorkflow.InspectLora(path);
        Assert.Equal(ModelFamily.SDXL, lora.BaseFamily);
        Assert.Equal(722, lora.UNetModuleCount);
        Assert.Equal(72 + 192, lora.TextEncoderModuleCount);
    }

    [Fact]
    public void Peft_layout_is_converted_to_kohya_names_with_the_same_factors()
    {
        using var dir = new TempFolder("lora");
        string kohya = dir.File("kohya.safetensors"), peft = dir.File("peft.safetensors");
        var layers = TestLoras.Sd1Layers(full: false);
        TestLoras.WriteLora(kohya, layers, rank: 4, alpha: 3, seed: 5);
        TestLoras.WriteLora(peft, layers, rank: 4, alpha: 3, seed: 5, peft: true);
        using var a = LoraFile.Open(kohya);
        using var b = LoraFile.Open(peft);
        Assert.Equal(LoraKeyLayout.Diffusers, b.Layout);
        Assert.Equal(a.Modules.Select(m => m.Name).OrderBy(n => n, StringComparer.Ordinal), b.Modules.Select(m => m.Name).OrderBy(n => n, StringComparer.Ordinal));
        foreach (var m in a.Modules)
        {
            var n = b.ModulesByName[m.Name];
            Assert.Equal((m.Rank, m.Alpha, m.LayerKind), (n.Rank, n.Alpha, n.LayerKind));
            Assert.Equal(a.Read(m, "up"), b.Read(n, "up"));
        }
    }

    [Fact]
    public void Diffusers_processor_and_sdxl_names_convert_to_kohya()
    {
        Assert.Equal("lora_unet_down_blocks_0_attentions_1_transformer_blocks_0_attn1_to_out_0",
            KohyaNames.FromDiffusers("unet.down_blocks.0.attentions.1.transformer_blocks.0.attn1.processor.to_out_lora", sdxl: false));
        Assert.Equal("lora_te_text_model_encoder_layers_3_self_attn_k_proj",
            KohyaNames.FromDiffusers("text_encoder.text_model.encoder.layers.3.self_attn.k_proj", sdxl: false));
        Assert.Equal("lora_unet_input_blocks_4_1_transformer_blocks_1_attn2_to_k",
            KohyaNames.FromDiffusers("unet.down_blocks.1.attentions.0.transformer_blocks.1.attn2.to_k", sdxl: true));
        Assert.Equal("lora_unet_output_blocks_5_1_proj_in", KohyaNames.FromDiffusers("unet.up_blocks.1.attentions.2.proj_in", sdxl: true));
        Assert.Equal("lora_unet_middle_block_1_proj_out", KohyaNames.FromDiffusers("unet.mid_block.attentions.0.proj_out", sdxl: true));
        Assert.Equal("lora_te2_text_model_encoder_layers_0_mlp_fc1", KohyaNames.FromDiffusers("text_encoder_2.text_model.encoder.layers.0.mlp.fc1", sdxl: true));
    }

    [Theory]
    [InlineData("input_blocks.1.1.proj_in", "down_blocks.0.attentions.0.proj_in")]
    [InlineData("input_blocks.5.0.in_layers.2", "down_blocks.1.resnets.1.conv1")]
    [InlineData("input_blocks.6.0.op", "down_blocks.1.downsamplers.0.conv")]
    [InlineData("input_blocks.4.0.skip_connection", "down_blocks.1.resnets.0.conv_shortcut")]
    [InlineData("middle_block.2.emb_layers.1", "mid_block.resnets.1.time_emb_proj")]
    [InlineData("middle_block.1.transformer_blocks.0.attn2.to_k", "mid_block.attentions.0.transformer_blocks.0.attn2.to_k")]
    [InlineData("output_blocks.2.1.conv", "up_blocks.0.upsamplers.0.conv")]
    [InlineData("output_blocks.5.2.conv", "up_blocks.1.upsamplers.0.conv")]
    [InlineData("output_blocks.11.1.proj_out", "up_blocks.3.attentions.2.proj_out")]
    [InlineData("output_blocks.7.0.out_layers.3", "up_blocks.2.resnets.1.conv2")]
    public void Sd1_unet_names_map_both_ways(string ldm, string diffusers)
    {
        Assert.Equal(diffusers, UNetNames.LdmToDiffusers(ldm, sdxl: false));
        Assert.Equal(ldm, UNetNames.DiffusersToLdm(diffusers, sdxl: false));
    }

    [Fact]
    public void Checkpoint_keys_map_to_kohya_modules_including_fused_openclip_qkv()
    {
        var unet = KohyaNames.ForCheckpointKey("model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn1.to_q.weight", ModelFamily.SD1);
        Assert.Equal("lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q", Assert.Single(unet).Module);
        Assert.Empty(KohyaNames.ForCheckpointKey("model.diffusion_model.input_blocks.1.1.norm.bias", ModelFamily.SD1));
        var te = KohyaNames.ForCheckpointKey("cond_stage_model.transformer.text_model.encoder.layers.11.mlp.fc2.weight", ModelFamily.SD1);
        Assert.Equal("lora_te_text_model_encoder_layers_11_mlp_fc2", Assert.Single(te).Module);
        var fused = KohyaNames.ForCheckpointKey("conditioner.embedders.1.model.transformer.resblocks.3.attn.in_proj_weight", ModelFamily.SDXL, rows: 30);
        Assert.Equal(new[] { "lora_te2_text_model_encoder_layers_3_self_attn_q_proj", "lora_te2_text_model_encoder_layers_3_self_attn_k_proj", "lora_te2_text_model_encoder_layers_3_self_attn_v_proj" }, fused.Select(f => f.Module));
        Assert.Equal(new long[] { 0, 10, 20 }, fused.Select(f => f.Target.RowStart));
        var xl = KohyaNames.ForCheckpointKey("model.diffusion_model.output_blocks.2.1.transformer_blocks.9.ff.net.2.weight", ModelFamily.SDXL);
        Assert.Equal("lora_unet_output_blocks_2_1_transformer_blocks_9_ff_net_2", Assert.Single(xl).Module);
    }

    [Fact]
    public void LoHa_LoKr_and_DyLoRA_are_recognised()
    {
        using var dir = new TempFolder("lora");
        var rng = new Random(3);
        string loha = dir.File("loha.safetensors");
        SafeTensorsWriter.Write(loha, new[]
        {
            SafeTensorEntry.FromSingles("lora_unet_down_blocks_0_attentions_0_proj_out.hada_w1_a", SafeTensorDType.F32, new long[] { 6, 2 }, TestLoras.Random(rng, 12)),
            SafeTensorEntry.FromSingles("lora_unet_down_blocks_0_attentions_0_proj_out.hada_w1_b", SafeTensorDType.F32, new long[] { 2, 5 }, TestLoras.Random(rng, 10)),
            SafeTensorEntry.FromSingles("lora_unet_down_blocks_0_attentions_0_proj_out.hada_w2_a", SafeTensorDType.F32, new long[] { 6, 2 }, TestLoras.Random(rng, 12)),
            SafeTensorEntry.FromSingles("lora_unet_down_blocks_0_attentions_0_proj_out.hada_w2_b", SafeTensorDType.F32, new long[] { 2, 5 }, TestLoras.Random(rng, 10)),
            SafeTensorEntry.FromSingles("lora_unet_down_blocks_0_attentions_0_proj_out.alpha", SafeTensorDType.F32, Array.Empty<long>(), new float[] { 1 }),
            SafeTensorEntry.FromSingles("lora_unet_down_blocks_0_resnets_0_conv1.hada_w1_a", SafeTensorDType.F32, new long[] { 4, 2 }, TestLoras.Random(rng, 8)),
            SafeTensorEntry.FromSingles("lora_unet_down_blocks_0_resnets_0_conv1.hada_w1_b", SafeTensorDType.F32, new long[] { 2, 27 }, TestLoras.Random(rng, 54)),
            SafeTensorEntry.FromSingles("lora_unet_down_blocks_0_resnets_0_conv1.hada_w2_a", SafeTensorDType.F32, new long[] { 4, 2 }, TestLoras.Random(rng, 8)),
            SafeTensorEntry.FromSingles("lora_unet_down_blocks_0_resnets_0_conv1.hada_w2_b", SafeTensorDType.F32, new long[] { 2, 27 }, TestLoras.Random(rng, 54)),
        });
        var l = ModelInfoWorkflow.InspectLora(loha);
        Assert.Equal(LoraNetworkKind.LoHa, l.NetworkKind);
        var conv = l.Modules.Single(m => m.Name.EndsWith("conv1"));
        Assert.Equal((2, 4L, 3L, 3, 2.0), (conv.Rank, conv.OutFeatures, conv.InFeatures, conv.KernelHeight, conv.Alpha)); // no alpha → α = r

        string lokr = dir.File("lokr.safetensors");
        SafeTensorsWriter.Write(lokr, new[]
        {
            SafeTensorEntry.FromSingles("lora_te_text_model_encoder_layers_0_mlp_fc1.lokr_w1", SafeTensorDType.F32, new long[] { 4, 2 }, TestLoras.Random(rng, 8)),
            SafeTensorEntry.FromSingles("lora_te_text_model_encoder_layers_0_mlp_fc1.lokr_w2_a", SafeTensorDType.F32, new long[] { 8, 3 }, TestLoras.Random(rng, 24)),
            SafeTensorEntry.FromSingles("lora_te_text_model_encoder_layers_0_mlp_fc1.lokr_w2_b", SafeTensorDType.F32, new long[] { 3, 4 }, TestLoras.Random(rng, 12)),
            SafeTensorEntry.FromSingles("lora_te_text_model_encoder_layers_0_mlp_fc1.alpha", SafeTensorDType.F32, Array.Empty<long>(), new float[] { 6 }),
        });
        var k = ModelInfoWorkflow.InspectLora(lokr);
        Assert.Equal(LoraNetworkKind.LoKr, k.NetworkKind);
        var fc1 = Assert.Single(k.Modules);
        Assert.Equal((3, 32L, 8L, 2.0), (fc1.Rank, fc1.OutFeatures, fc1.InFeatures, fc1.Scale));

        string dy = dir.File("dylora.safetensors");
        TestLoras.WriteLora(dy, TestLoras.Sd1Layers(full: false), 8, 8, metadata: new Dictionary<string, string> { ["ss_network_module"] = "networks.dylora" });
        Assert.Equal(LoraNetworkKind.DyLoRA, ModelInfoWorkflow.InspectLora(dy).NetworkKind);
    }

    [Fact]
    public void Checkpoint_families_are_recognised_from_keys_in_safetensors_and_ckpt()
    {
        using var dir = new TempFolder("ckpt");
        (string, float[], long[], SafeTensorDType) T(string name, params long[] shape) => (name, new float[shape.Aggregate(1L, (a, b) => a * b)], shape, SafeTensorDType.F16);
        string sd1 = dir.File("sd1.ckpt");
        PickleWriter.WriteCheckpoint(sd1, new[] { T("model.diffusion_model.input_blocks.0.0.weight", 4, 4, 3, 3), T("cond_stage_model.transformer.text_model.final_layer_norm.weight", 4), T("first_stage_model.decoder.conv_out.weight", 3, 4, 3, 3) });
        var c1 = Assert.IsType<Models.Checkpoint>(ModelInfoWorkflow.Inspect(sd1));
        Assert.Equal((ModelFamily.SD1, PredictionType.Epsilon, "ckpt", "fp16", true, true), (c1.Family, c1.PredictionType, c1.Format, c1.Precision, c1.HasTextEncoder, c1.HasVae));

        string sd2 = dir.File("sd2.safetensors");
        SafeTensorsWriter.Write(sd2, new[] { "model.diffusion_model.out.2.weight", "cond_stage_model.model.ln_final.weight" }
            .Select(n => SafeTensorEntry.FromSingles(n, SafeTensorDType.F32, new long[] { 2 }, new float[2])),
            new Dictionary<string, string> { ["modelspec.prediction_type"] = "v" });
        var c2 = Assert.IsType<Models.Checkpoint>(ModelInfoWorkflow.Inspect(sd2));
        Assert.Equal((ModelFamily.SD2, PredictionType.V, "fp32"), (c2.Family, c2.PredictionType, c2.Precision));

        string xl = dir.File("xl.safetensors");
        SafeTensorsWriter.Write(xl, new[] { "model.diffusion_model.label_emb.0.0.weight", "conditioner.embedders.1.model.ln_final.weight" }
            .Select(n => SafeTensorEntry.FromSingles(n, SafeTensorDType.BF16, new long[] { 2 }, new float[2])));
        Assert.Equal(ModelFamily.SDXL, Assert.IsType<Models.Checkpoint>(ModelInfoWorkflow.Inspect(xl)).Family);

        string other = dir.File("other.safetensors");
        SafeTensorsWriter.Write(other, new[] { SafeTensorEntry.FromSingles("x", SafeTensorDType.F32, new long[] { 1 }, new float[1]) });
        Assert.Contains("neither a LoRA", Assert.Throws<InvalidFileException>(() => ModelInfoWorkflow.Inspect(other)).Message);
    }

    [Fact]
    public void Inconsistent_lora_modules_are_named_in_the_error()
    {
        using var dir = new TempFolder("lora");
        string path = dir.File("bad.safetensors");
        SafeTensorsWriter.Write(path, new[]
        {
            SafeTensorEntry.FromSingles("lora_te_text_model_encoder_layers_0_mlp_fc1.lora_down.weight", SafeTensorDType.F32, new long[] { 4, 8 }, new float[32]),
            SafeTensorEntry.FromSingles("lora_te_text_model_encoder_layers_0_mlp_fc1.lora_up.weight", SafeTensorDType.F32, new long[] { 8, 3 }, new float[24]),
        });
        var e = Assert.Throws<InvalidFileException>(() => ModelInfoWorkflow.Inspect(path));
        Assert.Contains("lora_te_text_model_encoder_layers_0_mlp_fc1", e.Message);
        Assert.Contains("bad.safetensors", e.Message);
    }

    [ReferenceDataFact]
    public void Reference_lora_is_an_sd1_rank32_alpha16_lora()
    {
        var lora = ModelInfoWorkflow.InspectLora(Path.Combine(RepoPaths.ReferenceData!, "lora", "lora-1234.safetensors"));
        Assert.Equal(ModelFamily.SD1, lora.BaseFamily);
        Assert.All(lora.Modules, m => Assert.Equal((32, 16.0), (m.Rank, m.Alpha)));
        Assert.Equal(LoraNetworkKind.LoCon, lora.NetworkKind);
        Assert.Equal(LoraLayerKind.Conv1x1, lora.Modules.Single(m => m.Name.EndsWith("proj_in")).LayerKind);
    }
}
