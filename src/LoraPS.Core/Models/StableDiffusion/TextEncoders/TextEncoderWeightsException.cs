using LoraPS.Formats;

namespace LoraPS.Models.StableDiffusion.TextEncoders;

/// <summary>A checkpoint's text encoder weights are missing or have the wrong shapes; the message lists each key.</summary>
public sealed class TextEncoderWeightsException : InvalidFileException
{
    public IReadOnlyList<string> Missing { get; }
    public IReadOnlyList<string> WrongShape { get; }

    public TextEncoderWeightsException(string? filePath, IReadOnlyList<string> missing, IReadOnlyList<string> wrongShape)
        : base(filePath, ModelWeights.DescribeProblems("text encoder", missing, wrongShape))
    {
        Missing = missing;
        WrongShape = wrongShape;
    }
}
