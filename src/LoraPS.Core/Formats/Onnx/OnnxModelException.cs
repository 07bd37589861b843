namespace LoraPS.Formats.Onnx;

/// <summary>An ONNX model file is corrupt, truncated, or not the model the caller expects.</summary>
public sealed class OnnxModelException : InvalidFileException
{
    public OnnxModelException(string? path, string defect, Exception? inner = null) : base(path, defect, inner) { }
}
