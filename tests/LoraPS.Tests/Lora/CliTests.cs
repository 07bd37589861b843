using LoraPS.Tests.Support;

namespace LoraPS.Tests.Lora;

public class CliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

    [Fact]
    public void Info_compress_resize_and_merge_verbs_work_on_paths_with_spaces_and_non_ascii()
    {
        using var dir = new TempFolder("cli");
        string lora = dir.File("キャラ lora.safetensors");
        var layers = TestLoras.Sd1Layers(full: false);
        TestLoras.WriteLora(lora, layers, rank: 8, alpha: 4);

        var info = Run("info", lora);
        Assert.True(info.Code == 0, info.Err);
        Assert.Contains("LoRA", info.Out);
        Assert.Matches(@"Rank\s+: 8", info.Out);

        var compress = Run("compress", lora);
        Assert.True(compress.Code == 0, compress.Err);
        Assert.True(File.Exists(dir.File("キャラ lora-SvR16.safetensors")));

        var resize = Run("resize", lora, "--rank", "2", "-o", dir.File("r2 out.safetensors"), "-v");
        Assert.True(resize.Code == 0, resize.Err);
        Assert.Contains("fro retained", resize.Out);
        Assert.Matches(@"Rank\s+: 2", Run("info", dir.File("r2 out.safetensors")).Out);

        TestCheckpoints.WriteSd1(dir.File("base.safetensors"), layers);
        var dry = Run("merge", lora, "--base-model", dir.File("base.safetensors"), "-o", dir.File("merged.safetensors"), "--what-if");
        Assert.True(dry.Code == 0, dry.Err);
        Assert.False(File.Exists(dir.File("merged.safetensors")));
        var merge = Run("merge", lora, "--base-model", dir.File("base.safetensors"), "-o", dir.File("merged.safetensors"), "--ratios", "0.5");
        Assert.True(merge.Code == 0, merge.Err);
        Assert.Contains("SD1", Run("info", dir.File("merged.safetensors")).Out);

        File.WriteAllText(dir.File("junk.safetensors"), "not a model");
        var bad = Run("info", dir.File("junk.safetensors"));
        Assert.Equal(1, bad.Code);
        Assert.Contains("junk.safetensors", bad.Err);
    }
}
