namespace LoraPS.Models;

/// <summary>A Stable Diffusion checkpoint file as it flows through the pipeline (Merge-Lora's output, Get-LoraModel on a checkpoint).</summary>
public sealed class Checkpoint
{
    public required string Path { get; init; }
    public string Name => System.IO.Path.GetFileNameWithoutExtension(Path);
    public required ModelFamily Family { get; init; }
    public required PredictionType PredictionType { get; init; }

    /// <summary>"safetensors" or "ckpt".</summary>
    public required string Format { get; init; }
    public long FileSize { get; init; }

    /// <summary>Storage precision of the UNet weights: "fp32", "fp16", "bf16" …</summary>
    public string Precision { get; init; } = "";
    public int TensorCount { get; init; }
    public bool HasTextEncoder { get; init; }
    public bool HasVae { get; init; }
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    public override string ToString() => $"{Name} ({Family}, {Precision})";
}
