using LoraPS.Torch;
using LoraPS.Torch.Modules;
using static LoraPS.Torch.torch.nn.functional;

namespace LoraPS.Models.StableDiffusion.TextEncoders;

#pragma warning disable IDE1006 // field names are the state-dict names (Hugging Face CLIPTextModel's)

/// <summary>Token plus learned position embeddings (<c>text_model.embeddings</c>).</summary>
public sealed class ClipTextEmbeddings : Module<Tensor, Tensor>
{
    private readonly Embedding token_embedding;
    private readonly Embedding position_embedding;

    public ClipTextEmbeddings(ClipTextEncoderConfig config, ScalarType dtype, Device? device) : base(nameof(ClipTextEmbeddings))
    {
        token_embedding = new Embedding(config.VocabSize, config.Width, dtype, device);
        position_embedding = new Embedding(config.MaxPositions, config.Width, dtype, device);
        RegisterComponents();
    }

    /// <param name="input">int64 ids (batch, length ≤ max positions).</param>
    public override Tensor forward(Tensor input)
    {
        long length = input.shape[^1];
        using var positions = torch.arange(length, ScalarType.Int64, input.device);
        using var tokens = token_embedding.forward(input);
        using var placed = position_embedding.forward(positions);
        return tokens + placed;
    }
}

/// <summary>Multi-head self-attention with a causal mask (<c>self_attn</c>: q/k/v/out projections with bias).</summary>
public sealed class ClipAttention : Module<Tensor, Tensor>
{
    private readonly Linear q_proj, k_proj, v_proj, out_proj;
    private readonly long heads;

    public ClipAttention(ClipTextEncoderConfig config, ScalarType dtype, Device? device) : base(nameof(ClipAttention))
    {
        heads = config.Heads;
        q_proj = new Linear(config.Width, config.Width, true, dtype, device);
        k_proj = new Linear(config.Width, config.Width, true, dtype, device);
        v_proj = new Linear(config.Width, config.Width, true, dtype, device);
        out_proj = new Linear(config.Width, config.Width, true, dtype, device);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        long batch = input.shape[0], length = input.shape[1], width = input.shape[2];
        using var q = SplitHeads(q_proj.forward(input), batch, length);
        using var k = SplitHeads(k_proj.forward(input), batch, length);
        using var v = SplitHeads(v_proj.forward(input), batch, length);
        // Position i attends to positions j ≤ i; scale 1/√head_dim.
        using var attended = scaled_dot_product_attention(q, k, v, is_causal: true);
        using var merged = attended.transpose(1, 2);
        using var flat = merged.reshape(batch, length, width);
        return out_proj.forward(flat);
    }

    private Tensor SplitHeads(Tensor projected, long batch, long length)
    {
        using (projected)
        using (var split = projected.view(batch, length, heads, -1))
            return split.transpose(1, 2);
    }
}

/// <summary>fc1 → activation → fc2 (<c>mlp</c>).</summary>
public sealed class ClipMlp : Module<Tensor, Tensor>
{
    private readonly Linear fc1, fc2;
    private readonly ClipActivation activation;

    public ClipMlp(ClipTextEncoderConfig config, ScalarType dtype, Device? device) : base(nameof(ClipMlp))
    {
        activation = config.Activation;
        fc1 = new Linear(config.Width, config.EffectiveMlpWidth, true, dtype, device);
        fc2 = new Linear(config.EffectiveMlpWidth, config.Width, true, dtype, device);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var hidden = fc1.forward(input);
        using var activated = activation == ClipActivation.QuickGelu ? quick_gelu(hidden) : gelu(hidden);
        return fc2.forward(activated);
    }
}

/// <summary>One pre-norm transformer layer: x += attn(LN1(x)); x += mlp(LN2(x)).</summary>
public sealed class ClipEncoderLayer : Module<Tensor, Tensor>
{
    private readonly ClipAttention self_attn;
    private readonly LayerNorm layer_norm1;
    private readonly ClipMlp mlp;
    private readonly LayerNorm layer_norm2;

    public ClipEncoderLayer(ClipTextEncoderConfig config, ScalarType dtype, Device? device) : base(nameof(ClipEncoderLayer))
    {
        self_attn = new ClipAttention(config, dtype, device);
        layer_norm1 = new LayerNorm(new long[] { config.Width }, config.LayerNormEps, true, dtype, device);
        mlp = new ClipMlp(config, dtype, device);
        layer_norm2 = new LayerNorm(new long[] { config.Width }, config.LayerNormEps, true, dtype, device);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        Tensor afterAttention;
        using (var normed = layer_norm1.forward(input))
        using (var attended = self_attn.forward(normed))
            afterAttention = input + attended;
        using (afterAttention)
        using (var normed = layer_norm2.forward(afterAttention))
        using (var fed = mlp.forward(normed))
            return afterAttention + fed;
    }
}

/// <summary>The layer stack (<c>encoder.layers.N</c>).</summary>
public sealed class ClipEncoder : Module
{
    public ModuleList<ClipEncoderLayer> layers { get; }

    public ClipEncoder(ClipTextEncoderConfig config, ScalarType dtype, Device? device) : base(nameof(ClipEncoder))
    {
        layers = new ModuleList<ClipEncoderLayer>(Enumerable.Range(0, config.Layers).Select(_ => new ClipEncoderLayer(config, dtype, device)).ToArray());
        register_module("layers", layers);
    }
}

/// <summary>Embeddings, encoder and final layer norm (<c>text_model</c>).</summary>
public sealed class ClipTextTransformer : Module
{
    public ClipTextEmbeddings embeddings { get; }
    public ClipEncoder encoder { get; }
    public LayerNorm final_layer_norm { get; }

    public ClipTextTransformer(ClipTextEncoderConfig config, ScalarType dtype, Device? device) : base(nameof(ClipTextTransformer))
    {
        embeddings = register_module("embeddings", new ClipTextEmbeddings(config, dtype, device));
        encoder = register_module("encoder", new ClipEncoder(config, dtype, device));
        final_layer_norm = register_module("final_layer_norm", new LayerNorm(new long[] { config.Width }, config.LayerNormEps, true, dtype, device));
    }
}
