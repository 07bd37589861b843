namespace LoraPS.Models.StableDiffusion.TextEncoders;

/// <summary>A checkpoint's text encoder weights are missing or have the wrong shapes; the message lists each key.</summary>
public sealed class TextEncoderWeightsException(string? filePath, IReadOnlyList<string> missing, IReadOnlyList<string> wrongShape)
    : PartWeightsException(filePath, "text encoder", missing, wrongShape);
