using LoraPS.Formats;
using LoraPS.Formats.SafeTensors;
using LoraPS.Models.StableDiffusion.TextEncoders;
using LoraPS.Models.StableDiffusion.UNet;
using LoraPS.Tests.Support;
using LoraPS.Tests.TextEncoders;
using LoraPS.Torch;

namespace LoraPS.Tests.UNet;

/// <summary>
/// The tiny SD1/SD2 UNets against diffusers 0.25's UNet2DConditionModel (reference safetensors): float32 on CPU, within
/// 1e-4 of each output's largest magnitude. out_text's context is computed here by <see cref="ClipTextEncoder"/> from
/// text.input_ids with the family's default layer, so it checks text encoder → UNet end to end.
/// </summary>
public sealed class UNetParityTests
{
    private readonly Xunit.Abstractions.ITestOutputHelper output;

    public UNetParityTests(Xunit.Abstractions.ITestOutputHelper output) => this.output = output;

    internal static string ModelJson(string family) => Path.Combine(RepoPaths.ReferenceData!, "models", $"tiny-{family}-1234.json");

    [ReferenceDataFact]
    public void SD1_UNet_reproduces_diffusers_with_given_and_text_encoder_context() => ReproducesReference("sd1");

    [ReferenceDataFact]
    public void SD2_UNet_with_linear_projections_reproduces_diffusers_with_given_and_text_encoder_context() => ReproducesReference("sd2");

    private void ReproducesReference(string family)
    {
        using var model = TensorFiles.Open(ClipTextEncoderWeightsTests.Model(family));
        var config = UNetConfig.FromModelJson(ModelJson(family));
        using var unet = UNet2DConditionModel.FromCheckpoint(model, config, out var report);
        Assert.True(report.IsExact, report.ToString());
        unet.eval();

        using var reference = SafeTensorsFile.Open(Path.Combine(RepoPaths.ReferenceData!, "models", $"tiny-{family}-1234-reference.safetensors"));
        using var sample = Read(reference, "unet.sample", ScalarType.Float32);
        using var timesteps = Read(reference, "unet.timesteps", ScalarType.Int64);
        using var context = Read(reference, "unet.context", ScalarType.Float32);
        using var ids = Read(reference, "text.input_ids", ScalarType.Int64);
        using var encoder = ClipTextEncoder.FromCheckpoint(model, ClipTextEncoderWeightsTests.Config(family));
        encoder.eval();

        using (torch.no_grad())
        {
            double outError = ClipTextEncoderParityTests.AssertMatches(reference, "unet.out", unet.forward(sample, timesteps, context));
            using var textContext = encoder.Encode(ids, encoder.Config.DefaultClipSkip);
            double textError = ClipTextEncoderParityTests.AssertMatches(reference, "unet.out_text", unet.forward(sample, timesteps, textContext));
            output.WriteLine($"{family} unet.out: {outError:G3}, unet.out_text: {textError:G3} of the largest magnitude");
        }
    }

    internal static Tensor Read(ITensorFile file, string name, ScalarType type) =>
        torch.from_bytes(file.ReadBytes(name), type, file.GetInfo(name).Shape);
}
