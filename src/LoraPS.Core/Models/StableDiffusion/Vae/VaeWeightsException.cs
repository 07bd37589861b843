using LoraPS.Formats;

namespace LoraPS.Models.StableDiffusion.Vae;

/// <summary>A file's VAE weights are missing or have the wrong shapes; the message lists each key.</summary>
public sealed class VaeWeightsException : InvalidFileException
{
    public IReadOnlyList<string> Missing { get; }
    public IReadOnlyList<string> WrongShape { get; }

    public VaeWeightsException(string? filePath, IReadOnlyList<string> missing, IReadOnlyList<string> wrongShape)
        : base(filePath, ModelWeights.DescribeProblems("VAE", missing, wrongShape))
    {
        Missing = missing;
        WrongShape = wrongShape;
    }
}
