using LoraPS.Formats;
using LoraPS.Models.StableDiffusion.Loading;
using LoraPS.Models.Text;
using LoraPS.Torch;
using LoraPS.Torch.Modules;

namespace LoraPS.Models.StableDiffusion.TextEncoders;

#pragma warning disable IDE1006 // text_model is the state-dict name

/// <summary>How per-token prompt weights change the hidden states.</summary>
public enum TokenWeighting
{
    /// <summary>Weights are ignored.</summary>
    None,

    /// <summary>Each position's state is multiplied by its weight (sd-scripts' <c>--weighted_captions</c>).</summary>
    Multiply,

    /// <summary>Multiplied, then rescaled so each prompt's mean is what it was before (AUTOMATIC1111).</summary>
    MultiplyKeepMean,
}

/// <summary>
/// A CLIP text transformer as Stable Diffusion uses it: OpenAI CLIP ViT-L/14 for SD1
/// (<see cref="ClipTextEncoderConfig.Sd1"/>) or OpenCLIP ViT-H/14 for SD2 (<see cref="ClipTextEncoderConfig.Sd2"/>),
/// with parameters named as Hugging Face's CLIPTextModel names them (<c>text_model.encoder.layers.N…</c>),
/// which is also where kohya's <c>lora_te_…</c> module names come from.
/// </summary>
public sealed class ClipTextEncoder : Module
{
    public ClipTextEncoderConfig Config { get; }
    public ClipTextTransformer text_model { get; }

    /// <summary>Recompute each layer in the backward pass instead of keeping its activations (training).</summary>
    public bool GradientCheckpointing { get; set; }

    /// <summary>An encoder with freshly initialised weights (load a checkpoint with <see cref="FromCheckpoint"/>).</summary>
    public ClipTextEncoder(ClipTextEncoderConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(ClipTextEncoder))
    {
        config.Validate();
        Config = config;
        text_model = register_module("text_model", new ClipTextTransformer(config, dtype, device));
    }

    /// <summary>
    /// The text encoder of a single-file checkpoint (or a diffusers <c>text_encoder</c> file): the key
    /// layout is detected unless given; weights are read in <paramref name="dtype"/> on <paramref name="device"/>.
    /// Missing or mis-shaped weights throw <see cref="TextEncoderWeightsException"/>; keys nobody reads are
    /// listed in <paramref name="unexpected"/>.
    /// </summary>
    public static ClipTextEncoder FromCheckpoint(ITensorFile file, ClipTextEncoderConfig config, out IReadOnlyList<string> unexpected,
        ScalarType dtype = ScalarType.Float32, Device? device = null, ClipCheckpointLayout? layout = null)
    {
        var found = layout ?? ClipCheckpointLayout.Detect(file.TensorNames)
            ?? throw new InvalidFileException(file.Path, "no CLIP text encoder found (no token_embedding key of a known layout)");
        // Its key space: the prefix, or a diffusers file's text_model.* when there is none.
        bool Owns(string k) => k.StartsWith(found.Prefix, StringComparison.Ordinal)
            && (found.Prefix.Length > 0 || k.StartsWith("text_model.", StringComparison.Ordinal));
        var encoder = SinglePartLoader.Load(() => new ClipTextEncoder(config, dtype, device),
            _ => PartPlans.TextEncoder(file, ModelArchitecture.TextEncoder.Name, found, config, Owns),
            report => new TextEncoderWeightsException(file.Path, report.Missing, report.WrongShape),
            out var loaded);
        unexpected = loaded.Unexpected;
        return encoder;
    }

    /// <inheritdoc cref="FromCheckpoint(ITensorFile, ClipTextEncoderConfig, out IReadOnlyList{string}, ScalarType, Device?, ClipCheckpointLayout?)"/>
    public static ClipTextEncoder FromCheckpoint(ITensorFile file, ClipTextEncoderConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        FromCheckpoint(file, config, out _, dtype, device);

    /// <summary>
    /// Hidden states of 77-token windows <paramref name="inputIds"/> (int64, batch × length): the
    /// output of layer L − (clipSkip − 1) then the final layer norm. clip_skip 1 is the last layer
    /// (SD1's default), 2 the second to last (SD2's default; sd-scripts counts SD2's from its 23-layer
    /// stack, so its clip_skip k is k + 1 here). Layers past the chosen one are not run.
    /// </summary>
    public Tensor Encode(Tensor inputIds, int clipSkip = 1, bool finalLayerNorm = true)
    {
        int layers = Config.Layers;
        if (clipSkip < 1 || clipSkip > layers)
            throw new ArgumentOutOfRangeException(nameof(clipSkip), clipSkip, $"clip skip must be between 1 and the {layers} layers");
        if (inputIds.dim() != 2 || inputIds.shape[1] > Config.MaxPositions)
            throw new ArgumentException($"input ids must be (batch, length ≤ {Config.MaxPositions}); got [{string.Join(", ", inputIds.shape)}]", nameof(inputIds));

        Tensor hidden = text_model.embeddings.forward(inputIds);
        for (int n = 0; n < layers - (clipSkip - 1); n++)
        {
            var layer = text_model.encoder.layers[n];
            Tensor next = GradientCheckpointing && training && hidden.requires_grad
                ? torch.utils.checkpoint(layer, hidden)
                : layer.forward(hidden);
            hidden.Dispose();
            hidden = next;
        }
        if (!finalLayerNorm) return hidden;
        using (hidden) return text_model.final_layer_norm.forward(hidden);
    }

    /// <summary>
    /// Hidden states of prompts laid out in chunks (<see cref="TokenChunks"/>), stitched as sd-scripts
    /// does into (batch, 75·n + 2, width): the first window's start state, positions 1…75 of every
    /// window, the last window's final state. Per-token weights are applied as <paramref name="weighting"/> says.
    /// </summary>
    public Tensor EncodeChunks(IReadOnlyList<TokenChunks> prompts, int clipSkip = 1, TokenWeighting weighting = TokenWeighting.None, Device? device = null)
    {
        if (prompts.Count == 0) throw new ArgumentException("no prompts", nameof(prompts));
        int n = prompts[0].ChunkCount;
        if (prompts.Any(p => p.ChunkCount != n))
            throw new ArgumentException("every prompt of a batch must have the same number of chunks", nameof(prompts));
        int batch = prompts.Count, window = ClipTokenChunker.WindowLength, content = ClipTokenChunker.ContentPerChunk;
        long width = Config.Width;

        long[] ids = prompts.SelectMany(p => p.FlattenIds()).Select(i => (long)i).ToArray();
        using var idTensor = torch.tensor(ids, batch * n, window);
        using var onDevice = idTensor.to(device ?? Device.CPU);
        using var states = Encode(onDevice, clipSkip);                     // (batch·n, 77, W)
        using var grouped = states.view(batch, n, window, width);
        using var firstChunk = grouped.select(1, 0);
        using var first = firstChunk.narrow(1, 0, 1);                        // (batch, 1, W)
        using var middleParts = grouped.narrow(2, 1, content);
        using var middle = middleParts.reshape(batch, n * content, width);
        using var lastChunk = grouped.select(1, n - 1);
        using var last = lastChunk.narrow(1, window - 1, 1);
        Tensor stitched = torch.cat(new[] { first, middle, last }, 1);       // (batch, 75n+2, W)
        if (weighting == TokenWeighting.None) return stitched;

        var weights = new float[batch * (n * content + 2)];
        for (int b = 0; b < batch; b++)
        {
            var p = prompts[b];
            for (int s = 0; s < p.SequenceLength; s++)
            {
                var (chunk, position) = p.SourceOf(s);
                weights[b * p.SequenceLength + s] = p.Weights(chunk)[position];
            }
        }
        if (weights.All(v => v == 1f)) return stitched; // nothing to weight (and no mean to restore)
        using (stitched)
        {
            using var w = torch.tensor(weights, batch, n * content + 2, 1);
            using var wOnDevice = w.to(stitched.device, stitched.dtype);
            Tensor weighted = stitched * wOnDevice;
            if (weighting == TokenWeighting.Multiply) return weighted;
            using (weighted)
            {
                using var before = stitched.mean(new long[] { 1, 2 }, keepdim: true);
                using var after = weighted.mean(new long[] { 1, 2 }, keepdim: true);
                // A mean of zero (a final layer norm without bias gives one) cannot be restored: leave such prompts as weighted.
                using var zero = after.eq(0);
                using var quotient = before / after;
                using var ratio = quotient.masked_fill(zero, 1);
                return weighted * ratio;
            }
        }
    }

    /// <summary>Tokenises and encodes prompts in one call (see <see cref="EncodeChunks"/>).</summary>
    public Tensor EncodePrompts(ClipTokenizer tokenizer, IReadOnlyList<string> prompts, int? chunkCount = 1, int? clipSkip = null,
        bool parseWeights = false, TokenWeighting weighting = TokenWeighting.None, Device? device = null)
    {
        var tokens = prompts.Select(p => tokenizer.TokenizePrompt(p, parseWeights)).ToList();
        int n = chunkCount ?? tokens.Max(t => tokenizer.Chunker.Layout(t, null).ChunkCount);
        var chunks = tokens.Select(t => tokenizer.Chunker.Layout(t, n)).ToList();
        return EncodeChunks(chunks, clipSkip ?? Config.DefaultClipSkip, weighting, device);
    }
}
