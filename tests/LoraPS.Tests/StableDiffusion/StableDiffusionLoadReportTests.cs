using LoraPS.Formats;
using LoraPS.Formats.SafeTensors;
using LoraPS.Models;
using LoraPS.Models.StableDiffusion;
using LoraPS.Tests.Support;

namespace LoraPS.Tests.StableDiffusion;

/// <summary>Missing, mis-shaped, unexpected and known-unused keys: one exception naming every missing or mis-shaped key, the rest in the report.</summary>
public sealed class StableDiffusionLoadReportTests
{
    private const string UNetKey = "model.diffusion_model.output_blocks.4.1.transformer_blocks.0.attn2.to_k.weight";
    private const string VaeKey = "first_stage_model.decoder.up.1.block.2.conv2.bias";
    private const string TextKey = "cond_stage_model.model.transformer.resblocks.1.attn.in_proj_weight";

    [ReferenceDataFact]
    public void Keys_removed_from_three_parts_fail_in_one_exception_that_names_each()
    {
        using var dir = new TempFolder("missing");
        string path = dir.File("three missing.safetensors");
        TinyModels.WriteCopy(TinyModels.Checkpoint("sd2"), path, t => t.Name is UNetKey or VaeKey or TextKey ? null : SafeTensorEntry.CopyOf(t));
        var e = Assert.Throws<StableDiffusionLoadException>(() => StableDiffusionModel.Load(TinyModels.Options("sd2") with { Path = path }));
        Assert.Equal(path, e.FilePath);
        foreach (string key in new[] { UNetKey, VaeKey, TextKey }) Assert.Contains(key, e.Message);
        Assert.Equal(new[] { UNetKey }, e.Report["unet"].Missing);
        Assert.Equal(new[] { VaeKey }, e.Report["vae"].Missing);
        // The fused key feeds q, k and v: named once.
        Assert.Equal(new[] { TextKey }, e.Report["text_encoder"].Missing);
        Assert.False(e.Report.IsComplete);
        Assert.IsAssignableFrom<InvalidFileException>(e);
    }

    [ReferenceDataFact]
    public void A_weight_of_the_wrong_shape_or_an_integer_type_is_named_with_both_shapes()
    {
        using var dir = new TempFolder("shape");
        string path = dir.File("wrong shape.safetensors");
        const string intKey = "model.diffusion_model.time_embed.0.bias";
        TinyModels.WriteCopy(TinyModels.Checkpoint("sd1"), path, t => t.Name switch
        {
            VaeKey => SafeTensorEntry.FromSingles(t.Name, SafeTensorDType.F16, new long[] { 7 }, new float[7]),
            intKey => SafeTensorEntry.FromBytes(t.Name, SafeTensorDType.I16, t.ShapeArray(), new byte[t.ByteLength]),
            _ => SafeTensorEntry.CopyOf(t),
        });
        var e = Assert.Throws<StableDiffusionLoadException>(() => StableDiffusionModel.Load(TinyModels.Options("sd1") with { Path = path }));
        var wrong = Assert.Single(e.Report["vae"].WrongShape);
        Assert.Equal($"{VaeKey} [7] (expected [32])", wrong);
        Assert.Contains(wrong, e.Message);
        Assert.Contains($"{intKey} I16[128] (expected a float type)", e.Report["unet"].WrongShape);
        Assert.Empty(e.Report["text_encoder"].WrongShape);
    }

    [ReferenceDataFact]
    public void Extra_keys_load_and_are_listed_as_unexpected_per_part_and_outside_the_parts()
    {
        using var dir = new TempFolder("extra");
        string path = dir.File("extra keys.safetensors");
        string[] extras =
        {
            "model.diffusion_model.input_blocks.1.1.lora_up.weight",
            "first_stage_model.encoder.extra.weight",
            "cond_stage_model.transformer.text_model.encoder.layers.0.extra.weight",
            "something_else.weight",
        };
        TinyModels.WriteCopy(TinyModels.Checkpoint("sd1"), path,
            extra: extras.Select(k => SafeTensorEntry.FromSingles(k, SafeTensorDType.F32, new long[] { 2 }, new[] { 1f, 2f })));
        using var model = StableDiffusionModel.Load(TinyModels.Options("sd1") with { Path = path });
        Assert.True(model.Report.IsComplete);
        Assert.False(model.Report.IsExact);
        Assert.Equal(new[] { extras[0] }, model.Report["unet"].Unexpected);
        Assert.Equal(new[] { extras[1] }, model.Report["vae"].Unexpected);
        Assert.Equal(new[] { extras[2] }, model.Report["text_encoder"].Unexpected);
        Assert.Equal(new[] { extras[3] }, model.Report.UnexpectedKeys);
        Assert.Contains("1 unexpected unet key(s): " + extras[0], model.Report.ToString());
    }

    [ReferenceDataFact]
    public void Known_unused_keys_are_ignored_not_unexpected()
    {
        using var dir = new TempFolder("ignored");
        string path = dir.File("ema.safetensors");
        string[] extras = { "model_ema.decay", "model_ema.diffusion_modelinput_blocks00weight", "logvar", "first_stage_model.loss.logvar" };
        TinyModels.WriteCopy(TinyModels.Checkpoint("sd1"), path,
            extra: extras.Select(k => SafeTensorEntry.FromSingles(k, SafeTensorDType.F32, new long[] { 1 }, new[] { 1f })));
        using var model = StableDiffusionModel.Load(TinyModels.Options("sd1") with { Path = path });
        Assert.True(model.Report.IsExact, model.Report.ToString());
        Assert.Equal(new[] { "cond_stage_model.transformer.text_model.embeddings.position_ids" }, model.Report["text_encoder"].Ignored);
        Assert.Equal(new[] { "first_stage_model.loss.logvar" }, model.Report["vae"].Ignored);
        Assert.Equal(new[] { "alphas_cumprod", "betas", "logvar", "model_ema.decay", "model_ema.diffusion_modelinput_blocks00weight" },
            model.Report.IgnoredKeys.OrderBy(k => k, StringComparer.Ordinal));

        using var sd2 = StableDiffusionModel.Load(TinyModels.Options("sd2"));
        Assert.Equal(new[] { "cond_stage_model.model.logit_scale", "cond_stage_model.model.text_projection" },
            sd2.Report["text_encoder"].Ignored.OrderBy(k => k, StringComparer.Ordinal));
    }

    [ReferenceDataFact]
    public void A_UNet_only_file_names_the_absent_text_encoder_and_VAE()
    {
        using var dir = new TempFolder("unet only");
        string path = dir.File("unet.safetensors");
        TinyModels.WriteCopy(TinyModels.Checkpoint("sd1"), path, t => t.Name.StartsWith("model.diffusion_model.", StringComparison.Ordinal) ? SafeTensorEntry.CopyOf(t) : null);
        var e = Assert.Throws<StableDiffusionLoadException>(() => StableDiffusionModel.Load(TinyModels.Options("sd1") with { Path = path }));
        Assert.True(e.Report["unet"].IsComplete);
        Assert.Contains("cond_stage_model.transformer.text_model.embeddings.token_embedding.weight", e.Report["text_encoder"].Missing);
        Assert.Contains("first_stage_model.encoder.conv_in.weight", e.Report["vae"].Missing);
        Assert.Contains("text_encoder: ", e.Message);
        Assert.Contains("vae: ", e.Message);
    }

    [ReferenceDataFact]
    public void Standard_sizes_on_a_tiny_checkpoint_fail_with_the_shapes_and_a_hint_to_give_a_config()
    {
        var e = Assert.Throws<StableDiffusionLoadException>(() => StableDiffusionModel.Load(new StableDiffusionLoadOptions { Path = TinyModels.Checkpoint("sd1") }));
        Assert.Equal((ModelFamily.SD1, DetectionSource.Keys), (e.Report.Family, e.Report.FamilySource));
        Assert.Contains("model.diffusion_model.input_blocks.0.0.weight [32, 4, 3, 3] (expected [320, 4, 3, 3])", e.Report["unet"].WrongShape);
        Assert.Contains("ConfigPath", e.Message);
    }
}
