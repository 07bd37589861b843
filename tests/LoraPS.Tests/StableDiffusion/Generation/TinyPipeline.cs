using LoraPS.Formats;
using LoraPS.Models.StableDiffusion.Generation;
using LoraPS.Models.StableDiffusion.TextEncoders;
using LoraPS.Models.StableDiffusion.UNet;
using LoraPS.Models.StableDiffusion.Vae;
using LoraPS.Models.Text;
using LoraPS.Tests.Support;
using LoraPS.Tests.Text;
using PredictionType = LoraPS.Models.PredictionType;

namespace LoraPS.Tests.StableDiffusion.Generation;

/// <summary>The parts of a tiny reference model (../shared/reference-data/models/tiny-{family}-1234), float32 on the CPU.</summary>
public sealed class TinyPipeline : IDisposable
{
    public ClipTokenizer Tokenizer { get; }
    public ClipTextEncoder TextEncoder { get; }
    public UNet2DConditionModel UNet { get; }
    public AutoencoderKL Vae { get; }

    public TinyPipeline(string family)
    {
        string folder = Path.Combine(RepoPaths.ReferenceData!, "models");
        string json = Path.Combine(folder, $"tiny-{family}-1234.json");
        using var file = TensorFiles.Open(Path.Combine(folder, $"tiny-{family}-1234.safetensors"));
        var textConfig = ClipTextEncoderConfig.FromModelJson(json);
        Tokenizer = new ClipTokenizer(SharedClipVocabulary.Tokenizer, textConfig.PadTokenId);
        TextEncoder = ClipTextEncoder.FromCheckpoint(file, textConfig);
        UNet = UNet2DConditionModel.FromCheckpoint(file, UNetConfig.FromModelJson(json), out var report);
        if (!report.IsExact) throw new InvalidOperationException(report.ToString());
        Vae = AutoencoderKL.FromCheckpoint(file, VaeConfig.FromModelJson(json));
        TextEncoder.eval();
        UNet.eval();
        Vae.eval();
    }

    public ImageGenerator Generator(PredictionType prediction = PredictionType.Epsilon) => new(Tokenizer, TextEncoder, UNet, Vae, prediction);

    public void Dispose()
    {
        TextEncoder.Dispose();
        UNet.Dispose();
        Vae.Dispose();
    }
}

public sealed class TinySd1Fixture : IDisposable
{
    private readonly Lazy<TinyPipeline> pipeline = new(() => new TinyPipeline("sd1"));
    public TinyPipeline Pipeline => pipeline.Value;
    public void Dispose() { if (pipeline.IsValueCreated) pipeline.Value.Dispose(); }
}

/// <summary>A test that runs a tiny reference model: needs ../shared/reference-data and the CLIP vocabulary in ../shared/data.</summary>
public sealed class TinyModelFactAttribute : FactAttribute
{
    public TinyModelFactAttribute()
    {
        if (RepoPaths.ReferenceData is null) Skip = "../shared/reference-data is not beside this repository; generation tests need its tiny models";
        else if (SharedClipVocabulary.BpePath is null) Skip = "../shared/data/bpe_simple_vocab_16e6.txt.gz is absent; generation tests need the CLIP vocabulary";
    }
}

/// <summary>The theory form of <see cref="TinyModelFactAttribute"/>.</summary>
public sealed class TinyModelTheoryAttribute : TheoryAttribute
{
    public TinyModelTheoryAttribute()
    {
        if (RepoPaths.ReferenceData is null) Skip = "../shared/reference-data is not beside this repository; generation tests need its tiny models";
        else if (SharedClipVocabulary.BpePath is null) Skip = "../shared/data/bpe_simple_vocab_16e6.txt.gz is absent; generation tests need the CLIP vocabulary";
    }
}
