using System.Runtime.InteropServices;
using LoraPS.Torch.Interop;
using static LoraPS.Torch.Interop.LibTorchNative;

namespace LoraPS.Torch;

/// <summary>
/// Entry points shaped like PyTorch's <c>torch</c> namespace, so model code reads like the Python
/// people know. Lower-case names are deliberate. Split over torch*.cs by theme.
/// </summary>
#pragma warning disable IDE1006 // lower-case names mirror PyTorch's
public static unsafe partial class torch
{
    public const ScalarType float32 = ScalarType.Float32;
    public const ScalarType float64 = ScalarType.Float64;
    public const ScalarType float16 = ScalarType.Float16;
    public const ScalarType bfloat16 = ScalarType.BFloat16;
    public const ScalarType int64 = ScalarType.Int64;
    public const ScalarType int32 = ScalarType.Int32;
    public const ScalarType int8 = ScalarType.Int8;
    public const ScalarType uint8 = ScalarType.Byte;
    public const ScalarType @bool = ScalarType.Bool;

    /// <summary>The libtorch version the shim was compiled against, e.g. "1.13.0".</summary>
    public static string __version__
    {
        get
        {
            LibTorchLoader.EnsureLoaded();
            return Marshal.PtrToStringUTF8(lt_version()) ?? "";
        }
    }

    public static int get_num_threads()
    {
        LibTorchLoader.EnsureLoaded();
        return Ok(lt_get_num_threads());
    }

    public static void set_num_threads(int threads)
    {
        LibTorchLoader.EnsureLoaded();
        lt_set_num_threads(threads);
        Check();
    }

    /// <summary>Native tensors created and not yet freed (for leak tests and diagnostics).</summary>
    public static long live_tensor_count()
    {
        LibTorchLoader.EnsureLoaded();
        return lt_live_tensors();
    }

    /// <summary>Seeds the default generators (CPU and every CUDA device).</summary>
    public static void manual_seed(ulong seed)
    {
        LibTorchLoader.EnsureLoaded();
        Ok(lt_manual_seed(seed));
    }

    /// <summary>Opens a scope that frees every tensor created inside it when disposed.</summary>
    public static DisposeScope NewDisposeScope()
    {
        LibTorchLoader.EnsureLoaded();
        return new DisposeScope();
    }

    // ------------------------------------------------------------------ autograd mode scopes
    /// <summary>Disables gradient recording on this thread until disposed (restores the previous mode).</summary>
    public static IDisposable no_grad() => new GradModeScope(false);
    /// <summary>Enables gradient recording on this thread until disposed (e.g. inside no_grad).</summary>
    public static IDisposable enable_grad() => new GradModeScope(true);
    public static IDisposable set_grad_enabled(bool enabled) => new GradModeScope(enabled);
    public static bool is_grad_enabled()
    {
        LibTorchLoader.EnsureLoaded();
        return lt_grad_enabled() != 0;
    }

    private sealed class GradModeScope : IDisposable
    {
        private readonly int _previous;
        private bool _done;
        public GradModeScope(bool enabled)
        {
            LibTorchLoader.EnsureLoaded();
            _previous = lt_set_grad_enabled(enabled ? 1 : 0);
        }
        public void Dispose()
        {
            if (_done) return;
            _done = true;
            lt_set_grad_enabled(_previous);
        }
    }

    // ------------------------------------------------------------------ from managed data
    /// <summary>A tensor holding a copy of <paramref name="values"/>, viewed with <paramref name="shape"/> (1-d when omitted).</summary>
    public static Tensor tensor(float[] values, params long[] shape) => FromData<float>(values, shape, ScalarType.Float32);
    public static Tensor tensor(double[] values, params long[] shape) => FromData<double>(values, shape, ScalarType.Float64);
    public static Tensor tensor(long[] values, params long[] shape) => FromData<long>(values, shape, ScalarType.Int64);
    public static Tensor tensor(int[] values, params long[] shape) => FromData<int>(values, shape, ScalarType.Int32);
    public static Tensor tensor(Half[] values, params long[] shape) => FromData<Half>(values, shape, ScalarType.Float16);
    public static Tensor tensor(byte[] values, params long[] shape) => FromData<byte>(values, shape, ScalarType.Byte);
    public static Tensor tensor(sbyte[] values, params long[] shape) => FromData<sbyte>(values, shape, ScalarType.Int8);
    public static Tensor tensor(bool[] values, params long[] shape) => FromData<bool>(values, shape, ScalarType.Bool);
    public static Tensor tensor(float value) => FromData<float>(new[] { value }, Array.Empty<long>(), ScalarType.Float32, scalar: true);
    public static Tensor tensor(double value) => FromData<double>(new[] { value }, Array.Empty<long>(), ScalarType.Float64, scalar: true);

    /// <summary>
    /// A tensor of <paramref name="dtype"/> from raw little-endian element bytes (as stored in
    /// safetensors files): e.g. bfloat16 from 2 bytes per element. The bytes are copied once.
    /// </summary>
    public static Tensor from_bytes(ReadOnlySpan<byte> bytes, ScalarType dtype, params long[] shape)
    {
        LibTorchLoader.EnsureLoaded();
        long count = Count(shape);
        long need = count * dtype.ElementSize();
        if (bytes.Length != need)
            throw new ArgumentException($"a {dtype} tensor of shape [{string.Join(", ", shape)}] needs {need} bytes but {bytes.Length} were given");
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts are not supported");
        fixed (byte* data = bytes)
        fixed (long* dims = shape)
            return new Tensor(lt_tensor_from_data(data, dims, shape.Length, (int)dtype));
    }

    /// <summary>A tensor of <paramref name="dtype"/> holding a copy of <paramref name="values"/> (element size must match the dtype).</summary>
    public static Tensor from_span<T>(ReadOnlySpan<T> values, ScalarType dtype, params long[] shape) where T : unmanaged
    {
        if (sizeof(T) != dtype.ElementSize()) throw new ArgumentException($"{typeof(T).Name} elements ({sizeof(T)} bytes) cannot hold {dtype} ({dtype.ElementSize()} bytes)");
        return FromData(values, shape, dtype);
    }

    /// <summary>A tensor of <paramref name="dtype"/> from elements whose bit patterns are given (e.g. bfloat16 bits as ushort).</summary>
    public static Tensor from_bits(ReadOnlySpan<ushort> bits, ScalarType dtype, params long[] shape)
    {
        if (dtype.ElementSize() != 2) throw new ArgumentException($"{dtype} is not a 16-bit type");
        return from_bytes(MemoryMarshal.AsBytes(bits), dtype, shape);
    }

    private static Tensor FromData<T>(ReadOnlySpan<T> values, long[] shape, ScalarType dtype, bool scalar = false) where T : unmanaged
    {
        LibTorchLoader.EnsureLoaded();
        if (shape.Length == 0 && !scalar) shape = new long[] { values.Length };
        long count = Count(shape);
        if (count != values.Length)
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] holds {count} elements but {values.Length} were given");
        fixed (T* data = values)
        fixed (long* dims = shape)
            return new Tensor(lt_tensor_from_data(data, dims, shape.Length, (int)dtype));
    }

    private static long Count(long[] shape)
    {
        long count = 1;
        foreach (long d in shape)
        {
            if (d < 0) throw new ArgumentException($"negative size {d} in shape [{string.Join(", ", shape)}]");
            count *= d;
        }
        return count;
    }

    public static class cuda
    {
        public static bool is_available()
        {
            LibTorchLoader.EnsureLoaded();
            return lt_cuda_is_available() != 0;
        }

        public static int device_count()
        {
            LibTorchLoader.EnsureLoaded();
            return lt_cuda_device_count();
        }

        /// <summary>The name of CUDA device <paramref name="device"/>, e.g. "NVIDIA H100 80GB HBM3".</summary>
        public static string get_device_name(int device = 0)
        {
            LibTorchLoader.EnsureLoaded();
            byte* buffer = stackalloc byte[256];
            int n = Ok(lt_cuda_device_name(device, buffer, 256));
            return System.Text.Encoding.UTF8.GetString(buffer, n);
        }

        /// <summary>Waits for the device's queued work (no-op without CUDA).</summary>
        public static void synchronize(int device = 0) { LibTorchLoader.EnsureLoaded(); Ok(lt_cuda_synchronize(device)); }
        /// <summary>Bytes held by tensors on the device (0 without CUDA).</summary>
        public static long memory_allocated(int device = 0) { LibTorchLoader.EnsureLoaded(); return Mem(device, 0); }
        public static long max_memory_allocated(int device = 0) { LibTorchLoader.EnsureLoaded(); return Mem(device, 1); }
        public static long memory_reserved(int device = 0) { LibTorchLoader.EnsureLoaded(); return Mem(device, 2); }
        public static void reset_peak_memory_stats(int device = 0) { LibTorchLoader.EnsureLoaded(); Ok(lt_cuda_reset_peak(device)); }
        public static void empty_cache() { LibTorchLoader.EnsureLoaded(); Ok(lt_cuda_empty_cache()); }

        private static long Mem(int device, int which)
        {
            long v = lt_cuda_memory(device, which);
            if (v < 0) Check();
            return v;
        }
    }
}
