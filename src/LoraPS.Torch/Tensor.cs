using System.Runtime.InteropServices;
using LoraPS.Torch.Interop;
using static LoraPS.Torch.Interop.LibTorchNative;

namespace LoraPS.Torch;

/// <summary>
/// A libtorch tensor owned by managed code. Dispose it (or let a <see cref="DisposeScope"/> do it) to
/// free native memory at once; the finalizer frees what was forgotten, later. The API is split by
/// theme over Tensor.*.cs files and mirrors PyTorch's names.
/// </summary>
#pragma warning disable IDE1006 // naming: mirrors torch
public partial class Tensor : IDisposable
{
    private IntPtr _handle;

    internal Tensor(IntPtr handle)
    {
        _handle = CheckHandle(handle);
        DisposeScope.Current?.Register(this);
    }

    internal IntPtr Handle => _handle != IntPtr.Zero ? _handle : throw new ObjectDisposedException(nameof(Tensor), "this tensor was disposed (directly or by its DisposeScope)");

    /// <summary>The scope that will free this tensor, if any.</summary>
    internal DisposeScope? OwningScope { get; set; }

    /// <summary>True once disposed.</summary>
    public bool IsInvalid => _handle == IntPtr.Zero;

    /// <summary>Keeps this tensor alive when the current scope ends (it joins the outer scope, if any).</summary>
    public Tensor MoveToOuterDisposeScope()
    {
        OwningScope?.MoveToOuter(this);
        return this;
    }

    /// <summary>No scope will free this tensor; the caller disposes it.</summary>
    public Tensor DetachFromDisposeScope()
    {
        OwningScope = null;
        return this;
    }

    /// <summary>Hands the native handle over (to the shim or another Tensor); this object becomes invalid.</summary>
    internal IntPtr ReleaseHandle()
    {
        IntPtr h = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        GC.SuppressFinalize(this);
        return h;
    }

    /// <summary>Replaces the native tensor this object stands for (keeps identity, e.g. for parameters).</summary>
    internal void ReplaceHandle(IntPtr handle)
    {
        IntPtr old = Interlocked.Exchange(ref _handle, CheckHandle(handle));
        if (old != IntPtr.Zero) lt_tensor_free(old);
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    ~Tensor() => Free();

    private void Free()
    {
        IntPtr h = Interlocked.Exchange(ref _handle, IntPtr.Zero);
        if (h != IntPtr.Zero) lt_tensor_free(h);
    }

    // ------------------------------------------------------------------ facts

    public unsafe long[] shape
    {
        get
        {
            long* buffer = stackalloc long[64];
            int ndim = Ok(lt_tensor_shape(Handle, buffer, 64));
            return new ReadOnlySpan<long>(buffer, ndim).ToArray();
        }
    }

    /// <summary>Size of dimension <paramref name="dim"/> (negative counts from the end).</summary>
    public long size(int dim)
    {
        var s = shape;
        int d = dim < 0 ? dim + s.Length : dim;
        if (d < 0 || d >= s.Length) throw new ArgumentOutOfRangeException(nameof(dim), $"dimension {dim} is out of range for a {s.Length}-d tensor");
        return s[d];
    }

    public unsafe long[] stride()
    {
        long* buffer = stackalloc long[64];
        int ndim = Ok(lt_tensor_stride(Handle, buffer, 64));
        return new ReadOnlySpan<long>(buffer, ndim).ToArray();
    }

    public int dim() => Ok(lt_tensor_ndim(Handle));
    public int ndim => dim();

    public ScalarType dtype => (ScalarType)Ok(lt_tensor_dtype(Handle));

    public unsafe Device device
    {
        get
        {
            int index;
            int type = Ok(lt_tensor_device(Handle, &index));
            return new Device((DeviceType)type, index);
        }
    }

    public long numel()
    {
        long n = lt_tensor_numel(Handle);
        if (n < 0) Check();
        return n;
    }

    public int element_size() => dtype.ElementSize();

    public bool is_contiguous() => Ok(lt_tensor_is_contiguous(Handle)) != 0;

    public override string ToString()
    {
        if (IsInvalid) return "tensor(disposed)";
        return $"tensor(shape=[{string.Join(", ", shape)}], dtype={dtype}, device={device})";
    }

    // ------------------------------------------------------------------ data in and out

    /// <summary>Copies the elements (row-major) into a new managed array of <typeparamref name="T"/>.</summary>
    public unsafe T[] data<T>() where T : unmanaged
    {
        CheckElementType<T>();
        var result = new T[numel()];
        fixed (T* p = result) Ok(lt_tensor_copy_to(Handle, p, (long)result.Length * sizeof(T)));
        return result;
    }

    /// <summary>Copies the elements into <paramref name="destination"/>, whose length must equal numel().</summary>
    public unsafe void CopyTo<T>(Span<T> destination) where T : unmanaged
    {
        CheckElementType<T>();
        fixed (T* p = destination) Ok(lt_tensor_copy_to(Handle, p, (long)destination.Length * sizeof(T)));
    }

    /// <summary>The raw little-endian bytes of the elements (row-major).</summary>
    public unsafe byte[] bytes()
    {
        var result = new byte[numel() * element_size()];
        fixed (byte* p = result) Ok(lt_tensor_copy_to(Handle, p, result.Length));
        return result;
    }

    /// <summary>Overwrites the elements from <paramref name="source"/> (any device; length must match).</summary>
    public unsafe void CopyFrom<T>(ReadOnlySpan<T> source) where T : unmanaged
    {
        fixed (T* p = source) Ok(lt_tensor_copy_from(Handle, p, (long)source.Length * sizeof(T)));
    }

    /// <summary>The single element as a double (any dtype).</summary>
    public double item()
    {
        double v = lt_item(Handle);
        if (double.IsNaN(v)) Check();
        return v;
    }

    public T item<T>() where T : unmanaged
    {
        double v = item();
        return typeof(T) == typeof(bool) ? (T)(object)(v != 0) : (T)Convert.ChangeType(v, typeof(T));
    }

    public float ToSingle() => (float)item();
    public double ToDouble() => item();
    public long ToInt64() => (long)item();
    public bool ToBoolean() => item() != 0;

    private unsafe void CheckElementType<T>() where T : unmanaged
    {
        var dt = dtype;
        int size = dt.ElementSize();
        if (sizeof(T) != size)
            throw new ArgumentException($"cannot read {dt} elements ({size} bytes) as {typeof(T).Name} ({sizeof(T)} bytes)");
    }

    // ------------------------------------------------------------------ conversion

    public Tensor to(ScalarType type, bool copy = false) => new(lt_to(Handle, (int)type, -1, -1, copy ? 1 : 0));
    public Tensor to(Device dev, bool copy = false) => new(lt_to(Handle, -1, (int)dev.type, dev.NativeIndex, copy ? 1 : 0));
    public Tensor to(Device dev, ScalarType type, bool copy = false) => new(lt_to(Handle, (int)type, (int)dev.type, dev.NativeIndex, copy ? 1 : 0));
    public Tensor to(string dev) => to(Device.Parse(dev));
    public Tensor cpu() => to(Device.CPU);
    public Tensor cuda(int index = 0) => to(Device.CUDA(index));
    public Tensor @float() => to(ScalarType.Float32);
    public Tensor @double() => to(ScalarType.Float64);
    public Tensor half() => to(ScalarType.Float16);
    public Tensor bfloat16() => to(ScalarType.BFloat16);
    public Tensor @long() => to(ScalarType.Int64);
    public Tensor @int() => to(ScalarType.Int32);
    public Tensor @bool() => to(ScalarType.Bool);
    public Tensor type(ScalarType t) => to(t);
    public Tensor contiguous() => new(lt_contiguous(Handle));
    public Tensor clone() => new(lt_clone(Handle));

    /// <summary>A second managed handle on the same native tensor (same storage, same autograd identity).</summary>
    public Tensor alias() => new(lt_alias(Handle));
}
