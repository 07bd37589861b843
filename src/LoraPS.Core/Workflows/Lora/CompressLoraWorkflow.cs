using LoraPS.Models.Lora;

namespace LoraPS.Workflows.Lora;

/// <summary>Options of Compress-Lora: CharFramework's CompressLoRA (dynamic sv_ratio 16, rank cap 128, fp16).</summary>
public sealed record CompressLoraOptions
{
    public required string Path { get; init; }
    public string? OutputPath { get; init; }
    public double SvRatio { get; init; } = 16;
    public int MaxRank { get; init; } = 128;
    public LoraPrecision Precision { get; init; } = LoraPrecision.FP16;
    public bool Force { get; init; }
    public bool DryRun { get; init; }
}

/// <summary>Compress-Lora: a dynamic resize by singular-value ratio, written as &lt;stem&gt;-SvR&lt;ratio&gt;.safetensors.</summary>
public static class CompressLoraWorkflow
{
    public static ResizeLoraResult Run(CompressLoraOptions o, IProgress<LoraProgress>? progress = null, CancellationToken cancel = default) =>
        ResizeLoraWorkflow.Run(new ResizeLoraOptions
        {
            Path = o.Path, OutputPath = o.OutputPath, Rank = o.MaxRank, ConvRank = o.MaxRank, Method = ResizeMethod.SvRatio,
            Parameter = o.SvRatio, Precision = o.Precision, Force = o.Force, DryRun = o.DryRun,
        }, progress, cancel);
}
