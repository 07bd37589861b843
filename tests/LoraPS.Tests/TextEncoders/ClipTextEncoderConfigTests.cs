using LoraPS.Formats;
using LoraPS.Models.StableDiffusion.TextEncoders;
using LoraPS.Tests.Support;

namespace LoraPS.Tests.TextEncoders;

public sealed class ClipTextEncoderConfigTests
{
    [ReferenceDataFact]
    public void Reads_the_text_section_of_the_tiny_model_configs()
    {
        var sd1 = ClipTextEncoderConfig.FromModelJson(Path.Combine(RepoPaths.ReferenceData!, "models", "tiny-sd1-1234.json"));
        Assert.Equal((32, 3, 4, 128), (sd1.Width, sd1.Layers, sd1.Heads, sd1.EffectiveMlpWidth));
        Assert.Equal(ClipActivation.QuickGelu, sd1.Activation);
        Assert.Equal(49407, sd1.PadTokenId);
        Assert.Equal(1, sd1.DefaultClipSkip);

        var sd2 = ClipTextEncoderConfig.FromModelJson(Path.Combine(RepoPaths.ReferenceData!, "models", "tiny-sd2-1234.json"));
        Assert.Equal(ClipActivation.Gelu, sd2.Activation);
        Assert.Equal(0, sd2.PadTokenId);
        Assert.Equal(ClipLayerUsed.Penultimate, sd2.LayerUsed);
        Assert.Equal(2, sd2.DefaultClipSkip);
    }

    [Fact]
    public void Real_sizes_are_the_ones_SD_uses()
    {
        Assert.Equal((768, 12, 12, 3072), (ClipTextEncoderConfig.Sd1.Width, ClipTextEncoderConfig.Sd1.Layers, ClipTextEncoderConfig.Sd1.Heads, ClipTextEncoderConfig.Sd1.EffectiveMlpWidth));
        Assert.Equal((1024, 24, 16, 4096), (ClipTextEncoderConfig.Sd2.Width, ClipTextEncoderConfig.Sd2.Layers, ClipTextEncoderConfig.Sd2.Heads, ClipTextEncoderConfig.Sd2.EffectiveMlpWidth));
        ClipTextEncoderConfig.Sd1.Validate();
        ClipTextEncoderConfig.Sd2.Validate();
    }

    [Theory]
    [InlineData("{\"unet\":{}}", "no \"text\" section")]
    [InlineData("{\"text\":{\"width\":32,\"layers\":3,\"heads\":4,\"activation\":\"relu\",\"pad_token_id\":0}}", "text.activation \"relu\"")]
    [InlineData("{\"text\":{\"width\":30,\"layers\":3,\"heads\":4,\"activation\":\"gelu\",\"pad_token_id\":0}}", "not divisible by 4 heads")]
    [InlineData("{\"text\":{\"layers\":3,\"heads\":4,\"activation\":\"gelu\",\"pad_token_id\":0}}", "text.width is missing")]
    [InlineData("{\"text\":{\"width\":\"32\",\"layers\":3,\"heads\":4,\"activation\":\"gelu\",\"pad_token_id\":0}}", "text.width must be an integer")]
    [InlineData("{\"text\":{\"width\":32,\"layers\":3,\"heads\":4,\"activation\":\"gelu\",\"pad_token_id\":49408}}", "pad_token_id 49408")]
    [InlineData("{\"text\":", "not valid JSON")]
    public void Bad_configs_name_the_file_and_field(string json, string expected)
    {
        using var dir = new TempFolder();
        string path = dir.File("model config.json");
        File.WriteAllText(path, json);
        var e = Assert.Throws<InvalidFileException>(() => ClipTextEncoderConfig.FromModelJson(path));
        Assert.Contains(expected, e.Message);
        Assert.Equal(path, e.FilePath);
    }

    [ReferenceDataFact]
    public void Infers_the_tiny_configs_from_checkpoint_shapes()
    {
        foreach (string family in new[] { "sd1", "sd2" })
        {
            using var file = TensorFiles.Open(Path.Combine(RepoPaths.ReferenceData!, "models", $"tiny-{family}-1234.safetensors"));
            var inferred = ClipTextEncoderConfig.FromCheckpoint(file, ClipCheckpointLayout.Detect(file.TensorNames)!, headDim: 8);
            var expected = ClipTextEncoderConfig.FromModelJson(Path.Combine(RepoPaths.ReferenceData!, "models", $"tiny-{family}-1234.json"));
            Assert.Equal(expected with { MlpWidth = expected.EffectiveMlpWidth }, inferred);
        }
    }
}
