using LoraPS.Torch;
using LoraPS.Torch.Modules;
using static LoraPS.Torch.torch.nn.functional;

namespace LoraPS.Models.StableDiffusion.UNet;

#pragma warning disable IDE1006 // field names are the state-dict names (diffusers UNet2DConditionModel's)

internal static class Scoped
{
    /// <summary>Runs <paramref name="body"/> in a dispose scope and keeps only its result, so intermediates are freed at once.</summary>
    public static Tensor Run(Func<Tensor> body)
    {
        using var scope = torch.NewDisposeScope();
        return body().MoveToOuterDisposeScope();
    }
}

/// <summary>Linear → SiLU → Linear on the sinusoidal timestep features (<c>time_embedding</c>).</summary>
public sealed class TimestepEmbedding : Module<Tensor, Tensor>
{
    private readonly Linear linear_1, linear_2;

    public TimestepEmbedding(int channels, int embedDim, ScalarType dtype, Device? device) : base(nameof(TimestepEmbedding))
    {
        linear_1 = new Linear(channels, embedDim, true, dtype, device);
        linear_2 = new Linear(embedDim, embedDim, true, dtype, device);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => Scoped.Run(() => linear_2.forward(silu(linear_1.forward(input))));

    /// <summary>
    /// The sinusoid of SD's UNets for timesteps (batch,): cos first, then sin; frequency k = exp(−ln(10000)·k/half)
    /// (diffusers flip_sin_to_cos = true, downscale_freq_shift = 0). Float32.
    /// </summary>
    public static Tensor Sinusoid(Tensor timesteps, int dim)
    {
        int half = dim / 2;
        return Scoped.Run(() =>
        {
            var k = torch.arange(half, ScalarType.Float32, timesteps.device);
            var freqs = (k * (-Math.Log(10000.0) / half)).exp();
            var t = timesteps.to(ScalarType.Float32).reshape(-1, 1);
            var args = t * freqs.unsqueeze(0);
            var emb = torch.cat(new[] { args.cos(), args.sin() }, 1);
            return dim % 2 == 1 ? pad(emb, new long[] { 0, 1 }) : emb;
        });
    }
}

/// <summary>GN → SiLU → conv3×3, + time projection, GN → SiLU → conv3×3, + (1×1 conv) skip (<c>ResnetBlock2D</c>).</summary>
public sealed class ResnetBlock2D : Module
{
    private readonly GroupNorm norm1;
    private readonly Conv2d conv1;
    private readonly Linear time_emb_proj;
    private readonly GroupNorm norm2;
    private readonly Conv2d conv2;
    private readonly Conv2d? conv_shortcut;

    public ResnetBlock2D(int inChannels, int outChannels, int tembChannels, int groups, ScalarType dtype, Device? device) : base(nameof(ResnetBlock2D))
    {
        norm1 = new GroupNorm(groups, inChannels, 1e-5, true, dtype, device);
        conv1 = new Conv2d(inChannels, outChannels, 3, padding: 1, dtype: dtype, device: device);
        time_emb_proj = new Linear(tembChannels, outChannels, true, dtype, device);
        norm2 = new GroupNorm(groups, outChannels, 1e-5, true, dtype, device);
        conv2 = new Conv2d(outChannels, outChannels, 3, padding: 1, dtype: dtype, device: device);
        if (inChannels != outChannels) conv_shortcut = new Conv2d(inChannels, outChannels, 1, dtype: dtype, device: device);
        RegisterComponents();
    }

    public Tensor forward(Tensor x, Tensor temb) => Scoped.Run(() =>
    {
        var h = conv1.forward(silu(norm1.forward(x)));
        var t = time_emb_proj.forward(silu(temb));
        h = h + t.unsqueeze(-1).unsqueeze(-1);
        h = conv2.forward(silu(norm2.forward(h)));
        var skip = conv_shortcut is null ? x : conv_shortcut.forward(x);
        return skip + h;
    });
}

/// <summary>Multi-head attention, q from the input, k/v from the context (or the input); q/k/v without bias (<c>attn1</c>, <c>attn2</c>).</summary>
public sealed class CrossAttention : Module
{
    private readonly Linear to_q, to_k, to_v;
    private readonly ModuleList<Linear> to_out;
    private readonly long heads;

    public CrossAttention(int queryDim, int contextDim, int heads, ScalarType dtype, Device? device) : base(nameof(CrossAttention))
    {
        this.heads = heads;
        to_q = new Linear(queryDim, queryDim, false, dtype, device);
        to_k = new Linear(contextDim, queryDim, false, dtype, device);
        to_v = new Linear(contextDim, queryDim, false, dtype, device);
        to_out = new ModuleList<Linear>(new Linear(queryDim, queryDim, true, dtype, device)); // to_out.1 is dropout
        RegisterComponents();
    }

    public Tensor forward(Tensor x, Tensor? context = null) => Scoped.Run(() =>
    {
        var source = context ?? x;
        long batch = x.shape[0], length = x.shape[1], width = x.shape[2];
        Tensor Split(Tensor t) => t.view(batch, t.shape[1], heads, -1).transpose(1, 2);
        var q = Split(to_q.forward(x));
        var k = Split(to_k.forward(source));
        var v = Split(to_v.forward(source));
        var attended = scaled_dot_product_attention(q, k, v); // scale 1/√head_dim
        var merged = attended.transpose(1, 2).reshape(batch, length, width);
        return to_out[0].forward(merged);
    });
}

/// <summary>Linear to twice the hidden width, value · GELU(gate) (<c>ff.net.0</c>).</summary>
public sealed class GEGLU : Module<Tensor, Tensor>
{
    private readonly Linear proj;

    public GEGLU(int dimIn, int dimOut, ScalarType dtype, Device? device) : base(nameof(GEGLU))
    {
        proj = new Linear(dimIn, 2 * dimOut, true, dtype, device);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => Scoped.Run(() =>
    {
        var halves = proj.forward(input).chunk(2, -1);
        return halves[0] * gelu(halves[1]);
    });
}

/// <summary>GEGLU (4× width) → dropout → Linear (<c>ff.net.0/1/2</c>).</summary>
public sealed class FeedForward : Module<Tensor, Tensor>
{
    private readonly ModuleList<Module<Tensor, Tensor>> net;

    public FeedForward(int dim, ScalarType dtype, Device? device) : base(nameof(FeedForward))
    {
        net = new ModuleList<Module<Tensor, Tensor>>(new GEGLU(dim, 4 * dim, dtype, device), new Dropout(0), new Linear(4 * dim, dim, true, dtype, device));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => Scoped.Run(() => net[2].forward(net[1].forward(net[0].forward(input))));
}

/// <summary>x += attn1(LN1(x)); x += attn2(LN2(x), context); x += ff(LN3(x)) (<c>BasicTransformerBlock</c>).</summary>
public sealed class BasicTransformerBlock : Module
{
    private readonly LayerNorm norm1;
    private readonly CrossAttention attn1;
    private readonly LayerNorm norm2;
    private readonly CrossAttention attn2;
    private readonly LayerNorm norm3;
    private readonly FeedForward ff;

    public BasicTransformerBlock(int dim, int contextDim, int heads, ScalarType dtype, Device? device) : base(nameof(BasicTransformerBlock))
    {
        norm1 = new LayerNorm(new long[] { dim }, 1e-5, true, dtype, device);
        attn1 = new CrossAttention(dim, dim, heads, dtype, device);
        norm2 = new LayerNorm(new long[] { dim }, 1e-5, true, dtype, device);
        attn2 = new CrossAttention(dim, contextDim, heads, dtype, device);
        norm3 = new LayerNorm(new long[] { dim }, 1e-5, true, dtype, device);
        ff = new FeedForward(dim, dtype, device);
        RegisterComponents();
    }

    public Tensor forward(Tensor x, Tensor context) => Scoped.Run(() =>
    {
        x = x + attn1.forward(norm1.forward(x));
        x = x + attn2.forward(norm2.forward(x), context);
        return x + ff.forward(norm3.forward(x));
    });
}

/// <summary>
/// GN (eps 1e-6) → proj_in (1×1 conv for SD1, Linear for SD2) → transformer blocks over H·W tokens → proj_out, + input
/// (<c>Transformer2DModel</c>, ldm SpatialTransformer).
/// </summary>
public sealed class Transformer2DModel : Module
{
    private readonly GroupNorm norm;
    private readonly Module<Tensor, Tensor> proj_in;
    private readonly ModuleList<BasicTransformerBlock> transformer_blocks;
    private readonly Module<Tensor, Tensor> proj_out;
    private readonly bool linear;

    public Transformer2DModel(int channels, int contextDim, int heads, int depth, bool linear, int groups, ScalarType dtype, Device? device)
        : base(nameof(Transformer2DModel))
    {
        this.linear = linear;
        norm = new GroupNorm(groups, channels, 1e-6, true, dtype, device);
        proj_in = linear ? new Linear(channels, channels, true, dtype, device) : new Conv2d(channels, channels, 1, dtype: dtype, device: device);
        transformer_blocks = new ModuleList<BasicTransformerBlock>(
            Enumerable.Range(0, depth).Select(_ => new BasicTransformerBlock(channels, contextDim, heads, dtype, device)).ToArray());
        proj_out = linear ? new Linear(channels, channels, true, dtype, device) : new Conv2d(channels, channels, 1, dtype: dtype, device: device);
        RegisterComponents();
    }

    public Tensor forward(Tensor x, Tensor context) => Scoped.Run(() =>
    {
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        var normed = norm.forward(x);
        Tensor tokens = linear
            ? proj_in.forward(normed.permute(0, 2, 3, 1).reshape(b, h * w, c))
            : proj_in.forward(normed).permute(0, 2, 3, 1).reshape(b, h * w, c);
        foreach (var block in transformer_blocks) tokens = block.forward(tokens, context);
        Tensor spatial = linear
            ? proj_out.forward(tokens).reshape(b, h, w, c).permute(0, 3, 1, 2)
            : proj_out.forward(tokens.reshape(b, h, w, c).permute(0, 3, 1, 2).contiguous());
        return spatial + x;
    });
}

/// <summary>Conv3×3 stride 2 (<c>downsamplers.0.conv</c>).</summary>
public sealed class Downsample2D : Module<Tensor, Tensor>
{
    private readonly Conv2d conv;

    public Downsample2D(int channels, ScalarType dtype, Device? device) : base(nameof(Downsample2D))
    {
        conv = new Conv2d(channels, channels, 3, stride: 2, padding: 1, dtype: dtype, device: device);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => conv.forward(input);
}

/// <summary>Nearest ×2 then conv3×3 (<c>upsamplers.0.conv</c>).</summary>
public sealed class Upsample2D : Module<Tensor, Tensor>
{
    private readonly Conv2d conv;

    public Upsample2D(int channels, ScalarType dtype, Device? device) : base(nameof(Upsample2D))
    {
        conv = new Conv2d(channels, channels, 3, padding: 1, dtype: dtype, device: device);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => Scoped.Run(() => conv.forward(interpolate(input, scale_factor: 2.0)));

    /// <summary>Upsamples to <paramref name="size"/> (H, W) instead of exactly ×2, so a side that a downsampler
    /// rounded up (an odd latent side) comes back to its skip connection's size, as diffusers does.</summary>
    public Tensor forward(Tensor input, long[] size) => Scoped.Run(() => conv.forward(interpolate(input, size: size)));
}
