namespace LoraPS.Formats.Checkpoint;

/// <summary>A .ckpt/.pt file that is truncated, corrupt, unsupported or hostile (a refused global); names the file and the defect.</summary>
public sealed class CheckpointFormatException : InvalidFileException
{
    public CheckpointFormatException(string? filePath, string defect, Exception? inner = null)
        : base(filePath, defect, inner) { }
}
