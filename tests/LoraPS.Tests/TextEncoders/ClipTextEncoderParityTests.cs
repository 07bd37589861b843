using LoraPS.Formats;
using LoraPS.Formats.SafeTensors;
using LoraPS.Models.StableDiffusion.TextEncoders;
using LoraPS.Tests.Support;
using LoraPS.Torch;

namespace LoraPS.Tests.TextEncoders;

/// <summary>
/// The tiny SD1/SD2 text encoders against OpenAI CLIP's text transformer (reference safetensors):
/// float32 on CPU, within 1e-4 of each output's largest magnitude.
/// </summary>
public sealed class ClipTextEncoderParityTests
{
    private const double RelativeTolerance = 1e-4;
    private readonly Xunit.Abstractions.ITestOutputHelper output;

    public ClipTextEncoderParityTests(Xunit.Abstractions.ITestOutputHelper output) => this.output = output;

    [ReferenceDataFact]
    public void SD1_CLIP_ViT_L_reproduces_last_hidden_state_and_clip_skip_2() => ReproducesReference("sd1", output);

    [ReferenceDataFact]
    public void SD2_OpenCLIP_ViT_H_reproduces_last_hidden_state_and_clip_skip_2() => ReproducesReference("sd2", output);

    private static void ReproducesReference(string family, Xunit.Abstractions.ITestOutputHelper output)
    {
        using var model = TensorFiles.Open(ClipTextEncoderWeightsTests.Model(family));
        using var encoder = ClipTextEncoder.FromCheckpoint(model, ClipTextEncoderWeightsTests.Config(family), out var unexpected);
        Assert.Empty(unexpected);
        encoder.eval();

        using var reference = SafeTensorsFile.Open(Path.Combine(RepoPaths.ReferenceData!, "models", $"tiny-{family}-1234-reference.safetensors"));
        var idsInfo = reference.GetInfo("text.input_ids");
        using var ids = torch.from_bytes(reference.ReadBytes("text.input_ids"), ScalarType.Int64, idsInfo.Shape);

        using (torch.no_grad())
        {
            output.WriteLine($"{family} last_hidden_state: {AssertMatches(reference, "text.last_hidden_state", encoder.Encode(ids, clipSkip: 1)):G3} of the largest magnitude");
            output.WriteLine($"{family} clip_skip2: {AssertMatches(reference, "text.clip_skip2", encoder.Encode(ids, clipSkip: 2)):G3} of the largest magnitude");
        }
    }

    /// <summary>Asserts the tolerance; returns the largest difference relative to the largest reference magnitude.</summary>
    internal static double AssertMatches(ITensorFile reference, string name, Tensor actualTensor)
    {
        using (actualTensor)
        {
            var info = reference.GetInfo(name);
            Assert.Equal(info.Shape, actualTensor.shape);
            float[] expected = reference.ReadSingles(name);
            float[] actual = actualTensor.data<float>();
            double scale = expected.Max(v => Math.Abs((double)v));
            double worst = 0;
            int worstAt = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                double d = Math.Abs((double)expected[i] - actual[i]);
                if (d > worst) { worst = d; worstAt = i; }
            }
            Assert.True(worst <= RelativeTolerance * scale,
                $"{name}: largest difference {worst:G4} at {worstAt} (expected {expected[worstAt]}, got {actual[worstAt]}) exceeds {RelativeTolerance} × {scale:G4}");
            return worst / scale;
        }
    }
}
