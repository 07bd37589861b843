using System.Runtime.InteropServices;
using LoraPS.Torch.Interop;

namespace LoraPS.Torch;

/// <summary>
/// Entry points shaped like PyTorch's <c>torch</c> namespace, so model code reads like the Python
/// people know. Lower-case names are deliberate.
/// </summary>
#pragma warning disable IDE1006, CS8981 // lower-case names mirror PyTorch's
public static unsafe class torch
{
    /// <summary>The libtorch version the shim was compiled against, e.g. "1.13.0".</summary>
    public static string __version__
    {
        get
        {
            LibTorchLoader.EnsureLoaded();
            return Marshal.PtrToStringUTF8(LibTorchNative.lt_version()) ?? "";
        }
    }

    public static int get_num_threads()
    {
        LibTorchLoader.EnsureLoaded();
        int n = LibTorchNative.lt_get_num_threads();
        LibTorchNative.Check();
        return n;
    }

    public static void set_num_threads(int threads)
    {
        LibTorchLoader.EnsureLoaded();
        LibTorchNative.lt_set_num_threads(threads);
        LibTorchNative.Check();
    }

    /// <summary>Native tensors created and not yet freed (for leak tests and diagnostics).</summary>
    public static long live_tensor_count()
    {
        LibTorchLoader.EnsureLoaded();
        return LibTorchNative.lt_live_tensors();
    }

    /// <summary>A tensor holding a copy of <paramref name="values"/>, viewed with <paramref name="shape"/>.</summary>
    public static Tensor tensor(float[] values, params long[] shape) => FromData(values, shape, ScalarType.Float32);
    public static Tensor tensor(double[] values, params long[] shape) => FromData(values, shape, ScalarType.Float64);
    public static Tensor tensor(long[] values, params long[] shape) => FromData(values, shape, ScalarType.Int64);

    private static Tensor FromData<T>(T[] values, long[] shape, ScalarType dtype) where T : unmanaged
    {
        LibTorchLoader.EnsureLoaded();
        if (shape.Length == 0) shape = new long[] { values.Length };
        long count = 1;
        foreach (long d in shape) count *= d;
        if (count != values.Length)
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] holds {count} elements but {values.Length} were given");
        fixed (T* data = values)
        fixed (long* dims = shape)
            return new Tensor(LibTorchNative.lt_tensor_from_data(data, dims, shape.Length, (int)dtype));
    }

    public static class cuda
    {
        public static bool is_available()
        {
            LibTorchLoader.EnsureLoaded();
            return LibTorchNative.lt_cuda_is_available() != 0;
        }

        public static int device_count()
        {
            LibTorchLoader.EnsureLoaded();
            return LibTorchNative.lt_cuda_device_count();
        }

        /// <summary>The name of CUDA device <paramref name="device"/>, e.g. "NVIDIA H100 80GB HBM3".</summary>
        public static string get_device_name(int device = 0)
        {
            LibTorchLoader.EnsureLoaded();
            byte* buffer = stackalloc byte[256];
            int n = LibTorchNative.lt_cuda_device_name(device, buffer, 256);
            LibTorchNative.Check();
            return System.Text.Encoding.UTF8.GetString(buffer, n);
        }
    }
}
