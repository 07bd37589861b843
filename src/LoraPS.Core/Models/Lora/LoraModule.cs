namespace LoraPS.Models.Lora;

/// <summary>
/// One adapted layer of a LoRA file, under its kohya name (e.g.
/// <c>lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q</c>): its factorisation,
/// rank, alpha, the layer shape it implies, and which file tensors hold its factors.
/// </summary>
public sealed class LoraModule
{
    public required string Name { get; init; }
    public required LoraAlgorithm Algorithm { get; init; }
    public required LoraLayerKind LayerKind { get; init; }

    /// <summary>The rank r (0 for a LoKr module whose both factors are full matrices).</summary>
    public required int Rank { get; init; }

    /// <summary>alpha as stored, or r when the file has none (sd-scripts' rule).</summary>
    public required double Alpha { get; init; }
    public bool HasAlpha { get; init; }

    /// <summary>Output rows of the adapted weight.</summary>
    public long OutFeatures { get; init; }

    /// <summary>Input columns of the adapted weight, without the kernel (in channels for a conv).</summary>
    public long InFeatures { get; init; }
    public int KernelHeight { get; init; } = 1;
    public int KernelWidth { get; init; } = 1;

    /// <summary>The scale the delta is multiplied by: alpha / rank (1 for full-matrix LoKr).</summary>
    public double Scale => Rank > 0 ? Alpha / Rank : 1.0;

    public bool IsTextEncoder => Name.StartsWith("lora_te", StringComparison.Ordinal);

    /// <summary>Role (down, up, alpha, hada_w1_a, lokr_w1 …) → key of the tensor in the file.</summary>
    public required IReadOnlyDictionary<string, string> TensorKeys { get; init; }

    /// <summary>True for 4-D modules; sd-scripts' resize counts every 4-D module (1×1 included) as conv for the conv rank.</summary>
    public bool IsFourDimensional => LayerKind != LoraLayerKind.Linear;

    public override string ToString() => $"{Name} {Algorithm} {LayerKind} r={Rank} α={Alpha}";
}
