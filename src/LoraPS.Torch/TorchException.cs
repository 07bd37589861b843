namespace LoraPS.Torch;

/// <summary>An error reported by libtorch (shape mismatch, dtype error, out of memory …), with its message.</summary>
public sealed class TorchException : Exception
{
    public TorchException(string message) : base(message) { }
    public TorchException(string message, Exception inner) : base(message, inner) { }
}
