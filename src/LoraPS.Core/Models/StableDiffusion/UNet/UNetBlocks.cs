using LoraPS.Torch;
using LoraPS.Torch.Modules;

namespace LoraPS.Models.StableDiffusion.UNet;

#pragma warning disable IDE1006 // field names are the state-dict names (diffusers UNet2DConditionModel's)

/// <summary>One level of the encoder: res blocks (each followed by a transformer on attention levels), then a downsampler except on the last level.</summary>
public sealed class UNetDownBlock : Module
{
    public ModuleList<ResnetBlock2D> resnets { get; }
    public ModuleList<Transformer2DModel>? attentions { get; }
    public ModuleList<Downsample2D>? downsamplers { get; }

    public UNetDownBlock(IReadOnlyList<ResnetBlock2D> resnets, IReadOnlyList<Transformer2DModel>? attentions, Downsample2D? downsampler)
        : base(nameof(UNetDownBlock))
    {
        this.resnets = register_module("resnets", new ModuleList<ResnetBlock2D>(resnets.ToArray()));
        if (attentions is not null) this.attentions = register_module("attentions", new ModuleList<Transformer2DModel>(attentions.ToArray()));
        if (downsampler is not null) downsamplers = register_module("downsamplers", new ModuleList<Downsample2D>(downsampler));
    }
}

/// <summary>Res block, transformer, res block at the lowest resolution (<c>mid_block</c>).</summary>
public sealed class UNetMidBlock : Module
{
    public ModuleList<ResnetBlock2D> resnets { get; }
    public ModuleList<Transformer2DModel> attentions { get; }

    public UNetMidBlock(ResnetBlock2D first, Transformer2DModel attention, ResnetBlock2D second) : base(nameof(UNetMidBlock))
    {
        resnets = register_module("resnets", new ModuleList<ResnetBlock2D>(first, second));
        attentions = register_module("attentions", new ModuleList<Transformer2DModel>(attention));
    }
}

/// <summary>One level of the decoder (deepest first): res blocks over [features, skip] (each followed by a transformer on attention levels), then an upsampler except on the last.</summary>
public sealed class UNetUpBlock : Module
{
    public ModuleList<ResnetBlock2D> resnets { get; }
    public ModuleList<Transformer2DModel>? attentions { get; }
    public ModuleList<Upsample2D>? upsamplers { get; }

    public UNetUpBlock(IReadOnlyList<ResnetBlock2D> resnets, IReadOnlyList<Transformer2DModel>? attentions, Upsample2D? upsampler)
        : base(nameof(UNetUpBlock))
    {
        this.resnets = register_module("resnets", new ModuleList<ResnetBlock2D>(resnets.ToArray()));
        if (attentions is not null) this.attentions = register_module("attentions", new ModuleList<Transformer2DModel>(attentions.ToArray()));
        if (upsampler is not null) upsamplers = register_module("upsamplers", new ModuleList<Upsample2D>(upsampler));
    }
}
