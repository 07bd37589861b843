using LoraPS.Formats;
using LoraPS.Models.StableDiffusion.Vae;
using LoraPS.Tests.Support;
using LoraPS.Torch;

namespace LoraPS.Tests.Vae;

public sealed class VaeConfigTests
{
    [Fact]
    public void Reads_the_vae_section_and_builds_SD_sizes_from_the_same_code()
    {
        using var dir = new TempFolder("vae config é");
        string path = dir.File("model.json");
        File.WriteAllText(path, """{ "vae": { "ch": 128, "ch_mult": [1, 2, 4, 4], "num_res_blocks": 2, "z_channels": 4, "scaling_factor": 0.13025 } }""");
        var config = VaeConfig.FromModelJson(path);
        Assert.Equal((128, 2, 4, 0.13025), (config.Ch, config.NumResBlocks, config.ZChannels, config.ScalingFactor));
        Assert.Equal(new[] { 1, 2, 4, 4 }, config.ChMult);
        Assert.Equal(8, config.DownscaleFactor);
        using var vae = new AutoencoderKL(config);
        var sd = vae.state_dict();
        Assert.Equal(new long[] { 512, 512, 1, 1 }, sd["encoder.mid.attn_1.q.weight"].shape);
        Assert.Equal(new long[] { 256, 512, 1, 1 }, sd["decoder.up.1.block.0.nin_shortcut.weight"].shape);
        Assert.Equal(new long[] { 8, 512, 3, 3 }, sd["encoder.conv_out.weight"].shape);
        Assert.Equal(new long[] { 128, 128, 3, 3 }, sd["encoder.down.0.downsample.conv.weight"].shape);
        Assert.False(sd.ContainsKey("encoder.down.3.downsample.conv.weight"));
        Assert.False(sd.ContainsKey("decoder.up.0.upsample.conv.weight"));
        Assert.Equal(3, sd.Keys.Count(k => k.StartsWith("decoder.up.3.block.", StringComparison.Ordinal) && k.EndsWith("conv1.weight", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("""{ "unet": {} }""", "no \"vae\" section")]
    [InlineData("""{ "vae": { "ch": 128, "num_res_blocks": 2 } }""", "vae.ch_mult")]
    [InlineData("""{ "vae": { "ch": "x", "ch_mult": [1], "num_res_blocks": 2 } }""", "vae.ch must be an integer")]
    [InlineData("""{ "vae": { "ch": 20, "ch_mult": [1], "num_res_blocks": 2 } }""", "norm groups")]
    [InlineData("""{ "vae": { "ch": 32, "ch_mult": [1], "num_res_blocks": 2, "scaling_factor": -1 } }""", "scaling_factor")]
    [InlineData("""{ "vae": """, "not valid JSON")]
    public void Bad_configs_name_the_field(string json, string expected)
    {
        using var dir = new TempFolder();
        string path = dir.File("bad.json");
        File.WriteAllText(path, json);
        var e = Assert.Throws<InvalidFileException>(() => VaeConfig.FromModelJson(path));
        Assert.Contains(expected, e.Message);
        Assert.Equal(path, e.FilePath);
    }
}
