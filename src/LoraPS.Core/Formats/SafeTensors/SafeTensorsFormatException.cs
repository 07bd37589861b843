namespace LoraPS.Formats.SafeTensors;

/// <summary>A .safetensors file that is truncated, corrupt or hostile; the message names the file and the defect.</summary>
public sealed class SafeTensorsFormatException : InvalidFileException
{
    public SafeTensorsFormatException(string? filePath, string defect, Exception? inner = null)
        : base(filePath, defect, inner) { }
}
