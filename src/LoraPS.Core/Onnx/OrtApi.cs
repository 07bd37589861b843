using System.Runtime.InteropServices;
using LoraPS.Torch.Interop;

namespace LoraPS.Onnx;

/// <summary>
/// The OrtApi function table (onnxruntime_c_api.h): a flat array of function pointers read at the
/// documented indices. Members of a released API version never move, so asking for the lowest
/// version that has everything we call keeps newer runtimes working.
/// </summary>
internal sealed unsafe class OrtApi
{
    /// <summary>API version 11 (ONNX Runtime 1.11) holds every index up to 208 (the CUDA V2 family).</summary>
    public const uint RequestedVersion = 11;

    /// <summary>The oldest runtime LoraPS accepts; v3 WD14 models need 1.17 (checked when a model fails to load).</summary>
    public const string MinimumVersion = "1.11";

    private static readonly object Gate = new();
    private static OrtApi? _instance;

    private readonly IntPtr* _table;
    public string Version { get; }
    public string LibraryPath { get; }

    private OrtApi(IntPtr* table, string version, string path)
    {
        _table = table;
        Version = version;
        LibraryPath = path;
    }

    /// <summary>The process-wide table; a clear error when the library is missing or too old.</summary>
    public static OrtApi Instance
    {
        get
        {
            lock (Gate)
            {
                if (_instance != null) return _instance;
                if (!OnnxRuntimeLibrary.TryLoad(out IntPtr handle, out string? path, out string? error))
                    throw new NativeLibraryMissingException(error!);
                var getApiBase = (delegate* unmanaged<OnnxRuntimeLibrary.OrtApiBase*>)NativeLibrary.GetExport(handle, "OrtGetApiBase");
                OnnxRuntimeLibrary.OrtApiBase* apiBase = getApiBase();
                string version = Marshal.PtrToStringUTF8(apiBase->GetVersionString()) ?? "?";
                IntPtr table = apiBase->GetApi(RequestedVersion);
                if (table == IntPtr.Zero)
                    throw new NativeLibraryMissingException(
                        $"ONNX Runtime {version} at {path} is too old: LoraPS needs {MinimumVersion} or newer (API version {RequestedVersion}). {OnnxRuntimeLibrary.HowToGet}");
                return _instance = new OrtApi((IntPtr*)table, version, path!);
            }
        }
    }

    public IntPtr this[int index] => _table[index];

    // Indices of the functions LoraPS calls (sd-architecture-facts §8).
    public const int GetErrorCode = 1, GetErrorMessage = 2, CreateEnv = 3, CreateSession = 7, CreateSessionFromArray = 8, Run = 9,
        CreateSessionOptions = 10, SetSessionGraphOptimizationLevel = 23, SetIntraOpNumThreads = 24, SetInterOpNumThreads = 25,
        SessionGetInputCount = 30, SessionGetOutputCount = 31, SessionGetInputTypeInfo = 33, SessionGetOutputTypeInfo = 34,
        SessionGetInputName = 36, SessionGetOutputName = 37, CreateTensorWithDataAsOrtValue = 49, IsTensor = 50,
        GetTensorMutableData = 51, CastTypeInfoToTensorInfo = 55, GetOnnxTypeFromTypeInfo = 56, GetTensorElementType = 60,
        GetDimensionsCount = 61, GetDimensions = 62, GetTensorShapeElementCount = 64, GetTensorTypeAndShape = 65, GetValueType = 67,
        CreateCpuMemoryInfo = 69, AllocatorFree = 76, GetAllocatorWithDefaultOptions = 78, ReleaseEnv = 92, ReleaseStatus = 93,
        ReleaseMemoryInfo = 94, ReleaseSession = 95, ReleaseValue = 96, ReleaseTypeInfo = 98, ReleaseTensorTypeAndShapeInfo = 99,
        ReleaseSessionOptions = 100, GetAvailableProviders = 125, ReleaseAvailableProviders = 126,
        SessionOptionsAppendExecutionProvider_CUDA_V2 = 204, CreateCUDAProviderOptions = 205, UpdateCUDAProviderOptions = 206,
        ReleaseCUDAProviderOptions = 208;

    /// <summary>Turns a returned OrtStatus* into an <see cref="OnnxRuntimeException"/> (and frees it).</summary>
    public void Check(IntPtr status, string what)
    {
        if (status == IntPtr.Zero) return;
        int code = ((delegate* unmanaged<IntPtr, int>)_table[GetErrorCode])(status);
        string message = Marshal.PtrToStringUTF8(((delegate* unmanaged<IntPtr, IntPtr>)_table[GetErrorMessage])(status)) ?? "";
        ((delegate* unmanaged<IntPtr, void>)_table[ReleaseStatus])(status);
        throw new OnnxRuntimeException((OrtErrorCode)code, $"{what}: {message}");
    }

    public void Release(int index, IntPtr handle)
    {
        if (handle != IntPtr.Zero) ((delegate* unmanaged<IntPtr, void>)_table[index])(handle);
    }

    /// <summary>The default CPU allocator (process-wide; never released).</summary>
    public IntPtr DefaultAllocator()
    {
        IntPtr allocator;
        Check(((delegate* unmanaged<IntPtr*, IntPtr>)_table[GetAllocatorWithDefaultOptions])(&allocator), "GetAllocatorWithDefaultOptions");
        return allocator;
    }

    /// <summary>Copies a string ORT allocated with <paramref name="allocator"/>, then frees it.</summary>
    public string TakeString(IntPtr allocator, IntPtr text)
    {
        try { return Marshal.PtrToStringUTF8(text) ?? ""; }
        finally { Check(((delegate* unmanaged<IntPtr, IntPtr, IntPtr>)_table[AllocatorFree])(allocator, text), "AllocatorFree"); }
    }
}

/// <summary>OrtErrorCode.</summary>
public enum OrtErrorCode
{
    Ok = 0, Fail = 1, InvalidArgument = 2, NoSuchFile = 3, NoModel = 4, EngineError = 5, RuntimeException = 6,
    InvalidProtobuf = 7, ModelLoaded = 8, NotImplemented = 9, InvalidGraph = 10, ExecutionProviderFail = 11,
}

/// <summary>An error ONNX Runtime reported (an OrtStatus), with its code and message.</summary>
public sealed class OnnxRuntimeException : Exception
{
    public OrtErrorCode Code { get; }
    public OnnxRuntimeException(OrtErrorCode code, string message) : base($"ONNX Runtime error ({code}): {message}") => Code = code;
}
