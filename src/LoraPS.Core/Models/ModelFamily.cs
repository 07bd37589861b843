namespace LoraPS.Models;

/// <summary>The Stable Diffusion generation a checkpoint is, or a LoRA was trained on.</summary>
public enum ModelFamily
{
    Unknown = 0,
    SD1,
    SD2,
    SDXL,
}

/// <summary>What the UNet predicts: the noise (epsilon) or the velocity (v, SD2 768-v).</summary>
public enum PredictionType
{
    Unknown = 0,
    Epsilon,
    V,
}
