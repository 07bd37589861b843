namespace LoraPS.Formats.Images;

/// <summary>A picture file is corrupt, truncated, hostile or unsupported.</summary>
public sealed class ImageFormatException : InvalidFileException
{
    public ImageFormatException(string? filePath, string defect, Exception? inner = null) : base(filePath, defect, inner) { }
}
