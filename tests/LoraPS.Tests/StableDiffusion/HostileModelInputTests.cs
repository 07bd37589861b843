using System.Text.Json.Nodes;
using LoraPS.Formats;
using LoraPS.Models;
using LoraPS.Models.StableDiffusion;
using LoraPS.Tests.Support;

namespace LoraPS.Tests.StableDiffusion;

/// <summary>Corrupt or truncated weight files and hostile config files: each a clear <see cref="InvalidFileException"/> naming the file and the field, never a crash.</summary>
public sealed class HostileModelInputTests
{
    private static InvalidFileException LoadFails(StableDiffusionLoadOptions options) =>
        Assert.IsAssignableFrom<InvalidFileException>(Record.Exception(() => StableDiffusionModel.Load(options)));

    [ReferenceDataFact]
    public void A_truncated_safetensors_checkpoint_is_named()
    {
        using var dir = new TempFolder("truncated");
        string path = dir.File("cut off.safetensors");
        byte[] bytes = File.ReadAllBytes(TinyModels.Checkpoint("sd1"));
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = LoadFails(TinyModels.Options("sd1") with { Path = path });
        Assert.Equal(path, e.FilePath);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void A_corrupt_ckpt_and_a_garbage_file_are_named()
    {
        using var dir = new TempFolder("corrupt");
        string ckpt = dir.File("broken.ckpt");
        File.WriteAllBytes(ckpt, new byte[] { (byte)'P', (byte)'K', 3, 4, 0, 0, 1, 2, 3 });
        Assert.Equal(ckpt, LoadFails(new StableDiffusionLoadOptions { Path = ckpt }).FilePath);
        string garbage = dir.File("garbage.safetensors");
        File.WriteAllBytes(garbage, Enumerable.Range(0, 100).Select(i => (byte)(i * 37)).ToArray());
        Assert.Equal(garbage, LoadFails(new StableDiffusionLoadOptions { Path = garbage }).FilePath);
    }

    [Fact]
    public void A_missing_path_and_a_folder_that_is_not_a_diffusers_model_are_named()
    {
        using var dir = new TempFolder("not a model");
        Assert.Throws<FileNotFoundException>(() => StableDiffusionModel.Load(new StableDiffusionLoadOptions { Path = dir.File("absent.safetensors") }));
        var e = LoadFails(new StableDiffusionLoadOptions { Path = dir.Path });
        Assert.Contains("model_index.json", e.Message);
        Assert.Throws<ArgumentException>(() => StableDiffusionModel.Load(new StableDiffusionLoadOptions { Path = dir.Path, DType = LoraPS.Torch.ScalarType.Int64 }));
        var device = Assert.Throws<ArgumentException>(() => StableDiffusionModel.Load(new StableDiffusionLoadOptions { Path = dir.Path, Device = LoraPS.Torch.Device.CUDA(99) }));
        Assert.Contains("cuda:99 is not available", device.Message);
    }

    public static TheoryData<string, string, string> HostileConfigs => new()
    {
        // part file, JSON (or an edit marker), text the error must contain
        { "unet/config.json", "[1, 2, 3]", "top level is a JSON array" },
        { "unet/config.json", "{\"block_out_channels\": [1000000000, 64, 128, 128]", "not valid JSON" },
        { "unet/config.json", "edit:block_out_channels=[1000000000,64,128,128]", "block_out_channels[0] is 1000000000, outside 1…1048576" },
        { "unet/config.json", "edit:attention_head_dim=\"eight\"", "attention_head_dim must be an integer, found \"eight\"" },
        { "unet/config.json", "edit:down_block_types=[\"CrossAttnDownBlock2D\"]", "down_block_types has 1 entries but block_out_channels has 4" },
        { "unet/config.json", "edit:block_out_channels=[32,48,128,128]", "block_out_channels [32, 48, 128, 128] must all be multiples of the first width" },
        { "unet/config.json", "edit:norm_num_groups=7", "does not split into 7 groups" },
        { "unet/config.json", "deep", "not valid JSON" },
        { "unet/config.json", "huge", "more than a config file's 1048576-byte limit" },
        { "text_encoder/config.json", "edit:hidden_act=\"relu\"", "hidden_act is \"relu\"; only quick_gelu and gelu are supported" },
        { "text_encoder/config.json", "edit:num_hidden_layers=-3", "num_hidden_layers is -3, outside 1…1048576" },
        { "text_encoder/config.json", "edit:num_attention_heads=5", "not divisible by 5 heads" },
        { "vae/config.json", "edit:scaling_factor=-1", "scaling_factor must be a positive number, found -1" },
        { "vae/config.json", "edit:shift_factor=0.1159", "shift_factor is 0.1159" },
        { "scheduler/scheduler_config.json", "edit:prediction_type=\"sample\"", "prediction_type is \"sample\"; only epsilon and v_prediction" },
        { "model_index.json", "\"just a string\"", "top level is a JSON string" },
    };

    [ReferenceDataTheory]
    [MemberData(nameof(HostileConfigs))]
    public void A_hostile_diffusers_config_is_refused_naming_the_file_and_field(string file, string content, string expected)
    {
        using var dir = new TempFolder("hostile config");
        string root = dir.File("pipeline");
        DiffusersFolderWriter.Write("sd1", root);
        string path = Path.Combine(root, file);
        File.WriteAllText(path, content switch
        {
            "deep" => new string('[', 200) + new string(']', 200),
            "huge" => "{\"pad\": \"" + new string('x', 2 << 20) + "\"}",
            _ when content.StartsWith("edit:", StringComparison.Ordinal) => Edited(path, content["edit:".Length..]),
            _ => content,
        });
        var e = LoadFails(new StableDiffusionLoadOptions { Path = root });
        Assert.Equal(Path.GetFullPath(path), e.FilePath);
        Assert.Contains(expected, e.Message);
    }

    private static string Edited(string path, string assignment)
    {
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        int eq = assignment.IndexOf('=');
        root[assignment[..eq]] = JsonNode.Parse(assignment[(eq + 1)..]);
        return root.ToJsonString();
    }

    [ReferenceDataFact]
    public void A_hostile_model_json_is_refused_naming_the_field()
    {
        using var dir = new TempFolder("hostile json");
        string family = TinyModels.WriteJson("sd1", dir.File("family.json"), r => r["family"] = "sd9");
        Assert.Contains("family \"sd9\" is not one of sd1, sd2, sdxl", LoadFails(TinyModels.Options("sd1") with { ConfigPath = family }).Message);
        string heads = TinyModels.WriteJson("sd1", dir.File("heads.json"), r => r["unet"]!["num_heads"] = 7);
        var e = LoadFails(TinyModels.Options("sd1") with { ConfigPath = heads });
        Assert.Equal(heads, e.FilePath);
        Assert.Contains("not divisible by 7 heads", e.Message);
        string noVae = TinyModels.WriteJson("sd1", dir.File("no vae.json"), r => r.Remove("vae"));
        Assert.Contains("no \"vae\" section", LoadFails(TinyModels.Options("sd1") with { ConfigPath = noVae }).Message);
    }

    [ReferenceDataFact]
    public void SDXL_is_refused_as_not_yet_supported()
    {
        var e = LoadFails(TinyModels.Options("sd1") with { Family = ModelFamily.SDXL });
        Assert.Contains("SDXL loading is not supported yet", e.Message);

        using var dir = new TempFolder("sdxl");
        string root = dir.File("pipeline");
        DiffusersFolderWriter.Write("sd1", root);
        string unet = Path.Combine(root, "unet", "config.json");
        File.WriteAllText(unet, Edited(unet, "addition_embed_type=\"text_time\""));
        var xl = LoadFails(new StableDiffusionLoadOptions { Path = root });
        Assert.Equal(root, xl.FilePath);
        Assert.Contains("is an SDXL model (unet/config.json addition_embed_type text_time); SDXL loading is not supported yet", xl.Message);
    }
}
