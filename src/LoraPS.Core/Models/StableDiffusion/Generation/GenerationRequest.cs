using LoraPS.Models.StableDiffusion.Sampling;

namespace LoraPS.Models.StableDiffusion.Generation;

/// <summary>
/// One text-to-image generation. Width and height are floored to multiples of 8 with a minimum of 64, as
/// sd-scripts does. <see cref="Seed"/> is used as its 64-bit pattern; the same request gives the same picture
/// on any device. <see cref="ClipSkip"/> is A1111's and sd-scripts' clip skip: 1 (or null) is the layer the
/// model family uses (SD1 the last, SD2 the penultimate), 2 the one before it, whether the model came from a
/// single file or a diffusers folder.
/// </summary>
public sealed record GenerationRequest
{
    public required string Prompt { get; init; }
    public string NegativePrompt { get; init; } = "";
    public int Width { get; init; } = 512;
    public int Height { get; init; } = 512;
    public int Steps { get; init; } = 20;
    public double CfgScale { get; init; } = 7.0;
    public SamplerChoice Sampler { get; init; } = new(SamplerKind.EulerAncestral);
    public long Seed { get; init; }
    public int? ClipSkip { get; init; }

    /// <summary>The largest width or height accepted, in pixels.</summary>
    public const int MaxSide = 8192;

    /// <summary>sd-scripts' size rule: floor to a multiple of 8, at least 64.</summary>
    public static int FloorSize(int pixels) => Math.Max(64, pixels - pixels % 8);

    /// <summary>Checks the values; throws <see cref="ArgumentException"/> naming the field.</summary>
    public void Validate()
    {
        if (Prompt is null) throw new ArgumentException("Prompt is null", nameof(Prompt));
        if (NegativePrompt is null) throw new ArgumentException("NegativePrompt is null (use \"\")", nameof(NegativePrompt));
        if (Width > MaxSide || Height > MaxSide)
            throw new ArgumentException($"image size {Width}×{Height} exceeds the {MaxSide}-pixel limit", Width > MaxSide ? nameof(Width) : nameof(Height));
        if (Steps < 1 || Steps > 1000) throw new ArgumentException($"Steps must be between 1 and 1000; got {Steps}", nameof(Steps));
        if (!double.IsFinite(CfgScale) || CfgScale < 0) throw new ArgumentException($"CfgScale must be a finite number ≥ 0; got {CfgScale}", nameof(CfgScale));
        if (Sampler is null) throw new ArgumentException("Sampler is null", nameof(Sampler));
        if (Sampler.Karras && Sampler.Kind == SamplerKind.Ddim) throw new ArgumentException("DDIM has no Karras variant", nameof(Sampler));
        if (ClipSkip is < 1) throw new ArgumentException($"ClipSkip must be 1 or more; got {ClipSkip}", nameof(ClipSkip));
    }
}
