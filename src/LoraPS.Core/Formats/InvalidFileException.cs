namespace LoraPS.Formats;

/// <summary>
/// Base of every "this file is corrupt, truncated, hostile or unsupported" error that LoraPS's
/// parsers raise (images, safetensors, .ckpt, TOML, ONNX). The message names the file and the
/// defect; front ends report it as ErrorCategory.InvalidData.
/// </summary>
public class InvalidFileException : Exception
{
    /// <summary>The file at fault, when known.</summary>
    public string? FilePath { get; }

    /// <summary>What is wrong, without the file name.</summary>
    public string Defect { get; }

    public InvalidFileException(string? filePath, string defect, Exception? inner = null)
        : base(filePath is null ? defect : $"{filePath}: {defect}", inner)
    {
        FilePath = filePath;
        Defect = defect;
    }
}
