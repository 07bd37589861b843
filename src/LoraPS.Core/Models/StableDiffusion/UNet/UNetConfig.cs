using System.Text.Json;
using LoraPS.Formats;

namespace LoraPS.Models.StableDiffusion.UNet;

/// <summary>
/// Hyper-parameters of an SD1.x/SD2.x UNet (ldm names). The same code builds the real SD1.5 (<see cref="Sd15"/>),
/// SD2.1 (<see cref="Sd21"/>) and the tiny test models, whose values come from the <c>unet</c> section of a model JSON.
/// Heads: either <see cref="NumHeads"/> fixed per block (SD1) or <see cref="NumHeadChannels"/> per head (SD2).
/// </summary>
public sealed record UNetConfig
{
    public int InChannels { get; init; } = 4;
    public int OutChannels { get; init; } = 4;
    public required int ModelChannels { get; init; }
    public required IReadOnlyList<int> ChannelMult { get; init; }
    public int NumResBlocks { get; init; } = 2;

    /// <summary>Levels (0 = full resolution) whose blocks have a spatial transformer.</summary>
    public required IReadOnlyList<int> AttentionLevels { get; init; }

    public required int ContextDim { get; init; }
    public int TransformerDepth { get; init; } = 1;
    public int? NumHeads { get; init; }
    public int? NumHeadChannels { get; init; }
    public bool UseLinearInTransformer { get; init; }
    public int NormGroups { get; init; } = 32;
    /// <summary>What the output means (<see cref="PredictionType.Epsilon"/> or <see cref="PredictionType.V"/>); the weights cannot tell.</summary>
    public PredictionType Prediction { get; init; } = PredictionType.Epsilon;

    public int TimeEmbedDim => 4 * ModelChannels;
    public int Levels => ChannelMult.Count;
    public int WidthOf(int level) => ModelChannels * ChannelMult[level];
    public bool HasAttention(int level) => AttentionLevels.Contains(level);

    /// <summary>Heads of a transformer of width <paramref name="channels"/>.</summary>
    public int HeadsFor(int channels) => NumHeads is int h ? h : channels / NumHeadChannels!.Value;

    public static UNetConfig Sd15 { get; } = new()
    {
        ModelChannels = 320, ChannelMult = new[] { 1, 2, 4, 4 }, AttentionLevels = new[] { 0, 1, 2 }, ContextDim = 768, NumHeads = 8,
    };

    public static UNetConfig Sd21 { get; } = new()
    {
        ModelChannels = 320, ChannelMult = new[] { 1, 2, 4, 4 }, AttentionLevels = new[] { 0, 1, 2 }, ContextDim = 1024,
        NumHeadChannels = 64, UseLinearInTransformer = true, Prediction = PredictionType.V,
    };

    /// <summary>Checks the values fit together; throws ArgumentException naming the field.</summary>
    public void Validate(string? source = null)
    {
        string where = source is null ? "" : source + ": ";
        if (InChannels <= 0 || OutChannels <= 0 || ModelChannels <= 0 || NumResBlocks <= 0 || ContextDim <= 0 || TransformerDepth <= 0)
            throw new ArgumentException($"{where}unet in/out channels, model_channels, num_res_blocks, context_dim and transformer_depth must be positive");
        if (ChannelMult.Count == 0 || ChannelMult.Any(m => m <= 0)) throw new ArgumentException($"{where}unet.channel_mult must be a non-empty list of positive integers");
        if (AttentionLevels.Any(l => l < 0 || l >= ChannelMult.Count)) throw new ArgumentException($"{where}unet.attention_levels must be between 0 and {ChannelMult.Count - 1}");
        if ((NumHeads is null) == (NumHeadChannels is null)) throw new ArgumentException($"{where}unet needs exactly one of num_heads and num_head_channels");
        if (NumHeads is <= 0 || NumHeadChannels is <= 0) throw new ArgumentException($"{where}unet num_heads / num_head_channels must be positive");
        for (int level = 0; level < Levels; level++)
        {
            int c = WidthOf(level);
            if (c % NormGroups != 0) throw new ArgumentException($"{where}unet width {c} (level {level}) does not split into {NormGroups} groups");
            if (HasAttention(level) || level == Levels - 1)
            {
                if (NumHeads is int h && c % h != 0) throw new ArgumentException($"{where}unet width {c} is not divisible by {h} heads");
                if (NumHeadChannels is int hc && c % hc != 0) throw new ArgumentException($"{where}unet width {c} is not divisible by head channels {hc}");
            }
        }
    }

    /// <summary>Reads the <c>unet</c> section (and the top-level <c>prediction</c>) of a model JSON such as <c>tiny-sd1-1234.json</c>.</summary>
    public static UNetConfig FromModelJson(string path)
        => ModelJson.ReadSection(path, "unet", "UNet", (unet, root) =>
            FromJson(unet, root.TryGetProperty("prediction", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null, path));

    /// <summary>Reads the hyper-parameters from a JSON object (the <c>unet</c> section); <paramref name="prediction"/> is "epsilon" or "v" / "v_prediction".</summary>
    public static UNetConfig FromJson(JsonElement unet, string? prediction, string source)
    {
        int? OptInt(string name) => ModelJson.OptionalInt(unet, "unet", name, source);
        int Int(string name, int? fallback = null) => ModelJson.Int(unet, "unet", name, source, fallback);
        int[] Ints(string name)
        {
            if (!unet.TryGetProperty(name, out var v)) throw new InvalidFileException(source, $"unet.{name} is missing");
            if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out _)))
                throw new InvalidFileException(source, $"unet.{name} must be a list of integers, found {v}");
            return v.EnumerateArray().Select(e => e.GetInt32()).ToArray();
        }
        bool linear = false;
        if (unet.TryGetProperty("use_linear_in_transformer", out var l))
            linear = l.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw new InvalidFileException(source, $"unet.use_linear_in_transformer must be true or false, found {l}"),
            };
        var type = prediction switch
        {
            null or "epsilon" or "eps" => PredictionType.Epsilon,
            "v" or "v_prediction" => PredictionType.V,
            var other => throw new InvalidFileException(source, $"prediction \"{other}\" is not one of epsilon, v_prediction"),
        };
        int? heads = OptInt("num_heads"), headChannels = OptInt("num_head_channels");
        if (heads == -1) heads = null;
        if (headChannels == -1) headChannels = null;
        var config = new UNetConfig
        {
            InChannels = Int("in_channels", 4),
            OutChannels = Int("out_channels", 4),
            ModelChannels = Int("model_channels"),
            ChannelMult = Ints("channel_mult"),
            NumResBlocks = Int("num_res_blocks", 2),
            AttentionLevels = Ints("attention_levels"),
            ContextDim = Int("context_dim"),
            TransformerDepth = Int("transformer_depth", 1),
            NumHeads = heads,
            NumHeadChannels = headChannels,
            UseLinearInTransformer = linear,
            Prediction = type,
        };
        try { config.Validate(); }
        catch (ArgumentException e) { throw new InvalidFileException(source, e.Message, e); }
        return config;
    }
}
