using LoraPS.Formats;
using LoraPS.Formats.SafeTensors;
using LoraPS.Models.StableDiffusion.Vae;
using LoraPS.Tests.Support;
using LoraPS.Torch;

namespace LoraPS.Tests.Vae;

/// <summary>Loading: the missing/mis-shaped/unexpected report and separate VAE files (bare or prefixed keys, .ckpt, Linear-shaped attention).</summary>
public sealed class VaeWeightsTests
{
    internal static VaeConfig Tiny { get; } = new() { Ch = 32, ChMult = new[] { 1, 2 }, NumResBlocks = 1, ScalingFactor = 0.5 };

    /// <summary>Writes <paramref name="vae"/>'s weights under <paramref name="prefix"/>; attention weights as Linear [C, C] when asked.</summary>
    internal static void Write(AutoencoderKL vae, string path, string prefix, bool linearAttention = false, bool ckpt = false,
        Func<string, bool>? keep = null)
    {
        var entries = new List<(string Name, float[] Values, long[] Shape)>();
        foreach (var (name, tensor) in vae.state_dict())
        {
            if (keep is not null && !keep(name)) continue;
            long[] shape = tensor.shape;
            if (linearAttention && name.Contains(".attn_1.", StringComparison.Ordinal) && shape.Length == 4) shape = shape[..2];
            entries.Add((prefix + name, tensor.data<float>(), shape));
        }
        if (ckpt)
            Checkpoint.PickleWriter.WriteCheckpoint(path, entries.Select(e => (e.Name, e.Values, e.Shape, SafeTensorDType.F32)).ToList());
        else
            SafeTensorsWriter.Write(path, entries.Select(e => SafeTensorEntry.FromSingles(e.Name, SafeTensorDType.F32, e.Shape, e.Values)), overwrite: true);
    }

    [ReferenceDataFact]
    public void Loads_every_tiny_SD1_VAE_parameter_from_first_stage_model_keys()
    {
        using var file = TensorFiles.Open(VaeParityTests.Model("sd1"));
        Assert.Equal("first_stage_model.", VaeCheckpointLayout.DetectPrefix(file.TensorNames));
        using var vae = AutoencoderKL.FromCheckpoint(file, VaeParityTests.Config("sd1"), out var unexpected);
        Assert.Empty(unexpected);
        Assert.Equal(file.TensorNames.Count(k => k.StartsWith("first_stage_model.", StringComparison.Ordinal)), vae.state_dict().Count);
        // The stored attention bias is [C, 1, 1]; the module's is [C].
        var bias = vae.state_dict()["encoder.mid.attn_1.q.bias"];
        Assert.Equal(new long[] { 64 }, bias.shape);
        Assert.Equal(file.ReadSingles("first_stage_model.encoder.mid.attn_1.q.bias"), bias.data<float>());
        Assert.Equal(0.18215, VaeParityTests.Config("sd1").ScalingFactor);
    }

    [Fact]
    public void A_removed_key_a_wrong_shape_and_an_extra_key_are_reported_by_name()
    {
        using var dir = new TempFolder("vae weights ö");
        string path = dir.File("broken vae.safetensors");
        using (var source = new AutoencoderKL(Tiny))
        {
            var entries = source.state_dict()
                .Where(kv => kv.Key != "decoder.up.1.block.0.norm2.bias")
                .Select(kv => kv.Key == "encoder.conv_in.bias"
                    ? SafeTensorEntry.FromSingles("first_stage_model." + kv.Key, SafeTensorDType.F32, new long[] { 31 }, new float[31])
                    : SafeTensorEntry.FromSingles("first_stage_model." + kv.Key, SafeTensorDType.F32, kv.Value.shape, kv.Value.data<float>()))
                .Append(SafeTensorEntry.FromSingles("first_stage_model.decoder.up.7.block.0.conv1.bias", SafeTensorDType.F32, new long[] { 1 }, new float[1]))
                .ToList();
            SafeTensorsWriter.Write(path, entries);
        }
        using var file = TensorFiles.Open(path);
        var e = Assert.Throws<VaeWeightsException>(() => AutoencoderKL.FromCheckpoint(file, Tiny));
        Assert.Equal(new[] { "first_stage_model.decoder.up.1.block.0.norm2.bias" }, e.Missing);
        Assert.Single(e.WrongShape);
        Assert.Contains("first_stage_model.encoder.conv_in.bias [31] (expected [32])", e.Message);
        Assert.Equal(path, e.FilePath);

        // With the two defects repaired, the extra key is listed as unexpected.
        string repaired = dir.File("extra.safetensors");
        using (var source = new AutoencoderKL(Tiny))
        {
            var entries = source.state_dict().Select(kv => SafeTensorEntry.FromSingles("first_stage_model." + kv.Key, SafeTensorDType.F32, kv.Value.shape, kv.Value.data<float>()))
                .Append(SafeTensorEntry.FromSingles("first_stage_model.decoder.up.7.block.0.conv1.bias", SafeTensorDType.F32, new long[] { 1 }, new float[1]))
                .Append(SafeTensorEntry.FromSingles("model.diffusion_model.out.2.bias", SafeTensorDType.F32, new long[] { 4 }, new float[4]));
            SafeTensorsWriter.Write(repaired, entries);
        }
        using var good = TensorFiles.Open(repaired);
        using var loaded = AutoencoderKL.FromCheckpoint(good, Tiny, out var unexpected);
        Assert.Equal(new[] { "first_stage_model.decoder.up.7.block.0.conv1.bias" }, unexpected);
    }

    [Theory]
    [InlineData("", false, false)]
    [InlineData("", true, true)]
    [InlineData("first_stage_model.", true, false)]
    [InlineData("vae.", false, true)]
    public void A_separate_VAE_file_loads_with_bare_or_prefixed_keys(string prefix, bool linearAttention, bool ckpt)
    {
        using var dir = new TempFolder("vae file ü");
        string path = dir.File(ckpt ? "my vae.ckpt" : "my vae.safetensors");
        using var source = new AutoencoderKL(Tiny);
        Write(source, path, prefix, linearAttention, ckpt);
        using var file = TensorFiles.Open(path);
        Assert.Equal(prefix, VaeCheckpointLayout.DetectPrefix(file.TensorNames));
        using var loaded = AutoencoderKL.FromCheckpoint(file, Tiny, out var unexpected);
        Assert.Empty(unexpected);
        var expected = source.state_dict();
        foreach (var (name, tensor) in loaded.state_dict())
            Assert.True(expected[name].data<float>().SequenceEqual(tensor.data<float>()), $"{name} differs after loading");
    }

    [Fact]
    public void A_separate_VAE_file_in_diffusers_names_loads_and_a_missing_key_is_named_as_stored()
    {
        using var dir = new TempFolder("diffusers vae ü");
        string path = dir.File("diffusion_pytorch_model.safetensors"), partial = dir.File("partial.safetensors");
        using var source = new AutoencoderKL(Tiny);
        int levels = Tiny.ChMult.Count;
        const string removed = "decoder.up.1.block.0.norm2.bias";
        void WriteDiffusers(string to, bool all) => SafeTensorsWriter.Write(to, source.state_dict()
            .Where(kv => all || kv.Key != removed)
            .Select(kv => SafeTensorEntry.FromSingles(VaeDiffusersNames.ToDiffusers(kv.Key, levels), SafeTensorDType.F32, kv.Value.shape, kv.Value.data<float>())));
        WriteDiffusers(path, all: true);
        WriteDiffusers(partial, all: false);

        using (var file = TensorFiles.Open(path))
        using (var loaded = AutoencoderKL.FromCheckpoint(file, Tiny, out var unexpected))
        {
            Assert.Empty(unexpected);
            var expected = source.state_dict();
            foreach (var (name, tensor) in loaded.state_dict())
                Assert.True(expected[name].data<float>().SequenceEqual(tensor.data<float>()), $"{name} differs after loading");
        }
        using var broken = TensorFiles.Open(partial);
        var e = Assert.Throws<VaeWeightsException>(() => AutoencoderKL.FromCheckpoint(broken, Tiny));
        Assert.Equal(new[] { VaeDiffusersNames.ToDiffusers(removed, levels) }, e.Missing);
        Assert.Contains("decoder.up_blocks.0.resnets.0.norm2.bias", e.Message);
    }

    [Fact]
    public void A_file_without_a_VAE_is_refused_with_its_name()
    {
        using var dir = new TempFolder();
        string path = dir.File("unet only.safetensors");
        SafeTensorsWriter.Write(path, new[] { SafeTensorEntry.FromSingles("model.diffusion_model.out.2.bias", SafeTensorDType.F32, new long[] { 4 }, new float[4]) });
        using var file = TensorFiles.Open(path);
        var e = Assert.Throws<InvalidFileException>(() => AutoencoderKL.FromCheckpoint(file, Tiny));
        Assert.Contains("no VAE found", e.Message);
        Assert.Equal(path, e.FilePath);
    }
}
