using LoraPS.Tests.Lora;
using LoraPS.Tests.Support;

namespace LoraPS.Tests.Preview;

/// <summary>`loraps preview` end to end through the built command, on the tiny SD1 reference checkpoint.</summary>
public sealed class PreviewCliTests
{
    [ReferenceDataFact]
    public void Preview_draws_lists_with_what_if_and_never_replaces_without_force()
    {
        using var temp = new TempFolder("preview cli");
        string lora = temp.File("mein lora ü.safetensors");
        TestLoras.WriteLora(lora, new[] { new TestLayer("lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q", 32, 32) }, rank: 2, alpha: 2);
        string models = Path.Combine(RepoPaths.ReferenceData!, "models");
        string output = temp.File("out put");
        string sampler = "DPM++ 2M Karras";
        string[] Args(params string[] extra) => new[]
        {
            "preview", lora, "--checkpoint", Path.Combine(models, "tiny-sd1-1234.safetensors"), "--model-config", Path.Combine(models, "tiny-sd1-1234.json"),
            "--tokenizer", Path.Combine(RepoPaths.SharedData!, "bpe_simple_vocab_16e6.txt.gz"), "--prompt", "a photo of a cat", "--strengths", "0,0.5",
            "--seed", "3", "--steps", "2", "-W", "64", "-H", "64", "--sampler", sampler, "--output", output, "--offline",
        }.Concat(extra).ToArray();

        var whatIf = CliRunner.Run(Args("--what-if"));
        Assert.True(whatIf.Code == 0, whatIf.Err);
        Assert.Equal(3, whatIf.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.False(Directory.Exists(output));

        var run = CliRunner.Run(Args("--json"));
        Assert.True(run.Code == 0, run.Err + run.Out);
        Assert.Contains("mein lora ü-0.5-00-3.png", run.Out);
        Assert.True(File.Exists(Path.Combine(output, "mein lora ü-grid.png")));
        Assert.Equal(3, Directory.GetFiles(output).Length);

        long before = new FileInfo(Path.Combine(output, "mein lora ü-0-00-3.png")).LastWriteTimeUtc.Ticks;
        var again = CliRunner.Run(Args());
        Assert.Equal(1, again.Code);
        Assert.Contains("already exists", again.Err);
        Assert.Equal(before, new FileInfo(Path.Combine(output, "mein lora ü-0-00-3.png")).LastWriteTimeUtc.Ticks);

        sampler = "warp drive";
        var badSampler = CliRunner.Run(Args("--force"));
        Assert.Equal(1, badSampler.Code);
        Assert.Contains("warp drive", badSampler.Err);
    }
}
