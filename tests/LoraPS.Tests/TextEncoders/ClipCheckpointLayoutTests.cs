using LoraPS.Models.StableDiffusion.TextEncoders;

namespace LoraPS.Tests.TextEncoders;

public sealed class ClipCheckpointLayoutTests
{
    private static readonly ClipTextEncoderConfig Tiny = new()
    {
        Width = 8, Layers = 2, Heads = 2, Activation = ClipActivation.Gelu, PadTokenId = 0, LayerUsed = ClipLayerUsed.Penultimate,
    };

    [Theory]
    [InlineData("cond_stage_model.transformer.text_model.embeddings.token_embedding.weight", ClipKeyStyle.HuggingFace, "cond_stage_model.transformer.")]
    [InlineData("cond_stage_model.transformer.embeddings.token_embedding.weight", ClipKeyStyle.HuggingFaceWithoutTextModel, "cond_stage_model.transformer.")]
    [InlineData("cond_stage_model.model.token_embedding.weight", ClipKeyStyle.OpenClip, "cond_stage_model.model.")]
    [InlineData("text_model.embeddings.token_embedding.weight", ClipKeyStyle.HuggingFace, "")]
    public void Detects_the_layout_from_the_token_embedding_key(string key, ClipKeyStyle style, string prefix)
    {
        var layout = ClipCheckpointLayout.Detect(new[] { "model.diffusion_model.out.2.weight", key });
        Assert.Equal(new ClipCheckpointLayout(style, prefix), layout);
    }

    [Fact]
    public void No_text_encoder_keys_detect_nothing()
    {
        Assert.Null(ClipCheckpointLayout.Detect(new[] { "model.diffusion_model.out.2.weight" }));
    }

    [Fact]
    public void OpenCLIP_maps_every_parameter_and_splits_the_fused_projection_in_q_k_v_order()
    {
        var layout = new ClipCheckpointLayout(ClipKeyStyle.OpenClip, "cond_stage_model.model.");
        var map = layout.Map(Tiny).ToDictionary(m => m.Parameter, m => m.Source);
        Assert.Equal(ClipCheckpointLayout.ClipTextEncoderParameterNames(Tiny).OrderBy(x => x), map.Keys.OrderBy(x => x));
        Assert.Equal(new WeightSource("cond_stage_model.model.transformer.resblocks.1.attn.in_proj_weight", 1), map["text_model.encoder.layers.1.self_attn.k_proj.weight"]);
        Assert.Equal(new WeightSource("cond_stage_model.model.transformer.resblocks.0.attn.in_proj_bias", 2), map["text_model.encoder.layers.0.self_attn.v_proj.bias"]);
        Assert.Equal(new WeightSource("cond_stage_model.model.positional_embedding"), map["text_model.embeddings.position_embedding.weight"]);
        Assert.Equal(new WeightSource("cond_stage_model.model.transformer.resblocks.1.mlp.c_proj.weight"), map["text_model.encoder.layers.1.mlp.fc2.weight"]);
        Assert.Equal(new WeightSource("cond_stage_model.model.ln_final.bias"), map["text_model.final_layer_norm.bias"]);
        Assert.True(layout.IsKnownUnused("cond_stage_model.model.text_projection"));
        Assert.False(layout.IsKnownUnused("cond_stage_model.model.transformer.resblocks.2.ln_1.weight"));
    }

    [Fact]
    public void Hugging_Face_names_map_to_themselves_and_old_files_lack_text_model()
    {
        var modern = new ClipCheckpointLayout(ClipKeyStyle.HuggingFace, "cond_stage_model.transformer.").Map(Tiny).ToDictionary(m => m.Parameter, m => m.Source);
        Assert.Equal(new WeightSource("cond_stage_model.transformer.text_model.encoder.layers.0.self_attn.q_proj.weight"), modern["text_model.encoder.layers.0.self_attn.q_proj.weight"]);
        Assert.Equal(4 + 2 * 16, modern.Count);

        var old = new ClipCheckpointLayout(ClipKeyStyle.HuggingFaceWithoutTextModel, "cond_stage_model.transformer.").Map(Tiny).ToDictionary(m => m.Parameter, m => m.Source);
        Assert.Equal(new WeightSource("cond_stage_model.transformer.final_layer_norm.weight"), old["text_model.final_layer_norm.weight"]);
        Assert.True(new ClipCheckpointLayout(ClipKeyStyle.HuggingFace, "cond_stage_model.transformer.").IsKnownUnused("cond_stage_model.transformer.text_model.embeddings.position_ids"));
    }
}
