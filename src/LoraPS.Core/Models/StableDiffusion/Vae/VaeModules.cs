using LoraPS.Torch;
using LoraPS.Torch.Modules;
using static LoraPS.Torch.torch.nn.functional;

namespace LoraPS.Models.StableDiffusion.Vae;

#pragma warning disable IDE1006 // field names are the state-dict names (ldm's Encoder/Decoder)

/// <summary>GN → SiLU → conv3×3 → GN → SiLU → conv3×3, plus the input (through a 1×1 <c>nin_shortcut</c> when widths differ). No time embedding.</summary>
public sealed class VaeResnetBlock : Module<Tensor, Tensor>
{
    private readonly VaeGroupNorm norm1, norm2;
    private readonly Conv2d conv1, conv2;
    private readonly Conv2d? nin_shortcut;

    public VaeResnetBlock(VaeConfig config, VaeNormStatistics stats, long inChannels, long outChannels, ScalarType dtype, Device? device) : base(nameof(VaeResnetBlock))
    {
        norm1 = new VaeGroupNorm(config, inChannels, stats, dtype, device);
        conv1 = new Conv2d(inChannels, outChannels, 3, padding: 1, dtype: dtype, device: device);
        norm2 = new VaeGroupNorm(config, outChannels, stats, dtype, device);
        conv2 = new Conv2d(outChannels, outChannels, 3, padding: 1, dtype: dtype, device: device);
        register_module("norm1", norm1);
        register_module("conv1", conv1);
        register_module("norm2", norm2);
        register_module("conv2", conv2);
        if (inChannels != outChannels)
            nin_shortcut = register_module("nin_shortcut", new Conv2d(inChannels, outChannels, 1, dtype: dtype, device: device));
    }

    public override Tensor forward(Tensor input)
    {
        Tensor h;
        using (var n = norm1.forward(input))
        using (var a = n.silu())
            h = conv1.forward(a);
        using (h)
        using (var n = norm2.forward(h))
        using (var a = n.silu())
        using (var h2 = conv2.forward(a))
        {
            if (nin_shortcut is null) return input + h2;
            using var skip = nin_shortcut.forward(input);
            return skip + h2;
        }
    }
}

/// <summary>Single-head self-attention over all positions (<c>mid.attn_1</c>): q/k/v/proj_out as 1×1 convs, scale 1/√C, residual.</summary>
public sealed class VaeAttentionBlock : Module<Tensor, Tensor>
{
    private readonly VaeGroupNorm norm;
    private readonly Conv2d q, k, v, proj_out;

    private readonly VaeNormStatistics statistics;

    public VaeAttentionBlock(VaeConfig config, VaeNormStatistics stats, long channels, ScalarType dtype, Device? device) : base(nameof(VaeAttentionBlock))
    {
        statistics = stats;
        norm = register_module("norm", new VaeGroupNorm(config, channels, stats, dtype, device));
        q = register_module("q", new Conv2d(channels, channels, 1, dtype: dtype, device: device));
        k = register_module("k", new Conv2d(channels, channels, 1, dtype: dtype, device: device));
        v = register_module("v", new Conv2d(channels, channels, 1, dtype: dtype, device: device));
        proj_out = register_module("proj_out", new Conv2d(channels, channels, 1, dtype: dtype, device: device));
    }

    public override Tensor forward(Tensor input)
    {
        long b = input.shape[0], c = input.shape[1], h = input.shape[2], w = input.shape[3];
        using var normed = norm.forward(input);
        // (b, c, h, w) → (b, 1, h·w, c): one head whose width is all channels.
        Tensor Tokens(Conv2d projection)
        {
            using var p = projection.forward(normed);
            using var flat = p.reshape(b, c, h * w);
            using var t = flat.transpose(1, 2);
            return t.unsqueeze(1);
        }
        using var qt = Tokens(q);
        using var kt = Tokens(k);
        using var vt = Tokens(v);
        using var attended = statistics.Active ? statistics.Attend(qt, kt, vt, h, w) : scaled_dot_product_attention(qt, kt, vt);
        using var squeezed = attended.squeeze(1);
        using var channelsFirst = squeezed.transpose(1, 2);
        using var spatial = channelsFirst.reshape(b, c, h, w);
        using var projected = proj_out.forward(spatial);
        return input + projected;
    }
}

/// <summary>ldm's VAE downsample: zero-pad right and bottom by one, then conv3×3 stride 2 without padding.</summary>
public sealed class VaeDownsample : Module<Tensor, Tensor>
{
    private readonly Conv2d conv;

    public VaeDownsample(long channels, ScalarType dtype, Device? device) : base(nameof(VaeDownsample))
    {
        conv = register_module("conv", new Conv2d(channels, channels, 3, stride: 2, padding: 0, dtype: dtype, device: device));
    }

    public override Tensor forward(Tensor input)
    {
        using var padded = pad(input, new long[] { 0, 1, 0, 1 });
        return conv.forward(padded);
    }
}

/// <summary>Nearest-neighbour ×2, then conv3×3 padding 1.</summary>
public sealed class VaeUpsample : Module<Tensor, Tensor>
{
    private readonly Conv2d conv;

    public VaeUpsample(long channels, ScalarType dtype, Device? device) : base(nameof(VaeUpsample))
    {
        conv = register_module("conv", new Conv2d(channels, channels, 3, padding: 1, dtype: dtype, device: device));
    }

    public override Tensor forward(Tensor input)
    {
        using var up = interpolate(input, scale_factor: 2.0, mode: InterpolationMode.Nearest);
        return conv.forward(up);
    }
}

/// <summary>One level of the encoder (<c>down.N</c>: <c>block.M</c> and, except on the last level, <c>downsample</c>).</summary>
public sealed class VaeDownLevel : Module<Tensor, Tensor>
{
    public ModuleList<VaeResnetBlock> block { get; }
    public VaeDownsample? downsample { get; }

    public VaeDownLevel(VaeConfig config, VaeNormStatistics stats, long inChannels, long outChannels, bool downsamples, ScalarType dtype, Device? device) : base(nameof(VaeDownLevel))
    {
        block = register_module("block", new ModuleList<VaeResnetBlock>(Enumerable.Range(0, config.NumResBlocks)
            .Select(i => new VaeResnetBlock(config, stats, i == 0 ? inChannels : outChannels, outChannels, dtype, device)).ToArray()));
        if (downsamples) downsample = register_module("downsample", new VaeDownsample(outChannels, dtype, device));
    }

    public override Tensor forward(Tensor input)
    {
        Tensor h = input.alias();
        foreach (var b in block)
            h = Chain.Next(h, b.forward);
        if (downsample is null) return h;
        using (h) return downsample.forward(h);
    }
}

/// <summary>One level of the decoder (<c>up.N</c>: num_res_blocks + 1 blocks and, except on level 0, <c>upsample</c>).</summary>
public sealed class VaeUpLevel : Module<Tensor, Tensor>
{
    public ModuleList<VaeResnetBlock> block { get; }
    public VaeUpsample? upsample { get; }

    public VaeUpLevel(VaeConfig config, VaeNormStatistics stats, long inChannels, long outChannels, bool upsamples, ScalarType dtype, Device? device) : base(nameof(VaeUpLevel))
    {
        block = register_module("block", new ModuleList<VaeResnetBlock>(Enumerable.Range(0, config.NumResBlocks + 1)
            .Select(i => new VaeResnetBlock(config, stats, i == 0 ? inChannels : outChannels, outChannels, dtype, device)).ToArray()));
        if (upsamples) upsample = register_module("upsample", new VaeUpsample(outChannels, dtype, device));
    }

    public override Tensor forward(Tensor input)
    {
        Tensor h = input.alias();
        foreach (var b in block)
            h = Chain.Next(h, b.forward);
        if (upsample is null) return h;
        using (h) return upsample.forward(h);
    }
}

/// <summary>The middle: ResnetBlock, attention, ResnetBlock (<c>mid.block_1</c>, <c>mid.attn_1</c>, <c>mid.block_2</c>).</summary>
public sealed class VaeMidBlock : Module<Tensor, Tensor>
{
    private readonly VaeResnetBlock block_1, block_2;
    private readonly VaeAttentionBlock attn_1;

    public VaeMidBlock(VaeConfig config, VaeNormStatistics stats, long channels, ScalarType dtype, Device? device) : base(nameof(VaeMidBlock))
    {
        block_1 = register_module("block_1", new VaeResnetBlock(config, stats, channels, channels, dtype, device));
        attn_1 = register_module("attn_1", new VaeAttentionBlock(config, stats, channels, dtype, device));
        block_2 = register_module("block_2", new VaeResnetBlock(config, stats, channels, channels, dtype, device));
    }

    public override Tensor forward(Tensor input)
    {
        using var a = block_1.forward(input);
        using var b = attn_1.forward(a);
        return block_2.forward(b);
    }
}

/// <summary>Image (B, 3, H, W) in [−1, 1] → moments (B, 2·z, H/f, W/f) before <c>quant_conv</c>.</summary>
public sealed class VaeEncoder : Module<Tensor, Tensor>
{
    private readonly Conv2d conv_in, conv_out;
    private readonly ModuleList<VaeDownLevel> down;
    private readonly VaeMidBlock mid;
    private readonly VaeGroupNorm norm_out;

    public VaeEncoder(VaeConfig config, VaeNormStatistics stats, ScalarType dtype, Device? device) : base(nameof(VaeEncoder))
    {
        int levels = config.ChMult.Count;
        conv_in = register_module("conv_in", new Conv2d(config.ImageChannels, config.Ch, 3, padding: 1, dtype: dtype, device: device));
        down = register_module("down", new ModuleList<VaeDownLevel>(Enumerable.Range(0, levels)
            .Select(i => new VaeDownLevel(config, stats, config.Ch * (i == 0 ? 1 : config.ChMult[i - 1]), config.Ch * config.ChMult[i], i != levels - 1, dtype, device)).ToArray()));
        long top = config.Ch * config.ChMult[^1];
        mid = register_module("mid", new VaeMidBlock(config, stats, top, dtype, device));
        norm_out = register_module("norm_out", new VaeGroupNorm(config, top, stats, dtype, device));
        conv_out = register_module("conv_out", new Conv2d(top, 2 * config.ZChannels, 3, padding: 1, dtype: dtype, device: device));
    }

    public override Tensor forward(Tensor input)
    {
        Tensor h = conv_in.forward(input);
        foreach (var level in down)
            h = Chain.Next(h, level.forward);
        using (h)
        using (var m = mid.forward(h))
        using (var n = norm_out.forward(m))
        using (var a = n.silu())
            return conv_out.forward(a);
    }
}

/// <summary>Latent (B, z, h, w) after <c>post_quant_conv</c> → image (B, 3, h·f, w·f), unclamped.</summary>
public sealed class VaeDecoder : Module<Tensor, Tensor>
{
    private readonly Conv2d conv_in, conv_out;
    private readonly VaeMidBlock mid;
    private readonly ModuleList<VaeUpLevel> up;
    private readonly VaeGroupNorm norm_out;

    public VaeDecoder(VaeConfig config, VaeNormStatistics stats, ScalarType dtype, Device? device) : base(nameof(VaeDecoder))
    {
        int levels = config.ChMult.Count;
        long top = config.Ch * config.ChMult[^1];
        conv_in = register_module("conv_in", new Conv2d(config.ZChannels, top, 3, padding: 1, dtype: dtype, device: device));
        mid = register_module("mid", new VaeMidBlock(config, stats, top, dtype, device));
        // up.N has level N's width and is run from the deepest level down; its input is the level above's width.
        up = register_module("up", new ModuleList<VaeUpLevel>(Enumerable.Range(0, levels)
            .Select(i => new VaeUpLevel(config, stats, config.Ch * (i == levels - 1 ? config.ChMult[^1] : config.ChMult[i + 1]), config.Ch * config.ChMult[i], i != 0, dtype, device)).ToArray()));
        norm_out = register_module("norm_out", new VaeGroupNorm(config, config.Ch * config.ChMult[0], stats, dtype, device));
        conv_out = register_module("conv_out", new Conv2d(config.Ch * config.ChMult[0], config.ImageChannels, 3, padding: 1, dtype: dtype, device: device));
    }

    public override Tensor forward(Tensor input)
    {
        Tensor h;
        using (var c = conv_in.forward(input)) h = mid.forward(c);
        for (int i = up.Count - 1; i >= 0; i--)
            h = Chain.Next(h, up[i].forward);
        using (h)
        using (var n = norm_out.forward(h))
        using (var a = n.silu())
            return conv_out.forward(a);
    }
}

/// <summary>A chain of layers that frees each intermediate as soon as the next layer has used it.</summary>
internal static class Chain
{
    public static Tensor Next(Tensor h, Func<Tensor, Tensor> layer)
    {
        using (h) return layer(h);
    }
}
