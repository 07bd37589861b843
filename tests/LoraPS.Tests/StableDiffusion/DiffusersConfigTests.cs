using LoraPS.Formats;
using LoraPS.Models;
using LoraPS.Models.StableDiffusion.Loading;
using LoraPS.Models.StableDiffusion.TextEncoders;
using LoraPS.Models.StableDiffusion.UNet;
using LoraPS.Models.StableDiffusion.Vae;
using LoraPS.Tests.Support;

namespace LoraPS.Tests.StableDiffusion;

/// <summary>diffusers' config.json files of the real SD1.5 and SD2.1 models become the project's standard configs; diffusers VAE names map to ldm's.</summary>
public sealed class DiffusersConfigTests
{
    private static JsonConfig Json(TempFolder dir, string text)
    {
        string path = dir.File(Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, text);
        return JsonConfig.Read(path);
    }

    private const string Sd15UNet = """
        {"_class_name": "UNet2DConditionModel", "_diffusers_version": "0.6.0", "act_fn": "silu", "attention_head_dim": 8,
         "block_out_channels": [320, 640, 1280, 1280], "center_input_sample": false, "cross_attention_dim": 768,
         "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"],
         "downsample_padding": 1, "flip_sin_to_cos": true, "freq_shift": 0, "in_channels": 4, "layers_per_block": 2,
         "mid_block_scale_factor": 1, "norm_eps": 1e-05, "norm_num_groups": 32, "out_channels": 4, "sample_size": 64,
         "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"]}
        """;

    private const string Sd21UNet = """
        {"_class_name": "UNet2DConditionModel", "_diffusers_version": "0.10.0.dev0", "act_fn": "silu", "attention_head_dim": [5, 10, 20, 20],
         "block_out_channels": [320, 640, 1280, 1280], "center_input_sample": false, "cross_attention_dim": 1024,
         "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"],
         "downsample_padding": 1, "dual_cross_attention": false, "flip_sin_to_cos": true, "freq_shift": 0, "in_channels": 4,
         "layers_per_block": 2, "mid_block_scale_factor": 1, "norm_eps": 1e-05, "norm_num_groups": 32, "num_class_embeds": null,
         "only_cross_attention": false, "out_channels": 4, "sample_size": 96, "upcast_attention": true, "use_linear_projection": true,
         "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"]}
        """;

    [Fact]
    public void SD15_and_SD21_unet_configs_are_the_standard_configs()
    {
        using var dir = new TempFolder("configs");
        foreach (var (text, standard, prediction) in new[] { (Sd15UNet, UNetConfig.Sd15, PredictionType.Epsilon), (Sd21UNet, UNetConfig.Sd21, PredictionType.V) })
        {
            var config = DiffusersConfigs.UNet(Json(dir, text), prediction);
            Assert.Equal(
                (standard.InChannels, standard.OutChannels, standard.ModelChannels, standard.NumResBlocks, standard.ContextDim, standard.TransformerDepth,
                    standard.NumHeads, standard.NumHeadChannels, standard.UseLinearInTransformer, standard.NormGroups, standard.Prediction),
                (config.InChannels, config.OutChannels, config.ModelChannels, config.NumResBlocks, config.ContextDim, config.TransformerDepth,
                    config.NumHeads, config.NumHeadChannels, config.UseLinearInTransformer, config.NormGroups, config.Prediction));
            Assert.Equal(standard.ChannelMult, config.ChannelMult);
            Assert.Equal(standard.AttentionLevels, config.AttentionLevels);
        }
    }

    [Fact]
    public void SD15_and_SD21_text_encoder_configs_give_the_layers_the_pipeline_uses()
    {
        using var dir = new TempFolder("configs");
        var sd1 = DiffusersConfigs.TextEncoder(Json(dir, """
            {"architectures": ["CLIPTextModel"], "hidden_act": "quick_gelu", "hidden_size": 768, "intermediate_size": 3072, "layer_norm_eps": 1e-05,
             "max_position_embeddings": 77, "model_type": "clip_text_model", "num_attention_heads": 12, "num_hidden_layers": 12,
             "pad_token_id": 1, "projection_dim": 768, "vocab_size": 49408}
            """), ModelFamily.SD1);
        Assert.Equal(ClipTextEncoderConfig.Sd1 with { MlpWidth = 3072 }, sd1);
        var sd2 = DiffusersConfigs.TextEncoder(Json(dir, """
            {"architectures": ["CLIPTextModel"], "hidden_act": "gelu", "hidden_size": 1024, "intermediate_size": 4096, "layer_norm_eps": 1e-05,
             "max_position_embeddings": 77, "model_type": "clip_text_model", "num_attention_heads": 16, "num_hidden_layers": 23,
             "pad_token_id": 1, "projection_dim": 512, "vocab_size": 49408}
            """), ModelFamily.SD2);
        // 23 layers whose last output is SD2's conditioning: the same as the 24-layer encoder at clip skip 2.
        Assert.Equal(ClipTextEncoderConfig.Sd2 with { Layers = 23, LayerUsed = ClipLayerUsed.Last, MlpWidth = 4096 }, sd2);
    }

    [Fact]
    public void The_SD_vae_config_is_the_standard_config()
    {
        using var dir = new TempFolder("configs");
        var vae = DiffusersConfigs.Vae(Json(dir, """
            {"_class_name": "AutoencoderKL", "act_fn": "silu", "block_out_channels": [128, 256, 512, 512],
             "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D"],
             "in_channels": 3, "latent_channels": 4, "layers_per_block": 2, "norm_num_groups": 32, "out_channels": 3, "sample_size": 512,
             "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"]}
            """));
        Assert.Equal((128, 2, 4, 3, 0.18215, 32), (vae.Ch, vae.NumResBlocks, vae.ZChannels, vae.ImageChannels, vae.ScalingFactor, vae.NormGroups));
        Assert.Equal(new[] { 1, 2, 4, 4 }, vae.ChMult);
    }

    [Fact]
    public void A_list_of_heads_with_different_head_widths_is_refused()
    {
        using var dir = new TempFolder("configs");
        var e = Assert.Throws<InvalidFileException>(() => DiffusersConfigs.UNet(Json(dir, Sd21UNet.Replace("[5, 10, 20, 20]", "[5, 10, 10, 10]")), PredictionType.V));
        Assert.Contains("attention_head_dim", e.Message);
        Assert.Contains("different head widths", e.Message);
    }

    [Theory]
    [InlineData("encoder.conv_in.weight", "encoder.conv_in.weight")]
    [InlineData("encoder.down.2.block.0.nin_shortcut.weight", "encoder.down_blocks.2.resnets.0.conv_shortcut.weight")]
    [InlineData("encoder.down.0.downsample.conv.bias", "encoder.down_blocks.0.downsamplers.0.conv.bias")]
    [InlineData("encoder.mid.block_2.norm1.weight", "encoder.mid_block.resnets.1.norm1.weight")]
    [InlineData("encoder.mid.attn_1.norm.bias", "encoder.mid_block.attentions.0.group_norm.bias")]
    [InlineData("decoder.mid.attn_1.proj_out.weight", "decoder.mid_block.attentions.0.to_out.0.weight")]
    [InlineData("decoder.up.3.block.2.conv1.weight", "decoder.up_blocks.0.resnets.2.conv1.weight")]
    [InlineData("decoder.up.1.upsample.conv.weight", "decoder.up_blocks.2.upsamplers.0.conv.weight")]
    [InlineData("decoder.norm_out.weight", "decoder.conv_norm_out.weight")]
    [InlineData("post_quant_conv.bias", "post_quant_conv.bias")]
    public void VAE_ldm_names_map_to_diffusers_names(string ldm, string diffusers) =>
        Assert.Equal(diffusers, VaeDiffusersNames.ToDiffusers(ldm, 4));

    [Fact]
    public void Legacy_diffusers_attention_names_and_unknown_names()
    {
        Assert.Equal("encoder.mid_block.attentions.0.query.weight", VaeDiffusersNames.ToDiffusers("encoder.mid.attn_1.q.weight", 4, VaeAttentionNames.Legacy));
        Assert.Equal("decoder.mid_block.attentions.0.proj_attn.bias", VaeDiffusersNames.ToDiffusers("decoder.mid.attn_1.proj_out.bias", 4, VaeAttentionNames.Legacy));
        Assert.Throws<ArgumentException>(() => VaeDiffusersNames.ToDiffusers("decoder.up.4.block.0.conv1.weight", 4));
        Assert.Throws<ArgumentException>(() => VaeDiffusersNames.ToDiffusers("encoder.up.0.block.0.conv1.weight", 4));
        Assert.Throws<ArgumentException>(() => VaeDiffusersNames.ToDiffusers("model.diffusion_model.out.2.weight", 4));
    }
}
