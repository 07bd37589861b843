using System.Runtime.InteropServices;
using LoraPS.Torch.Interop;

namespace LoraPS.Torch;

/// <summary>
/// A libtorch tensor owned by managed code. Dispose it to free native memory at once; the finalizer
/// frees what was forgotten, later.
/// </summary>
public sealed unsafe class Tensor : IDisposable
{
    private IntPtr _handle;

    internal Tensor(IntPtr handle) => _handle = LibTorchNative.CheckHandle(handle);

    internal IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(Tensor));

    public long[] shape
    {
        get
        {
            int ndim = LibTorchNative.lt_tensor_ndim(Handle);
            if (ndim < 0) LibTorchNative.Check();
            var result = new long[ndim];
            fixed (long* p = result) LibTorchNative.lt_tensor_shape(Handle, p, ndim);
            LibTorchNative.Check();
            return result;
        }
    }

    public ScalarType dtype
    {
        get
        {
            int code = LibTorchNative.lt_tensor_dtype(Handle);
            LibTorchNative.Check();
            return (ScalarType)code;
        }
    }

    public long numel()
    {
        long n = LibTorchNative.lt_tensor_numel(Handle);
        LibTorchNative.Check();
        return n;
    }

    /// <summary>Copies the elements (row-major) into a new managed array of <typeparamref name="T"/>.</summary>
    public T[] data<T>() where T : unmanaged
    {
        var result = new T[numel()];
        fixed (T* p = result) LibTorchNative.lt_tensor_copy_to(Handle, p, (long)result.Length * sizeof(T));
        LibTorchNative.Check();
        return result;
    }

    public Tensor add(Tensor other, double alpha = 1) => new(LibTorchNative.lt_add(Handle, other.Handle, alpha));
    public Tensor matmul(Tensor other) => new(LibTorchNative.lt_matmul(Handle, other.Handle));

    public static Tensor operator +(Tensor a, Tensor b) => a.add(b);

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    ~Tensor() => Free();

    private void Free()
    {
        IntPtr h = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (h != IntPtr.Zero) LibTorchNative.lt_tensor_free(h);
    }
}
