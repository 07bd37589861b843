using System.Runtime.InteropServices;

namespace LoraPS.Torch.Interop;

/// <summary>P/Invoke declarations of the C shim (native/loraps_torch.h). Keep in step with that header.</summary>
internal static unsafe partial class LibTorchNative
{
    internal const string Library = "loraps_torch";

    [LibraryImport(Library)] internal static partial IntPtr lt_last_error();
    [LibraryImport(Library)] internal static partial IntPtr lt_version();
    [LibraryImport(Library)] internal static partial int lt_shim_abi();
    [LibraryImport(Library)] internal static partial int lt_cuda_is_available();
    [LibraryImport(Library)] internal static partial int lt_cuda_device_count();
    [LibraryImport(Library)] internal static partial int lt_cuda_device_name(int device, byte* buffer, int capacity);
    [LibraryImport(Library)] internal static partial int lt_get_num_threads();
    [LibraryImport(Library)] internal static partial void lt_set_num_threads(int n);
    [LibraryImport(Library)] internal static partial long lt_live_tensors();

    [LibraryImport(Library)] internal static partial IntPtr lt_tensor_from_data(void* data, long* shape, int ndim, int dtype);
    [LibraryImport(Library)] internal static partial void lt_tensor_free(IntPtr t);
    [LibraryImport(Library)] internal static partial int lt_tensor_ndim(IntPtr t);
    [LibraryImport(Library)] internal static partial int lt_tensor_shape(IntPtr t, long* shape, int capacity);
    [LibraryImport(Library)] internal static partial int lt_tensor_dtype(IntPtr t);
    [LibraryImport(Library)] internal static partial long lt_tensor_numel(IntPtr t);
    [LibraryImport(Library)] internal static partial int lt_tensor_copy_to(IntPtr t, void* dst, long bytes);

    [LibraryImport(Library)] internal static partial IntPtr lt_add(IntPtr a, IntPtr b, double alpha);
    [LibraryImport(Library)] internal static partial IntPtr lt_matmul(IntPtr a, IntPtr b);

    /// <summary>Throws the shim's last error on this thread, if the last call failed.</summary>
    internal static void Check()
    {
        IntPtr message = lt_last_error();
        if (message != IntPtr.Zero) throw new TorchException(Marshal.PtrToStringUTF8(message) ?? "libtorch error");
    }

    /// <summary>Returns a handle made by the shim, or throws its error when the handle is null.</summary>
    internal static IntPtr CheckHandle(IntPtr handle)
    {
        if (handle == IntPtr.Zero)
        {
            Check();
            throw new TorchException("libtorch returned no tensor and no error");
        }
        return handle;
    }
}
