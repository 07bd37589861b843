using LoraPS.Formats;

namespace LoraPS.Models.StableDiffusion;

/// <summary>A file's weights for one part are missing or have the wrong shapes; the message lists each key.</summary>
public abstract class PartWeightsException : InvalidFileException
{
    public IReadOnlyList<string> Missing { get; }
    public IReadOnlyList<string> WrongShape { get; }

    protected PartWeightsException(string? filePath, string part, IReadOnlyList<string> missing, IReadOnlyList<string> wrongShape)
        : base(filePath, ModelWeights.DescribeProblems(part, missing, wrongShape))
    {
        Missing = missing;
        WrongShape = wrongShape;
    }
}
