using LoraPS.Formats;

namespace LoraPS.Models.StableDiffusion.Generation;

/// <summary>A sample-prompt line or file that cannot be read; names the file (when known) and the line.</summary>
public sealed class SamplePromptException : InvalidFileException
{
    /// <summary>1-based line of the offending prompt, or 0 when unknown.</summary>
    public int Line { get; }

    public SamplePromptException(string? filePath, int line, string defect, Exception? inner = null)
        : base(filePath, line > 0 ? $"line {line}: {defect}" : defect, inner)
    {
        Line = line;
    }
}
