using System.Runtime.InteropServices;
using LoraPS.Torch.Interop;

namespace LoraPS.Onnx;

/// <summary>
/// Locates and loads ONNX Runtime's native library (libonnxruntime / onnxruntime.dll): the module's
/// runtimes/&lt;rid&gt;/native folder, then LORAPS_ONNXRUNTIME (a file or folder), then the system.
/// </summary>
public static unsafe class OnnxRuntimeLibrary
{
    public const string EnvironmentVariable = "LORAPS_ONNXRUNTIME";
    public const string BaseName = "onnxruntime";

    public const string HowToGet =
        "LoraPS needs ONNX Runtime for tagging. `./build.sh build` places it in the module on Linux; elsewhere download an " +
        "official ONNX Runtime release (the GPU build for CUDA) and set LORAPS_ONNXRUNTIME to the library file or its folder.";

    private static readonly object Gate = new();
    private static bool _tried;
    private static IntPtr _handle;
    private static string? _path, _error;

    /// <summary>Loads the library once; false with a message saying how to get it when it is missing.</summary>
    public static bool TryLoad(out IntPtr handle, out string? path, out string? error)
    {
        lock (Gate)
        {
            if (!_tried)
            {
                _tried = true;
                if (!NativeLibraryLocator.TryLoad(BaseName, typeof(OnnxRuntimeLibrary).Assembly, EnvironmentVariable,
                        out _handle, out _path, out string loadError))
                    _error = $"ONNX Runtime was not found ({loadError}). {HowToGet}";
                else if (!NativeLibrary.TryGetExport(_handle, "OrtGetApiBase", out _))
                    (_handle, _error) = (IntPtr.Zero, $"{_path} is not an ONNX Runtime library (no OrtGetApiBase export). {HowToGet}");
            }
            (handle, path, error) = (_handle, _path, _error);
            return handle != IntPtr.Zero;
        }
    }

    /// <summary>ONNX Runtime's own version string (OrtApiBase.GetVersionString), or null when it is missing.</summary>
    public static string? Version()
    {
        if (!TryLoad(out IntPtr handle, out _, out _)) return null;
        var getApiBase = (delegate* unmanaged<OrtApiBase*>)NativeLibrary.GetExport(handle, "OrtGetApiBase");
        OrtApiBase* apiBase = getApiBase();
        return Marshal.PtrToStringUTF8(apiBase->GetVersionString());
    }

    /// <summary>The two entry points every ONNX Runtime version exports first (onnxruntime_c_api.h).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct OrtApiBase
    {
        public delegate* unmanaged<uint, IntPtr> GetApi;
        public delegate* unmanaged<IntPtr> GetVersionString;
    }
}
