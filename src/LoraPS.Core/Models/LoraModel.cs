using LoraPS.Models.Lora;

namespace LoraPS.Models;

/// <summary>
/// A LoRA file as it flows through the pipeline: what Get-LoraModel emits and what Merge-Lora,
/// Resize-Lora and Compress-Lora take (bound by <see cref="Path"/>) and emit.
/// </summary>
public sealed class LoraModel
{
    public required string Path { get; init; }
    public string Name => System.IO.Path.GetFileNameWithoutExtension(Path);
    public required LoraNetworkKind NetworkKind { get; init; }
    public required ModelFamily BaseFamily { get; init; }
    public LoraKeyLayout KeyLayout { get; init; }

    /// <summary>The rank most linear/1×1 modules have (the file's network_dim).</summary>
    public int Rank { get; init; }
    public double Alpha { get; init; }

    /// <summary>The rank most k×k conv modules have; null without conv modules.</summary>
    public int? ConvRank { get; init; }
    public double? ConvAlpha { get; init; }

    /// <summary>True when module ranks differ within the linear or the conv group (a dynamic resize).</summary>
    public bool IsDynamicRank { get; init; }
    public int MinRank { get; init; }
    public int MaxRank { get; init; }

    public int ModuleCount => Modules.Count;
    public int UNetModuleCount => Modules.Count(m => !m.IsTextEncoder);
    public int TextEncoderModuleCount => Modules.Count(m => m.IsTextEncoder);
    public required IReadOnlyList<LoraModule> Modules { get; init; }

    /// <summary>Per-module rank and alpha, by kohya name.</summary>
    public IReadOnlyDictionary<string, int> Ranks => Modules.ToDictionary(m => m.Name, m => m.Rank);
    public IReadOnlyDictionary<string, double> Alphas => Modules.ToDictionary(m => m.Name, m => m.Alpha);

    public long FileSize { get; init; }

    /// <summary>Storage precision of the factors: "fp32", "fp16", "bf16" …</summary>
    public string Precision { get; init; } = "";

    // Training metadata (sd-scripts' ss_* keys), null where the file lacks them.
    public string? NetworkModule { get; init; }
    public string? NetworkDim { get; init; }
    public string? NetworkAlpha { get; init; }
    public string? NetworkArgs { get; init; }
    public string? BaseModelVersion { get; init; }
    public string? BaseModelName { get; init; }

    /// <summary>ss_sd_model_hash (legacy 8-hex hash of the base model).</summary>
    public string? BaseModelHash { get; init; }

    /// <summary>ss_new_sd_model_hash (SHA-256 of the base model file).</summary>
    public string? BaseModelSha256 { get; init; }
    public string? OutputName { get; init; }
    public string? TrainingComment { get; init; }
    public int? Epoch { get; init; }
    public int? Steps { get; init; }

    /// <summary>ss_tag_frequency: dataset folder → tag → count.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> TagFrequency { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, int>>();

    /// <summary>All __metadata__ entries.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    public override string ToString() => $"{Name} ({NetworkKind}, {BaseFamily}, rank {Rank}{(IsDynamicRank ? " dynamic" : "")})";
}
