using LoraPS.Formats;
using LoraPS.Formats.SafeTensors;
using LoraPS.Models.StableDiffusion.TextEncoders;
using LoraPS.Tests.Support;
using LoraPS.Torch;

namespace LoraPS.Tests.TextEncoders;

public sealed class ClipTextEncoderWeightsTests
{
    internal static string Model(string family) => Path.Combine(RepoPaths.ReferenceData!, "models", $"tiny-{family}-1234.safetensors");
    internal static ClipTextEncoderConfig Config(string family) => ClipTextEncoderConfig.FromModelJson(Path.Combine(RepoPaths.ReferenceData!, "models", $"tiny-{family}-1234.json"));

    [ReferenceDataFact]
    public void Loads_every_SD1_parameter_in_float32_with_its_shape()
    {
        using var file = TensorFiles.Open(Model("sd1"));
        var layout = ClipCheckpointLayout.Detect(file.TensorNames)!;
        Assert.Equal(ClipKeyStyle.HuggingFace, layout.Style);
        var config = Config("sd1");
        using var encoder = ClipTextEncoder.FromCheckpoint(file, config, out var unexpected);
        var tensors = encoder.state_dict();
        Assert.Equal(4 + 16 * config.Layers, tensors.Count);
        Assert.Empty(unexpected);
        var fc1 = tensors["text_model.encoder.layers.2.mlp.fc1.weight"];
        Assert.Equal(new long[] { 128, 32 }, fc1.shape);
        Assert.Equal(ScalarType.Float32, fc1.dtype);
        Assert.Equal(file.ReadSingles("cond_stage_model.transformer.text_model.encoder.layers.2.mlp.fc1.weight"), fc1.data<float>());
    }

    [ReferenceDataFact]
    public void Splits_SD2s_fused_in_proj_into_q_k_v_rows()
    {
        using var file = TensorFiles.Open(Model("sd2"));
        var layout = ClipCheckpointLayout.Detect(file.TensorNames)!;
        Assert.Equal(ClipKeyStyle.OpenClip, layout.Style);
        using var encoder = ClipTextEncoder.FromCheckpoint(file, Config("sd2"), out var unexpected, layout: layout);
        Assert.Empty(unexpected);
        var tensors = encoder.state_dict();
        float[] fused = file.ReadSingles("cond_stage_model.model.transformer.resblocks.1.attn.in_proj_weight"); // [96, 32]
        float[] fusedBias = file.ReadSingles("cond_stage_model.model.transformer.resblocks.1.attn.in_proj_bias");
        string[] parts = { "q_proj", "k_proj", "v_proj" };
        for (int p = 0; p < 3; p++)
        {
            var w = tensors[$"text_model.encoder.layers.1.self_attn.{parts[p]}.weight"];
            Assert.Equal(new long[] { 32, 32 }, w.shape);
            Assert.Equal(fused.Skip(p * 32 * 32).Take(32 * 32), w.data<float>());
            Assert.Equal(fusedBias.Skip(p * 32).Take(32), tensors[$"text_model.encoder.layers.1.self_attn.{parts[p]}.bias"].data<float>());
        }
        Assert.Equal(file.ReadSingles("cond_stage_model.model.positional_embedding"), tensors["text_model.embeddings.position_embedding.weight"].data<float>());
    }

    [ReferenceDataFact]
    public void A_removed_key_and_a_wrong_shape_are_reported_by_name()
    {
        using var dir = new TempFolder("weights ö");
        string path = dir.File("broken model.safetensors");
        using (var source = SafeTensorsFile.Open(Model("sd1")))
        {
            var entries = source.Tensors
                .Where(t => t.Name != "cond_stage_model.transformer.text_model.encoder.layers.1.mlp.fc2.bias")
                .Select(t => t.Name == "cond_stage_model.transformer.text_model.final_layer_norm.weight"
                    ? SafeTensorEntry.FromSingles(t.Name, SafeTensorDType.F32, new long[] { 31 }, new float[31])
                    : SafeTensorEntry.CopyOf(t))
                .Append(SafeTensorEntry.FromSingles("cond_stage_model.transformer.text_model.surprise", SafeTensorDType.F32, new long[] { 1 }, new float[1]))
                .ToList();
            SafeTensorsWriter.Write(path, entries);
        }
        using var file = TensorFiles.Open(path);
        var layout = ClipCheckpointLayout.Detect(file.TensorNames)!;
        var e = Assert.Throws<TextEncoderWeightsException>(() => ClipTextEncoder.FromCheckpoint(file, Config("sd1"), out _, layout: layout));
        Assert.Equal(new[] { "cond_stage_model.transformer.text_model.encoder.layers.1.mlp.fc2.bias" }, e.Missing);
        Assert.Single(e.WrongShape);
        Assert.Contains("final_layer_norm.weight [31] (expected [32])", e.Message);
        Assert.Equal(path, e.FilePath);
    }

    [ReferenceDataFact]
    public void Extra_keys_under_the_prefix_are_listed_as_unexpected_and_known_unused_ones_are_not()
    {
        using var dir = new TempFolder();
        string path = dir.File("extra.safetensors");
        using (var source = SafeTensorsFile.Open(Model("sd2")))
            SafeTensorsWriter.Write(path, source.Tensors.Where(t => t.Name.StartsWith("cond_stage_model.", StringComparison.Ordinal)).Select(t => SafeTensorEntry.CopyOf(t))
                .Append(SafeTensorEntry.FromSingles("cond_stage_model.model.transformer.resblocks.9.ln_1.weight", SafeTensorDType.F32, new long[] { 32 }, new float[32])));
        using var file = TensorFiles.Open(path);
        using var encoder = ClipTextEncoder.FromCheckpoint(file, Config("sd2"), out var unexpected);
        Assert.Equal(new[] { "cond_stage_model.model.transformer.resblocks.9.ln_1.weight" }, unexpected);
    }
}
