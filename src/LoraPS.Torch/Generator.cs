using LoraPS.Torch.Interop;
using static LoraPS.Torch.Interop.LibTorchNative;

namespace LoraPS.Torch;

/// <summary>A random number generator of its own (CPU or one CUDA device), for reproducible sampling.</summary>
public sealed class Generator : IDisposable
{
    private IntPtr _handle;

    public Generator(ulong seed = 67280421310721UL, Device? device = null)
    {
        LibTorchLoader.EnsureLoaded();
        var d = device ?? Device.CPU;
        Device = d;
        _handle = lt_generator_new((int)d.type, d.NativeIndex, seed);
        if (_handle == IntPtr.Zero) { Check(); throw new TorchException("could not create a generator"); }
    }

    public Device Device { get; }

    internal IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(Generator));

    /// <summary>Re-seeds this generator.</summary>
    public Generator manual_seed(ulong seed)
    {
        Ok(lt_generator_set_seed(Handle, seed));
        return this;
    }

    public void Dispose()
    {
        IntPtr h = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (h != IntPtr.Zero) lt_generator_free(h);
        GC.SuppressFinalize(this);
    }

    ~Generator()
    {
        IntPtr h = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (h != IntPtr.Zero) lt_generator_free(h);
    }
}
