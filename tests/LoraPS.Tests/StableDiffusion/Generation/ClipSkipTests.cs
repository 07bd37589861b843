using LoraPS.Models.StableDiffusion;
using LoraPS.Models.StableDiffusion.Generation;
using LoraPS.Models.StableDiffusion.Sampling;
using LoraPS.Models.Text;
using LoraPS.Tests.Support;
using LoraPS.Tests.Text;

namespace LoraPS.Tests.StableDiffusion.Generation;

/// <summary>
/// A request's clip skip is A1111's and sd-scripts': counted from the layer the family uses. SD2 single files keep all
/// 24 OpenCLIP layers and diffusers folders only the 23 SD uses, so the same number must pick the same layer in both.
/// </summary>
public sealed class ClipSkipTests
{
    [TinyModelFact]
    public void Sd2_clip_skip_picks_the_same_layer_from_a_single_file_and_a_diffusers_folder()
    {
        using var temp = new TempFolder("clip skip");
        string folder = temp.File("sd2 diffusers");
        DiffusersFolderWriter.Write("sd2", folder);
        string models = Path.Combine(RepoPaths.ReferenceData!, "models");
        using var single = StableDiffusionModel.Load(new StableDiffusionLoadOptions
        {
            Path = Path.Combine(models, "tiny-sd2-1234.safetensors"), ConfigPath = Path.Combine(models, "tiny-sd2-1234.json"),
        });
        using var diffusers = StableDiffusionModel.Load(new StableDiffusionLoadOptions { Path = folder });
        Assert.Equal(single.TextEncoder.Config.Layers - 1, diffusers.TextEncoder.Config.Layers);

        var tokenizer = new ClipTokenizer(SharedClipVocabulary.Tokenizer, single.TextEncoder.Config.PadTokenId);
        ImageGenerator Generator(StableDiffusionModel m) => new(tokenizer, m.TextEncoder, m.UNet, m.Vae, m.Prediction);
        var request = new GenerationRequest { Prompt = "a photo of a cat", Width = 64, Height = 64, Steps = 2, Seed = 5, Sampler = SamplerChoice.Parse("Euler") };
        byte[] Draw(StableDiffusionModel m, int? clipSkip) => Generator(m).Generate(request with { ClipSkip = clipSkip }).Pixels.ToArray();

        var defaultLayer = Draw(single, null);
        Assert.Equal(defaultLayer, Draw(single, 1));
        Assert.Equal(defaultLayer, Draw(diffusers, null));
        var skip2 = Draw(single, 2);
        Assert.NotEqual(defaultLayer, skip2);
        Assert.Equal(skip2, Draw(diffusers, 2));
    }
}
