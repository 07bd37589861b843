namespace LoraPS.Torch.Interop;

/// <summary>A native library LoraPS needs could not be loaded; the message says how to get it.</summary>
public sealed class NativeLibraryMissingException : Exception
{
    public NativeLibraryMissingException(string message) : base(message) { }
}
