using LoraPS.Formats;
using LoraPS.Formats.SafeTensors;
using LoraPS.Models.StableDiffusion.Vae;
using LoraPS.Tests.Support;
using LoraPS.Tests.TextEncoders;
using LoraPS.Torch;

namespace LoraPS.Tests.Vae;

/// <summary>
/// The tiny SD1/SD2 VAEs against diffusers' AutoencoderKL (reference safetensors): mean, log-variance
/// and decode(mean), float32 on CPU, within 1e-4 of each output's largest magnitude.
/// </summary>
public sealed class VaeParityTests
{
    private readonly Xunit.Abstractions.ITestOutputHelper output;

    public VaeParityTests(Xunit.Abstractions.ITestOutputHelper output) => this.output = output;

    internal static string Model(string family) => Path.Combine(RepoPaths.ReferenceData!, "models", $"tiny-{family}-1234.safetensors");
    internal static VaeConfig Config(string family) => VaeConfig.FromModelJson(Path.Combine(RepoPaths.ReferenceData!, "models", $"tiny-{family}-1234.json"));

    [ReferenceDataFact]
    public void SD1_VAE_reproduces_mean_logvar_and_decode() => ReproducesReference("sd1");

    [ReferenceDataFact]
    public void SD2_VAE_reproduces_mean_logvar_and_decode() => ReproducesReference("sd2");

    private void ReproducesReference(string family)
    {
        using var model = TensorFiles.Open(Model(family));
        using var vae = AutoencoderKL.FromCheckpoint(model, Config(family), out var unexpected);
        Assert.Empty(unexpected);
        vae.eval();

        using var reference = SafeTensorsFile.Open(Path.Combine(RepoPaths.ReferenceData!, "models", $"tiny-{family}-1234-reference.safetensors"));
        using var image = torch.tensor(reference.ReadSingles("vae.image"), reference.GetInfo("vae.image").Shape);
        using (torch.no_grad())
        {
            using var posterior = vae.Encode(image);
            output.WriteLine($"{family} vae.mean: {ClipTextEncoderParityTests.AssertMatches(reference, "vae.mean", posterior.Mean.alias()):G3} of the largest magnitude");
            output.WriteLine($"{family} vae.logvar: {ClipTextEncoderParityTests.AssertMatches(reference, "vae.logvar", posterior.LogVar.alias()):G3} of the largest magnitude");
            output.WriteLine($"{family} vae.decoded: {ClipTextEncoderParityTests.AssertMatches(reference, "vae.decoded", vae.Decode(posterior.Mean)):G3} of the largest magnitude");
        }
    }
}
