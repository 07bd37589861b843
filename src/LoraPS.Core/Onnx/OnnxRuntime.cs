using System.Runtime.InteropServices;

namespace LoraPS.Onnx;

/// <summary>Process-wide ONNX Runtime facts: version, library path, execution providers, the one OrtEnv.</summary>
public static unsafe class OnnxRuntime
{
    public const string CudaProvider = "CUDAExecutionProvider";
    public const string CpuProvider = "CPUExecutionProvider";

    private static readonly object Gate = new();
    private static IntPtr _env;

    /// <summary>The version string of the loaded runtime; throws a clear error when it is missing or too old.</summary>
    public static string Version => OrtApi.Instance.Version;

    public static string LibraryPath => OrtApi.Instance.LibraryPath;

    /// <summary>GetAvailableProviders: the execution providers compiled into the loaded library.</summary>
    public static IReadOnlyList<string> AvailableProviders()
    {
        var api = OrtApi.Instance;
        IntPtr* list;
        int count;
        api.Check(((delegate* unmanaged<IntPtr**, int*, IntPtr>)api[OrtApi.GetAvailableProviders])(&list, &count), "GetAvailableProviders");
        try
        {
            var names = new string[count];
            for (int i = 0; i < count; i++) names[i] = Marshal.PtrToStringUTF8(list[i]) ?? "";
            return names;
        }
        finally
        {
            api.Check(((delegate* unmanaged<IntPtr*, int, IntPtr>)api[OrtApi.ReleaseAvailableProviders])(list, count), "ReleaseAvailableProviders");
        }
    }

    public static bool HasCuda => AvailableProviders().Contains(CudaProvider);

    /// <summary>The single OrtEnv every session shares (ONNX Runtime wants one per process); lives until exit.</summary>
    internal static IntPtr Env
    {
        get
        {
            lock (Gate)
            {
                if (_env != IntPtr.Zero) return _env;
                var api = OrtApi.Instance;
                IntPtr env;
                IntPtr logId = Marshal.StringToCoTaskMemUTF8("LoraPS");
                try
                {
                    // Logging level ERROR (3): warnings about unused initialisers etc. would only be noise on the console.
                    api.Check(((delegate* unmanaged<int, IntPtr, IntPtr*, IntPtr>)api[OrtApi.CreateEnv])(3, logId, &env), "CreateEnv");
                }
                finally { Marshal.FreeCoTaskMem(logId); }
                return _env = env;
            }
        }
    }
}
