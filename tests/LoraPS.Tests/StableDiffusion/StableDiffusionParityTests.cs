using LoraPS.Formats.SafeTensors;
using LoraPS.Models;
using LoraPS.Models.StableDiffusion;
using LoraPS.Tests.Checkpoint;
using LoraPS.Tests.Support;
using LoraPS.Torch;

namespace LoraPS.Tests.StableDiffusion;

/// <summary>
/// The tiny SD1/SD2 models loaded whole through <see cref="StableDiffusionModel.Load"/> — from the reference .safetensors,
/// from a .ckpt and from a diffusers folder written from it — reproduce every output of the reference file.
/// </summary>
public sealed class StableDiffusionParityTests
{
    private readonly Xunit.Abstractions.ITestOutputHelper output;

    public StableDiffusionParityTests(Xunit.Abstractions.ITestOutputHelper output) => this.output = output;

    [ReferenceDataFact]
    public void SD1_safetensors_checkpoint_reproduces_text_unet_and_vae_outputs() => SingleFile("sd1");

    [ReferenceDataFact]
    public void SD2_safetensors_checkpoint_reproduces_text_unet_and_vae_outputs() => SingleFile("sd2");

    private void SingleFile(string family)
    {
        var messages = new List<string>();
        using var model = StableDiffusionModel.Load(TinyModels.Options(family), new SynchronousProgress(messages.Add));
        Assert.Equal(family == "sd1" ? ModelFamily.SD1 : ModelFamily.SD2, model.Family);
        Assert.Equal(PredictionType.Epsilon, model.Prediction);
        Assert.Equal(Path.GetFullPath(TinyModels.Checkpoint(family)), model.SourcePath);
        Assert.True(model.Report.IsExact, model.Report.ToString());
        Assert.Equal(new[] { "text_encoder", "unet", "vae" }, model.Report.Parts.Select(p => p.Part));
        Assert.All(model.Report.Parts, p => Assert.Equal(SafeTensorDType.F16, p.StoredDType));
        Assert.Equal(model.UNet.state_dict().Count, model.Report["unet"].LoadedParameters);
        Assert.Contains(messages, m => m.StartsWith("Loading unet", StringComparison.Ordinal));
        Assert.All(new LoraPS.Torch.Modules.Module[] { model.TextEncoder, model.UNet, model.Vae }, m => Assert.False(m.training));
        TinyModels.AssertReproducesReference(model, family, output);
        output.WriteLine(model.Report.ToString());
    }

    [ReferenceDataFact]
    public void A_ckpt_written_from_the_SD2_checkpoint_loads_to_the_same_outputs()
    {
        using var dir = new TempFolder("ckpt ä");
        string path = dir.File("tiny sd2.ckpt");
        using (var source = SafeTensorsFile.Open(TinyModels.Checkpoint("sd2")))
            PickleWriter.WriteCheckpoint(path, source.Tensors.Where(t => t.DType.IsFloatingPoint())
                .Select(t => (t.Name, t.ToSingleArray(), t.ShapeArray(), t.DType)).ToList());
        using var model = StableDiffusionModel.Load(TinyModels.Options("sd2") with { Path = path });
        Assert.True(model.Report.IsComplete, model.Report.ToString());
        Assert.Equal(path, model.Report["unet"].SourcePath);
        TinyModels.AssertReproducesReference(model, "sd2", output);
    }

    [ReferenceDataFact]
    public void SD1_diffusers_folder_loads_to_the_same_outputs_without_a_model_json() => Diffusers("sd1", new DiffusersFolderWriter.Options());

    [ReferenceDataFact]
    public void SD2_diffusers_folder_with_23_of_24_text_layers_and_fp16_variant_files_loads_to_the_same_outputs() =>
        Diffusers("sd2", new DiffusersFolderWriter.Options { Fp16Variant = true, LegacyAttentionNames = true });

    private void Diffusers(string family, DiffusersFolderWriter.Options options)
    {
        using var dir = new TempFolder("diffusers 模型");
        string root = dir.File("tiny pipeline");
        DiffusersFolderWriter.Write(family, root, options);
        using var model = StableDiffusionModel.Load(new StableDiffusionLoadOptions { Path = root });
        output.WriteLine(model.Report.ToString());
        Assert.Equal(family == "sd1" ? ModelFamily.SD1 : ModelFamily.SD2, model.Family);
        Assert.Equal(DetectionSource.Config, model.Report.FamilySource);
        Assert.Equal((PredictionType.Epsilon, DetectionSource.Config), (model.Prediction, model.Report.PredictionSource));
        Assert.True(model.Report.IsExact, model.Report.ToString());
        Assert.All(model.Report.Parts, p => Assert.StartsWith("diffusers", p.KeyLayout));
        if (options.Fp16Variant) Assert.EndsWith(".fp16.safetensors", model.Report["unet"].SourcePath);
        // SD2: the folder's text encoder ends at the layer SD2 uses, so its default (last) output is the reference's clip_skip2.
        TinyModels.AssertReproducesReference(model, family, output, allTextLayers: family == "sd1");
    }

    [ReferenceDataFact]
    public void The_plain_safetensors_file_is_preferred_over_the_fp16_variant()
    {
        using var dir = new TempFolder("variant");
        string root = dir.File("pipeline");
        DiffusersFolderWriter.Write("sd1", root);
        // A broken fp16 variant beside the real file must not be read.
        File.WriteAllBytes(Path.Combine(root, "unet", "diffusion_pytorch_model.fp16.safetensors"), new byte[] { 1, 2, 3 });
        using var model = StableDiffusionModel.Load(new StableDiffusionLoadOptions { Path = root });
        Assert.EndsWith(Path.Combine("unet", "diffusion_pytorch_model.safetensors"), model.Report["unet"].SourcePath);
    }

    [ReferenceDataFact]
    public void Float16_load_creates_every_parameter_in_float16_with_the_stored_values()
    {
        using var half = StableDiffusionModel.Load(TinyModels.Options("sd1") with { DType = ScalarType.Float16 });
        using var full = StableDiffusionModel.Load(TinyModels.Options("sd1"));
        foreach (var (a, b) in new[] { (half.TextEncoder.state_dict(), full.TextEncoder.state_dict()), (half.UNet.state_dict(), full.UNet.state_dict()), (half.Vae.state_dict(), full.Vae.state_dict()) })
            foreach (var (name, tensor) in a)
            {
                Assert.Equal(ScalarType.Float16, tensor.dtype);
                Assert.Equal(ScalarType.Float32, b[name].dtype);
                using var widened = tensor.to(ScalarType.Float32);
                // The file stores float16, so float16 holds it exactly and float32 widens it exactly.
                Assert.Equal(b[name].data<float>(), widened.data<float>());
            }
        using var stored = SafeTensorsFile.Open(TinyModels.Checkpoint("sd1"));
        Assert.Equal(stored["model.diffusion_model.input_blocks.0.0.weight"].Bytes.ToArray(), half.UNet.conv_in.weight.bytes());
    }

    [ReferenceDataFact]
    public void A_cancelled_load_stops_with_OperationCanceledException()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => StableDiffusionModel.Load(TinyModels.Options("sd1"), null, cancel.Token));
    }

    /// <summary>Progress that reports on the calling thread (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
