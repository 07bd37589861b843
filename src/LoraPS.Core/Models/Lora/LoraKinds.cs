namespace LoraPS.Models.Lora;

/// <summary>How a module's weight delta is factored.</summary>
public enum LoraAlgorithm
{
    /// <summary>up @ down (kohya LoRA, LoCon, DyLoRA).</summary>
    LoRA,
    /// <summary>LyCORIS Hadamard product of two low-rank products.</summary>
    LoHa,
    /// <summary>LyCORIS Kronecker product.</summary>
    LoKr,
}

/// <summary>The kind of layer a module adapts, as its tensors show.</summary>
public enum LoraLayerKind
{
    Linear,
    /// <summary>A 1×1 convolution (4-D tensors; SD1 proj_in/proj_out, conv_shortcut).</summary>
    Conv1x1,
    /// <summary>A k×k convolution with k &gt; 1 (3×3 in SD).</summary>
    Conv,
}

/// <summary>What a LoRA file is, as a person would name it.</summary>
public enum LoraNetworkKind
{
    /// <summary>kohya LoRA: linear and 1×1 conv modules.</summary>
    LoRA,
    /// <summary>LoRA with k×k conv modules (conv_dim / LyCORIS LoCon).</summary>
    LoCon,
    LoHa,
    LoKr,
    /// <summary>DyLoRA: the LoRA layout, trained with dynamic rank (from its metadata).</summary>
    DyLoRA,
}

/// <summary>The key layout the file was written in; everything is converted to kohya names on load.</summary>
public enum LoraKeyLayout
{
    Kohya,
    /// <summary>Diffusers / PEFT names (unet.…lora_A/lora_B, …to_q_lora.down, …lora.down).</summary>
    Diffusers,
}
