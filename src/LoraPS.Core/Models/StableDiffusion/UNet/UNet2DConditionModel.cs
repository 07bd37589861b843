using LoraPS.Models.StableDiffusion.Loading;
using LoraPS.Torch;
using LoraPS.Torch.Modules;
using static LoraPS.Torch.torch.nn.functional;

namespace LoraPS.Models.StableDiffusion.UNet;

#pragma warning disable IDE1006 // property names are the state-dict names (diffusers UNet2DConditionModel's)

/// <summary>
/// The SD1.x/SD2.x denoising UNet with diffusers' parameter names (<c>down_blocks.0.attentions.1.proj_in.weight</c> …),
/// which is also where kohya's <c>lora_unet_…</c> module names come from. Load a single-file checkpoint with
/// <see cref="FromCheckpoint"/> (or a whole model with <c>StableDiffusionModel.Load</c>).
/// </summary>
public sealed class UNet2DConditionModel : Module
{
    public UNetConfig Config { get; }
    public Conv2d conv_in { get; }
    public TimestepEmbedding time_embedding { get; }
    public ModuleList<UNetDownBlock> down_blocks { get; }
    public UNetMidBlock mid_block { get; }
    public ModuleList<UNetUpBlock> up_blocks { get; }
    public GroupNorm conv_norm_out { get; }
    public Conv2d conv_out { get; }

    /// <summary>Recompute each res block and transformer in the backward pass instead of keeping its activations (training).</summary>
    public bool GradientCheckpointing { get; set; }

    /// <summary>A UNet with freshly initialised weights.</summary>
    public UNet2DConditionModel(UNetConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(UNet2DConditionModel))
    {
        config.Validate();
        Config = config;
        int levels = config.Levels, groups = config.NormGroups, temb = config.TimeEmbedDim, L = config.NumResBlocks;
        Transformer2DModel Attention(int c) =>
            new(c, config.ContextDim, config.HeadsFor(c), config.TransformerDepth, config.UseLinearInTransformer, groups, dtype, device);

        conv_in = new Conv2d(config.InChannels, config.ModelChannels, 3, padding: 1, dtype: dtype, device: device);
        time_embedding = new TimestepEmbedding(config.ModelChannels, temb, dtype, device);

        // The encoder pushes one skip per conv_in, res block and downsampler; the decoder pops them in reverse.
        var skips = new Stack<int>();
        skips.Push(config.ModelChannels);
        int ch = config.ModelChannels;
        var down = new List<UNetDownBlock>();
        for (int level = 0; level < levels; level++)
        {
            int width = config.WidthOf(level);
            var resnets = new List<ResnetBlock2D>();
            var attentions = config.HasAttention(level) ? new List<Transformer2DModel>() : null;
            for (int j = 0; j < L; j++)
            {
                resnets.Add(new ResnetBlock2D(ch, width, temb, groups, dtype, device));
                ch = width;
                attentions?.Add(Attention(ch));
                skips.Push(ch);
            }
            Downsample2D? downsample = null;
            if (level < levels - 1)
            {
                downsample = new Downsample2D(ch, dtype, device);
                skips.Push(ch);
            }
            down.Add(new UNetDownBlock(resnets, attentions, downsample));
        }

        var mid = new UNetMidBlock(new ResnetBlock2D(ch, ch, temb, groups, dtype, device), Attention(ch), new ResnetBlock2D(ch, ch, temb, groups, dtype, device));

        var up = new List<UNetUpBlock>();
        for (int b = 0; b < levels; b++)
        {
            int level = levels - 1 - b, width = config.WidthOf(level);
            var resnets = new List<ResnetBlock2D>();
            var attentions = config.HasAttention(level) ? new List<Transformer2DModel>() : null;
            for (int j = 0; j <= L; j++)
            {
                resnets.Add(new ResnetBlock2D(ch + skips.Pop(), width, temb, groups, dtype, device));
                ch = width;
                attentions?.Add(Attention(ch));
            }
            up.Add(new UNetUpBlock(resnets, attentions, level > 0 ? new Upsample2D(ch, dtype, device) : null));
        }

        down_blocks = register_module("down_blocks", new ModuleList<UNetDownBlock>(down.ToArray()));
        mid_block = register_module("mid_block", mid);
        up_blocks = register_module("up_blocks", new ModuleList<UNetUpBlock>(up.ToArray()));
        conv_norm_out = new GroupNorm(groups, ch, 1e-5, true, dtype, device);
        conv_out = new Conv2d(ch, config.OutChannels, 3, padding: 1, dtype: dtype, device: device);
        register_module("conv_in", conv_in);
        register_module("time_embedding", time_embedding);
        register_module("conv_norm_out", conv_norm_out);
        register_module("conv_out", conv_out);
    }

    /// <summary>
    /// The model output (noise or v, see <see cref="UNetConfig.Prediction"/>) for latents <paramref name="sample"/>
    /// (batch, in_channels, H, W; any H and W, odd ones included), timesteps (batch,) or a scalar, and text states
    /// <paramref name="context"/> (batch, tokens, context_dim).
    /// </summary>
    public Tensor forward(Tensor sample, Tensor timesteps, Tensor context)
    {
        if (sample.dim() != 4 || sample.shape[1] != Config.InChannels)
            throw new ArgumentException($"sample must be (batch, {Config.InChannels}, H, W); got [{string.Join(", ", sample.shape)}]", nameof(sample));
        if (context.dim() != 3 || context.shape[0] != sample.shape[0] || context.shape[2] != Config.ContextDim)
            throw new ArgumentException($"context must be ({sample.shape[0]}, tokens, {Config.ContextDim}); got [{string.Join(", ", context.shape)}]", nameof(context));

        using var scope = torch.NewDisposeScope();
        long batch = sample.shape[0];
        var t = timesteps.dim() == 0 ? timesteps.reshape(1) : timesteps;
        if (t.shape[0] == 1 && batch > 1) t = t.expand(batch);
        var features = TimestepEmbedding.Sinusoid(t, Config.ModelChannels).to(sample.dtype);
        var temb = time_embedding.forward(features);

        var h = conv_in.forward(sample);
        var skips = new Stack<Tensor>();
        skips.Push(h);
        foreach (var block in down_blocks)
        {
            for (int j = 0; j < block.resnets.Count; j++)
            {
                h = Resnet(block.resnets[j], h, temb);
                if (block.attentions is not null) h = Attend(block.attentions[j], h, context);
                skips.Push(h);
            }
            if (block.downsamplers is not null)
            {
                h = block.downsamplers[0].forward(h);
                skips.Push(h);
            }
        }

        h = Resnet(mid_block.resnets[0], h, temb);
        h = Attend(mid_block.attentions[0], h, context);
        h = Resnet(mid_block.resnets[1], h, temb);

        foreach (var block in up_blocks)
        {
            for (int j = 0; j < block.resnets.Count; j++)
            {
                h = torch.cat(new[] { h, skips.Pop() }, 1);
                h = Resnet(block.resnets[j], h, temb);
                if (block.attentions is not null) h = Attend(block.attentions[j], h, context);
            }
            // To the next skip's size: equal to ×2 for even sides, and right for sides a downsampler rounded up.
            if (block.upsamplers is not null) h = block.upsamplers[0].forward(h, skips.Peek().shape[2..]);
        }

        var output = conv_out.forward(silu(conv_norm_out.forward(h)));
        return output.MoveToOuterDisposeScope();
    }

    private bool Checkpointing(Tensor a, Tensor b) => GradientCheckpointing && training && torch.is_grad_enabled() && (a.requires_grad || b.requires_grad);

    private Tensor Resnet(ResnetBlock2D resnet, Tensor h, Tensor temb) => Checkpointing(h, temb)
        ? torch.utils.checkpoint_sequence(xs => new[] { resnet.forward(xs[0], xs[1]) }, h, temb)[0]
        : resnet.forward(OwnView(h), OwnView(temb));

    private Tensor Attend(Transformer2DModel attention, Tensor h, Tensor context) => Checkpointing(h, context)
        ? torch.utils.checkpoint_sequence(xs => new[] { attention.forward(xs[0], xs[1]) }, h, context)[0]
        : attention.forward(OwnView(h), OwnView(context));

    /// <summary>
    /// A block's input behind a view of its own when gradients flow. Autograd then adds up the block's
    /// own uses of the input (its residual and its first norm, a context's keys and values) before the
    /// uses outside it (the skip connection, other blocks), which is the order a checkpointed block
    /// gives too: float sums associate the same way and gradients are bit-identical in both modes.
    /// </summary>
    private static Tensor OwnView(Tensor x) => x.requires_grad && torch.is_grad_enabled() ? x.view_as(x) : x;

    /// <summary>
    /// The UNet of a single-file checkpoint (<c>model.diffusion_model.*</c>) in <paramref name="dtype"/> on <paramref name="device"/>.
    /// Missing or mis-shaped keys (shapes must match <paramref name="config"/> exactly, so a wrong projection kind is named)
    /// fail together in a <see cref="UNetWeightsException"/> before anything is read; keys under the prefix that nothing
    /// reads are listed in <paramref name="report"/>.
    /// </summary>
    public static UNet2DConditionModel FromCheckpoint(LoraPS.Formats.ITensorFile file, UNetConfig config, out UNetLoadReport report,
        ScalarType dtype = ScalarType.Float32, Device? device = null, string prefix = UNetCheckpointLayout.DefaultPrefix)
    {
        var unet = SinglePartLoader.Load(() => new UNet2DConditionModel(config, dtype, device),
            module => PartPlans.UNetFromCheckpoint(file, ModelArchitecture.UNet.Name, module, prefix,
                k => k.StartsWith(prefix, StringComparison.Ordinal), exactShapes: true),
            failed => new UNetWeightsException(file.Path, UNetLoadReport.From(failed)),
            out var loaded);
        report = UNetLoadReport.From(loaded);
        return unet;
    }
}
