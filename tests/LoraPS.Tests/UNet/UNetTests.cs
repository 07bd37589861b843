using LoraPS.Formats;
using LoraPS.Formats.SafeTensors;
using LoraPS.Models;
using LoraPS.Models.StableDiffusion.UNet;
using LoraPS.Tests.Support;
using LoraPS.Tests.TextEncoders;
using LoraPS.Torch;

namespace LoraPS.Tests.UNet;

public sealed class UNetTests
{
    /// <summary>Two levels, attention on the first, 4 groups: small enough for backward tests.</summary>
    internal static UNetConfig Tiny(bool linear) => new()
    {
        ModelChannels = 8, ChannelMult = new[] { 1, 2 }, AttentionLevels = new[] { 0 }, ContextDim = 6, NumResBlocks = 2,
        NumHeads = linear ? null : 2, NumHeadChannels = linear ? 4 : null, UseLinearInTransformer = linear, NormGroups = 4,
    };

    private static (Tensor Sample, Tensor Timesteps, Tensor Context) Inputs(UNetConfig config, long seed)
    {
        using var g = new Generator((ulong)seed);
        return (torch.randn(new long[] { 2, 4, 8, 8 }, generator: g), torch.tensor(new long[] { 10, 999 }, 2),
            torch.randn(new long[] { 2, 5, config.ContextDim }, generator: g));
    }

    [Fact]
    public void Diffusers_names_map_to_the_ldm_block_layout()
    {
        var c = UNetConfig.Sd15;
        Assert.Equal("time_embed.0.weight", UNetCheckpointLayout.ToLdm("time_embedding.linear_1.weight", c));
        Assert.Equal("input_blocks.0.0.bias", UNetCheckpointLayout.ToLdm("conv_in.bias", c));
        Assert.Equal("input_blocks.5.1.proj_in.weight", UNetCheckpointLayout.ToLdm("down_blocks.1.attentions.1.proj_in.weight", c));
        Assert.Equal("input_blocks.4.0.skip_connection.weight", UNetCheckpointLayout.ToLdm("down_blocks.1.resnets.0.conv_shortcut.weight", c));
        Assert.Equal("input_blocks.9.0.op.weight", UNetCheckpointLayout.ToLdm("down_blocks.2.downsamplers.0.conv.weight", c));
        Assert.Equal("input_blocks.11.0.out_layers.3.weight", UNetCheckpointLayout.ToLdm("down_blocks.3.resnets.1.conv2.weight", c));
        Assert.Equal("middle_block.2.emb_layers.1.bias", UNetCheckpointLayout.ToLdm("mid_block.resnets.1.time_emb_proj.bias", c));
        Assert.Equal("middle_block.1.transformer_blocks.0.attn2.to_k.weight", UNetCheckpointLayout.ToLdm("mid_block.attentions.0.transformer_blocks.0.attn2.to_k.weight", c));
        Assert.Equal("output_blocks.2.1.conv.weight", UNetCheckpointLayout.ToLdm("up_blocks.0.upsamplers.0.conv.weight", c));
        Assert.Equal("output_blocks.5.2.conv.bias", UNetCheckpointLayout.ToLdm("up_blocks.1.upsamplers.0.conv.bias", c));
        Assert.Equal("output_blocks.11.1.transformer_blocks.0.ff.net.0.proj.weight", UNetCheckpointLayout.ToLdm("up_blocks.3.attentions.2.transformer_blocks.0.ff.net.0.proj.weight", c));
        Assert.Equal("out.2.weight", UNetCheckpointLayout.ToLdm("conv_out.weight", c));
    }

    [Fact]
    public void SD15_size_has_the_published_shapes_and_parameter_count()
    {
        using var unet = new UNet2DConditionModel(UNetConfig.Sd15);
        var sd = unet.state_dict();
        Assert.Equal(new long[] { 320, 768 }, sd["down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight"].shape);
        Assert.Equal(new long[] { 2560, 320 }, sd["down_blocks.0.attentions.0.transformer_blocks.0.ff.net.0.proj.weight"].shape);
        Assert.Equal(new long[] { 1280, 2560, 3, 3 }, sd["up_blocks.0.resnets.0.conv1.weight"].shape);
        Assert.Equal(new long[] { 320, 640, 1, 1 }, sd["up_blocks.3.resnets.2.conv_shortcut.weight"].shape);
        Assert.Equal(859_520_964L, unet.parameter_count()); // SD 1.5 UNet
    }

    /// <summary>Writes <paramref name="unet"/> as a single-file checkpoint (ldm names), leaving out <paramref name="skip"/>.</summary>
    private static void WriteLdm(UNet2DConditionModel unet, string path, string? skip = null) =>
        SafeTensorsWriter.Write(path, unet.state_dict()
            .Select(kv => (Key: UNetCheckpointLayout.DefaultPrefix + UNetCheckpointLayout.ToLdm(kv.Key, unet.Config), Bytes: kv.Value.bytes(), Shape: kv.Value.shape))
            .Where(e => e.Key != skip)
            .Select(e => new SafeTensorEntry(e.Key, SafeTensorDType.F32, e.Shape, s => s.Write(e.Bytes))).ToList());

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Tiny_checkpoint_round_trips_and_a_removed_key_is_reported(bool linear)
    {
        var config = Tiny(linear);
        torch.manual_seed(21);
        using var original = new UNet2DConditionModel(config);
        using var folder = new TempFolder("unet tiny ü");
        string whole = folder.File("whole model.safetensors"), partial = folder.File("partial.safetensors");
        WriteLdm(original, whole);
        const string removed = "model.diffusion_model.middle_block.1.transformer_blocks.0.attn2.to_v.weight";
        WriteLdm(original, partial, removed);

        using (var file = TensorFiles.Open(whole))
        using (var loaded = UNet2DConditionModel.FromCheckpoint(file, config, out var report))
        {
            Assert.True(report.IsExact, report.ToString());
            var (sample, timesteps, context) = Inputs(config, 9);
            using (sample) using (timesteps) using (context)
            using (torch.no_grad())
            using (var a = original.forward(sample, timesteps, context))
            using (var b = loaded.forward(sample, timesteps, context))
                Assert.Equal(a.data<float>(), b.data<float>());
        }

        using var broken = TensorFiles.Open(partial);
        var e = Assert.Throws<UNetWeightsException>(() => UNet2DConditionModel.FromCheckpoint(broken, config, out _));
        Assert.Equal(new[] { removed }, e.Report.Missing);
        Assert.Empty(e.Report.WrongShape);
        Assert.Empty(e.Report.Unexpected);
        Assert.Contains(removed, e.Message);
    }

    [ReferenceDataFact]
    public void Missing_key_is_reported_by_its_checkpoint_name()
    {
        using var model = TensorFiles.Open(ClipTextEncoderWeightsTests.Model("sd1"));
        const string removed = "model.diffusion_model.output_blocks.5.2.conv.weight";
        using var folder = new TempFolder("unet missing ü");
        string path = folder.File("without one key.safetensors");
        SafeTensorsWriter.Write(path, model.TensorNames.Where(k => k.StartsWith("model.diffusion_model.", StringComparison.Ordinal) && k != removed)
            .Select(k => { var info = model.GetInfo(k); return new SafeTensorEntry(k, info.DType, info.Shape, s => s.Write(model.ReadBytes(k))); }).ToList());
        using var file = TensorFiles.Open(path);
        var e = Assert.Throws<UNetWeightsException>(() => UNet2DConditionModel.FromCheckpoint(file, UNetConfig.FromModelJson(UNetParityTests.ModelJson("sd1")), out _));
        Assert.Equal(new[] { removed }, e.Report.Missing);
        Assert.Empty(e.Report.WrongShape);
        Assert.Contains(removed, e.Message);
        Assert.Contains(path, e.Message);
    }

    [ReferenceDataFact]
    public void Wrong_projection_kind_is_reported_as_mis_shaped()
    {
        // The SD2 file has Linear proj_in/proj_out; an SD1-style (1×1 conv) config must name each of them.
        using var model = TensorFiles.Open(ClipTextEncoderWeightsTests.Model("sd2"));
        var config = UNetConfig.FromModelJson(UNetParityTests.ModelJson("sd2")) with { UseLinearInTransformer = false };
        var e = Assert.Throws<UNetWeightsException>(() => UNet2DConditionModel.FromCheckpoint(model, config, out _));
        Assert.Empty(e.Report.Missing);
        Assert.Equal(16 * 2, e.Report.WrongShape.Count); // proj_in and proj_out weights of 6 + 1 + 9 transformers
        Assert.Contains(e.Report.WrongShape, s => s.StartsWith("model.diffusion_model.input_blocks.1.1.proj_in.weight [32, 32]", StringComparison.Ordinal));
    }

    [ReferenceDataFact]
    public void Extra_keys_under_the_prefix_are_reported_as_unexpected()
    {
        using var model = TensorFiles.Open(ClipTextEncoderWeightsTests.Model("sd1"));
        using var folder = new TempFolder("unet extra");
        string path = folder.File("extra.safetensors");
        var entries = model.TensorNames.Where(k => k.StartsWith("model.diffusion_model.", StringComparison.Ordinal))
            .Select(k => { var info = model.GetInfo(k); return new SafeTensorEntry(k, info.DType, info.Shape, s => s.Write(model.ReadBytes(k))); }).ToList();
        entries.Add(new SafeTensorEntry("model.diffusion_model.label_emb.0.0.weight", SafeTensorDType.F32, new long[] { 2 }, s => s.Write(new byte[8])));
        SafeTensorsWriter.Write(path, entries);
        using var file = TensorFiles.Open(path);
        using var unet = UNet2DConditionModel.FromCheckpoint(file, UNetConfig.FromModelJson(UNetParityTests.ModelJson("sd1")), out var report);
        Assert.Equal(new[] { "model.diffusion_model.label_emb.0.0.weight" }, report.Unexpected);
        Assert.Empty(report.Missing);
    }

    [Fact]
    public void Model_json_carries_the_prediction_type_and_head_rule()
    {
        using var folder = new TempFolder("unet json");
        string path = folder.File("v.json");
        File.WriteAllText(path, """{"prediction":"v_prediction","unet":{"model_channels":64,"channel_mult":[1,2],"attention_levels":[1],"context_dim":16,"num_head_channels":32,"use_linear_in_transformer":true}}""");
        var config = UNetConfig.FromModelJson(path);
        Assert.Equal(PredictionType.V, config.Prediction);
        Assert.Equal(4, config.HeadsFor(128));
        Assert.True(config.UseLinearInTransformer);
        File.WriteAllText(path, """{"unet":{"model_channels":64,"channel_mult":[1,2],"attention_levels":[5],"context_dim":16,"num_heads":8}}""");
        var e = Assert.Throws<InvalidFileException>(() => UNetConfig.FromModelJson(path));
        Assert.Contains("attention_levels", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Backward_reaches_every_parameter(bool linear)
    {
        var config = Tiny(linear);
        torch.manual_seed(3);
        using var unet = new UNet2DConditionModel(config);
        var (sample, timesteps, context) = Inputs(config, 5);
        using (sample) using (timesteps) using (context)
        {
            using var output = unet.forward(sample, timesteps, context);
            Assert.Equal(sample.shape, output.shape);
            using var loss = output.square().mean();
            loss.backward();
        }
        foreach (var (name, p) in unet.named_parameters())
        {
            using var grad = p.grad;
            Assert.True(grad is not null, $"{name} got no gradient");
            using var norm = grad!.abs().sum();
            Assert.True(norm.item<float>() > 0, $"{name} has an all-zero gradient");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Gradient_checkpointing_gives_identical_gradients(bool linear)
    {
        var config = Tiny(linear);
        Dictionary<string, float[]> Gradients(bool checkpointing)
        {
            torch.manual_seed(11);
            using var unet = new UNet2DConditionModel(config) { GradientCheckpointing = checkpointing };
            var (sample, timesteps, context) = Inputs(config, 7);
            using (sample) using (timesteps) using (context)
            {
                context.requires_grad_(true);
                using var output = unet.forward(sample, timesteps, context);
                using var loss = output.square().mean();
                loss.backward();
                var gradients = unet.named_parameters().ToDictionary(p => p.name, p => { using var g = p.parameter.grad!; return g.data<float>(); });
                using var contextGrad = context.grad!;
                gradients["(context)"] = contextGrad.data<float>();
                return gradients;
            }
        }
        var plain = Gradients(false);
        var checkpointed = Gradients(true);
        Assert.Equal(plain.Keys, checkpointed.Keys);
        foreach (var (name, g) in plain)
            Assert.True(g.SequenceEqual(checkpointed[name]), $"{name}: gradients differ with checkpointing");
    }

    [Fact]
    public void Bad_inputs_are_refused_with_their_shapes()
    {
        using var unet = new UNet2DConditionModel(Tiny(false));
        using var t = torch.tensor(new long[] { 1 }, 1);
        using var wrongChannels = torch.zeros(new long[] { 1, 3, 8, 8 });
        using var context = torch.zeros(new long[] { 1, 5, 6 });
        Assert.Contains("sample", Assert.Throws<ArgumentException>(() => unet.forward(wrongChannels, t, context)).Message);
        using var good = torch.zeros(new long[] { 1, 4, 8, 8 });
        using var wrongContext = torch.zeros(new long[] { 1, 5, 9 });
        Assert.Contains("context", Assert.Throws<ArgumentException>(() => unet.forward(good, t, wrongContext)).Message);
    }

    [Fact]
    public void Odd_latent_sides_come_back_to_their_own_size()
    {
        // The downsampler rounds 7 up to 4; the upsampler must return to the skip's 7, not 8 (diffusers' upsample_size).
        using var unet = new UNet2DConditionModel(Tiny(false));
        using var _ = torch.no_grad();
        using var sample = torch.randn(new long[] { 1, 4, 7, 9 });
        using var t = torch.tensor(new long[] { 10 }, 1);
        using var context = torch.randn(new long[] { 1, 5, 6 });
        using var output = unet.forward(sample, t, context);
        Assert.Equal(sample.shape, output.shape);
        using var finite = output.isfinite().all();
        Assert.True(finite.item<bool>());
    }
}
