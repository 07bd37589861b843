using System.Text.Json;
using LoraPS.Formats;

namespace LoraPS.Models.StableDiffusion.TextEncoders;

public enum ClipActivation
{
    /// <summary>x·sigmoid(1.702x): OpenAI CLIP ViT-L/14 (SD1, SDXL's first encoder).</summary>
    QuickGelu,

    /// <summary>Exact (erf) GELU: OpenCLIP ViT-H/14 (SD2) and ViT-bigG/14.</summary>
    Gelu,
}

/// <summary>Which hidden state a model family feeds its UNet by default (clip skip 1 or 2).</summary>
public enum ClipLayerUsed
{
    /// <summary>Last layer, then the final layer norm (SD1).</summary>
    Last,

    /// <summary>Second-to-last layer, then the final layer norm (SD2).</summary>
    Penultimate,
}

/// <summary>
/// Hyper-parameters of a CLIP text transformer that the checkpoint's keys do not fix. The same code
/// builds the real SD1.5 (<see cref="Sd1"/>) and SD2.x (<see cref="Sd2"/>) encoders and the tiny test
/// models, whose values come from the <c>text</c> section of a model JSON.
/// </summary>
public sealed record ClipTextEncoderConfig
{
    public int VocabSize { get; init; } = 49408;
    public int MaxPositions { get; init; } = 77;
    public required int Width { get; init; }
    public required int Layers { get; init; }
    public required int Heads { get; init; }

    /// <summary>Hidden width of each MLP; 4 × <see cref="Width"/> in every SD encoder.</summary>
    public int MlpWidth { get; init; }

    public required ClipActivation Activation { get; init; }
    public required int PadTokenId { get; init; }
    public required ClipLayerUsed LayerUsed { get; init; }
    public double LayerNormEps { get; init; } = 1e-5;

    /// <summary>The <see cref="MlpWidth"/> to use: the given one or 4 × width.</summary>
    public int EffectiveMlpWidth => MlpWidth > 0 ? MlpWidth : 4 * Width;

    /// <summary>clip_skip (1 = last layer) that the family uses by default.</summary>
    public int DefaultClipSkip => LayerUsed == ClipLayerUsed.Last ? 1 : 2;

    /// <summary>OpenAI CLIP ViT-L/14 text model as SD 1.x uses it.</summary>
    public static ClipTextEncoderConfig Sd1 { get; } = new()
    {
        Width = 768, Layers = 12, Heads = 12, Activation = ClipActivation.QuickGelu, PadTokenId = 49407, LayerUsed = ClipLayerUsed.Last,
    };

    /// <summary>OpenCLIP ViT-H/14 text model as SD 2.x uses it (all 24 blocks are loaded; SD takes the penultimate).</summary>
    public static ClipTextEncoderConfig Sd2 { get; } = new()
    {
        Width = 1024, Layers = 24, Heads = 16, Activation = ClipActivation.Gelu, PadTokenId = 0, LayerUsed = ClipLayerUsed.Penultimate,
    };

    /// <summary>Checks the values fit together; throws ArgumentException naming the field.</summary>
    public void Validate(string? source = null)
    {
        string where = source is null ? "" : source + ": ";
        if (Width <= 0 || Layers <= 0 || Heads <= 0 || VocabSize <= 0 || MaxPositions <= 0)
            throw new ArgumentException($"{where}text width, layers, heads, vocab_size and max_positions must be positive");
        if (Width % Heads != 0)
            throw new ArgumentException($"{where}text width {Width} is not divisible by {Heads} heads");
        if (PadTokenId < 0 || PadTokenId >= VocabSize)
            throw new ArgumentException($"{where}text pad_token_id {PadTokenId} is outside the vocabulary (0…{VocabSize - 1})");
    }

    /// <summary>
    /// Infers the hyper-parameters from a checkpoint's shapes when no configuration is given: width,
    /// vocabulary and positions from the embeddings, layers by counting, MLP width from fc1, heads =
    /// width / <paramref name="headDim"/> (64 in every SD encoder). Hugging Face layouts are taken as
    /// OpenAI CLIP (quick_gelu, pad = EOS, last layer), OpenCLIP layouts as SD2 (gelu, pad 0, penultimate).
    /// </summary>
    public static ClipTextEncoderConfig FromCheckpoint(ITensorFile file, ClipCheckpointLayout layout, int headDim = 64)
    {
        bool openClip = layout.Style == ClipKeyStyle.OpenClip;
        string tokenKey = layout.Prefix + (openClip ? "token_embedding.weight" : layout.Style == ClipKeyStyle.HuggingFace ? "text_model.embeddings.token_embedding.weight" : "embeddings.token_embedding.weight");
        string positionKey = layout.Prefix + (openClip ? "positional_embedding" : layout.Style == ClipKeyStyle.HuggingFace ? "text_model.embeddings.position_embedding.weight" : "embeddings.position_embedding.weight");
        string layerPrefix = layout.Prefix + (openClip ? "transformer.resblocks." : layout.Style == ClipKeyStyle.HuggingFace ? "text_model.encoder.layers." : "encoder.layers.");
        foreach (string key in new[] { tokenKey, positionKey })
            if (!file.Contains(key)) throw new InvalidFileException(file.Path, $"{key} is missing; cannot tell the text encoder's size");

        long[] token = file.GetInfo(tokenKey).Shape, position = file.GetInfo(positionKey).Shape;
        if (token.Length != 2 || position.Length != 2)
            throw new InvalidFileException(file.Path, $"{tokenKey} and {positionKey} must be 2-d");
        int layers = file.TensorNames
            .Where(k => k.StartsWith(layerPrefix, StringComparison.Ordinal))
            .Select(k => k[layerPrefix.Length..].Split('.')[0])
            .Select(s => int.TryParse(s, out int n) ? n : -1)
            .DefaultIfEmpty(-1).Max() + 1;
        if (layers <= 0) throw new InvalidFileException(file.Path, $"no text encoder layers under {layerPrefix}");
        string fc1 = layerPrefix + "0." + (openClip ? "mlp.c_fc.weight" : "mlp.fc1.weight");
        int width = checked((int)token[1]);
        var config = new ClipTextEncoderConfig
        {
            VocabSize = checked((int)token[0]),
            MaxPositions = checked((int)position[0]),
            Width = width,
            Layers = layers,
            Heads = headDim > 0 && width % headDim == 0 ? width / headDim : throw new InvalidFileException(file.Path, $"text width {width} is not a multiple of the head size {headDim}"),
            MlpWidth = file.Contains(fc1) ? checked((int)file.GetInfo(fc1).Shape[0]) : 0,
            Activation = openClip ? ClipActivation.Gelu : ClipActivation.QuickGelu,
            PadTokenId = openClip ? 0 : checked((int)token[0]) - 1,
            LayerUsed = openClip ? ClipLayerUsed.Penultimate : ClipLayerUsed.Last,
        };
        try { config.Validate(file.Path); }
        catch (ArgumentException e) { throw new InvalidFileException(file.Path, e.Message, e); }
        return config;
    }

    /// <summary>Reads the <c>text</c> section of a model JSON (as in <c>tiny-sd1-1234.json</c>).</summary>
    public static ClipTextEncoderConfig FromModelJson(string path)
        => ModelJson.ReadSection(path, "text", "text encoder", (text, _) => FromJson(text, path));

    /// <summary>Reads the hyper-parameters from a JSON object (the <c>text</c> section).</summary>
    public static ClipTextEncoderConfig FromJson(JsonElement text, string source)
    {
        int Int(string name, int? fallback = null) => ModelJson.Int(text, "text", name, source, fallback);
        string Str(string name, string? fallback = null)
        {
            if (text.TryGetProperty(name, out var v))
                return v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new InvalidFileException(source, $"text.{name} must be a string, found {v}");
            return fallback ?? throw new InvalidFileException(source, $"text.{name} is missing");
        }

        var activation = Str("activation") switch
        {
            "quick_gelu" => ClipActivation.QuickGelu,
            "gelu" => ClipActivation.Gelu,
            var other => throw new InvalidFileException(source, $"text.activation \"{other}\" is not one of quick_gelu, gelu"),
        };
        var layerUsed = Str("layer_used", "last") switch
        {
            "last" => ClipLayerUsed.Last,
            "penultimate" => ClipLayerUsed.Penultimate,
            var other => throw new InvalidFileException(source, $"text.layer_used \"{other}\" is not one of last, penultimate"),
        };
        var config = new ClipTextEncoderConfig
        {
            VocabSize = Int("vocab_size", 49408),
            MaxPositions = Int("max_positions", 77),
            Width = Int("width"),
            Layers = Int("layers"),
            Heads = Int("heads"),
            MlpWidth = Int("mlp_width", 0),
            Activation = activation,
            PadTokenId = Int("pad_token_id"),
            LayerUsed = layerUsed,
        };
        try { config.Validate(); }
        catch (ArgumentException e) { throw new InvalidFileException(source, e.Message, e); }
        return config;
    }
}
