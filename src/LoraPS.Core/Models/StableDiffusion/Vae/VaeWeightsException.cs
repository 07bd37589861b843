namespace LoraPS.Models.StableDiffusion.Vae;

/// <summary>A file's VAE weights are missing or have the wrong shapes; the message lists each key.</summary>
public sealed class VaeWeightsException(string? filePath, IReadOnlyList<string> missing, IReadOnlyList<string> wrongShape)
    : PartWeightsException(filePath, "VAE", missing, wrongShape);
