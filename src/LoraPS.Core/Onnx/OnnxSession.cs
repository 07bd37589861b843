using System.Runtime.InteropServices;
using LoraPS.Formats.Onnx;

namespace LoraPS.Onnx;

/// <summary>
/// An ONNX Runtime inference session over one model file. Thread-safe for <see cref="Run"/> (ORT
/// allows concurrent Run calls); every native object it makes is released by <see cref="Dispose"/>
/// or, for per-call objects, before <see cref="Run"/> returns.
/// </summary>
public sealed unsafe class OnnxSession : IDisposable
{
    private readonly OrtApi _api;
    private IntPtr _session, _memoryInfo;

    public string ModelPath { get; }
    public IReadOnlyList<OnnxValueInfo> Inputs { get; }
    public IReadOnlyList<OnnxValueInfo> Outputs { get; }
    /// <summary>The execution provider the session was created with.</summary>
    public OnnxDevice Device { get; }

    private OnnxSession(OrtApi api, IntPtr session, string path, OnnxDevice device)
    {
        _api = api;
        _session = session;
        ModelPath = path;
        Device = device;
        try
        {
            Inputs = Describe(input: true);
            Outputs = Describe(input: false);
            IntPtr memoryInfo;
            // OrtArenaAllocator (1), OrtMemTypeDefault (0): plain CPU memory that ORT reads in place.
            _api.Check(((delegate* unmanaged<int, int, IntPtr*, IntPtr>)_api[OrtApi.CreateCpuMemoryInfo])(1, 0, &memoryInfo), "CreateCpuMemoryInfo");
            _memoryInfo = memoryInfo;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens <paramref name="modelPath"/>. A missing file, a corrupt model or one ORT cannot load gives
    /// an <see cref="OnnxModelException"/> naming the file and the defect.
    /// </summary>
    public static OnnxSession Open(string modelPath, OnnxSessionOptions? options = null)
    {
        options ??= new OnnxSessionOptions();
        string full = Path.GetFullPath(modelPath);
        if (!File.Exists(full)) throw new FileNotFoundException($"ONNX model {full} does not exist", full);
        var api = OrtApi.Instance;
        IntPtr env = OnnxRuntime.Env;
        IntPtr sessionOptions = IntPtr.Zero;
        try
        {
            api.Check(((delegate* unmanaged<IntPtr*, IntPtr>)api[OrtApi.CreateSessionOptions])(&sessionOptions), "CreateSessionOptions");
            api.Check(((delegate* unmanaged<IntPtr, int, IntPtr>)api[OrtApi.SetSessionGraphOptimizationLevel])(sessionOptions, (int)options.OptimizationLevel), "SetSessionGraphOptimizationLevel");
            if (options.IntraOpThreads < 0 || options.InterOpThreads < 0) throw new ArgumentException("thread counts must be 0 (automatic) or positive");
            api.Check(((delegate* unmanaged<IntPtr, int, IntPtr>)api[OrtApi.SetIntraOpNumThreads])(sessionOptions, options.IntraOpThreads), "SetIntraOpNumThreads");
            api.Check(((delegate* unmanaged<IntPtr, int, IntPtr>)api[OrtApi.SetInterOpNumThreads])(sessionOptions, options.InterOpThreads), "SetInterOpNumThreads");
            OnnxDevice device = ChooseDevice(options.Device);
            if (device == OnnxDevice.Cuda)
            {
                try { AppendCuda(api, sessionOptions, options.DeviceId); }
                catch (OnnxRuntimeException e) when (options.Device == OnnxDevice.Auto)
                {
                    // Listed but not loadable (e.g. CUDA provider libraries absent): Auto falls back to the CPU.
                    device = OnnxDevice.Cpu;
                    CudaFallbackReason = e.Message;
                }
                catch (OnnxRuntimeException e)
                {
                    throw new NotSupportedException(
                        $"the ONNX Runtime at {OnnxRuntime.LibraryPath} ({OnnxRuntime.Version}) lists a CUDA execution provider but cannot use it: " +
                        $"{e.Message}. Install the GPU build of ONNX Runtime with its CUDA provider libraries, or use -Device Cpu.", e);
                }
            }

            IntPtr session = IntPtr.Zero;
            IntPtr pathText = OperatingSystem.IsWindows() ? Marshal.StringToHGlobalUni(full) : Marshal.StringToCoTaskMemUTF8(full);
            try
            {
                api.Check(((delegate* unmanaged<IntPtr, IntPtr, IntPtr, IntPtr*, IntPtr>)api[OrtApi.CreateSession])(env, pathText, sessionOptions, &session), "CreateSession");
            }
            catch (OnnxRuntimeException e)
            {
                // Our own reader names the structural defect where there is one; ORT's message follows.
                string? defect = OnnxModelReader.Diagnose(full);
                string hint = e.Message.Contains("opset", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("IR version", StringComparison.OrdinalIgnoreCase)
                    ? $" The loaded ONNX Runtime is {api.Version}; WD14 v3 models need 1.17 or newer." : "";
                throw new OnnxModelException(full, (defect is null ? "ONNX Runtime cannot load the model" : defect) + $" ({e.Message}).{hint}", e);
            }
            finally
            {
                if (OperatingSystem.IsWindows()) Marshal.FreeHGlobal(pathText); else Marshal.FreeCoTaskMem(pathText);
            }
            return new OnnxSession(api, session, full, device);
        }
        finally
        {
            api.Release(OrtApi.ReleaseSessionOptions, sessionOptions);
        }
    }

    /// <summary>Why the last Auto session fell back from CUDA to the CPU, when it did.</summary>
    public static string? CudaFallbackReason { get; private set; }

    private static OnnxDevice ChooseDevice(OnnxDevice requested)
    {
        if (requested == OnnxDevice.Cpu) return OnnxDevice.Cpu;
        bool hasCuda = OnnxRuntime.HasCuda;
        if (requested == OnnxDevice.Cuda && !hasCuda)
            throw new NotSupportedException(
                $"the ONNX Runtime at {OnnxRuntime.LibraryPath} ({OnnxRuntime.Version}) has no CUDA execution provider " +
                $"(it has {string.Join(", ", OnnxRuntime.AvailableProviders())}). Install the GPU build of ONNX Runtime and set " +
                $"{OnnxRuntimeLibrary.EnvironmentVariable} to it, or use -Device Cpu.");
        return hasCuda ? OnnxDevice.Cuda : OnnxDevice.Cpu;
    }

    private static void AppendCuda(OrtApi api, IntPtr sessionOptions, int deviceId)
    {
        IntPtr cuda = IntPtr.Zero;
        IntPtr key = Marshal.StringToCoTaskMemUTF8("device_id"), value = Marshal.StringToCoTaskMemUTF8(deviceId.ToString());
        try
        {
            api.Check(((delegate* unmanaged<IntPtr*, IntPtr>)api[OrtApi.CreateCUDAProviderOptions])(&cuda), "CreateCUDAProviderOptions");
            api.Check(((delegate* unmanaged<IntPtr, IntPtr*, IntPtr*, nuint, IntPtr>)api[OrtApi.UpdateCUDAProviderOptions])(cuda, &key, &value, 1), "UpdateCUDAProviderOptions");
            api.Check(((delegate* unmanaged<IntPtr, IntPtr, IntPtr>)api[OrtApi.SessionOptionsAppendExecutionProvider_CUDA_V2])(sessionOptions, cuda), "SessionOptionsAppendExecutionProvider_CUDA_V2");
        }
        finally
        {
            api.Release(OrtApi.ReleaseCUDAProviderOptions, cuda);
            Marshal.FreeCoTaskMem(key);
            Marshal.FreeCoTaskMem(value);
        }
    }

    private IReadOnlyList<OnnxValueInfo> Describe(bool input)
    {
        nuint count;
        _api.Check(((delegate* unmanaged<IntPtr, nuint*, IntPtr>)_api[input ? OrtApi.SessionGetInputCount : OrtApi.SessionGetOutputCount])(_session, &count), "SessionGetInputCount");
        IntPtr allocator = _api.DefaultAllocator();
        var list = new List<OnnxValueInfo>();
        for (nuint i = 0; i < count; i++)
        {
            IntPtr name;
            _api.Check(((delegate* unmanaged<IntPtr, nuint, IntPtr, IntPtr*, IntPtr>)_api[input ? OrtApi.SessionGetInputName : OrtApi.SessionGetOutputName])(_session, i, allocator, &name), "SessionGetInputName");
            string text = _api.TakeString(allocator, name);
            IntPtr typeInfo;
            _api.Check(((delegate* unmanaged<IntPtr, nuint, IntPtr*, IntPtr>)_api[input ? OrtApi.SessionGetInputTypeInfo : OrtApi.SessionGetOutputTypeInfo])(_session, i, &typeInfo), "SessionGetInputTypeInfo");
            try
            {
                int kind;
                _api.Check(((delegate* unmanaged<IntPtr, int*, IntPtr>)_api[OrtApi.GetOnnxTypeFromTypeInfo])(typeInfo, &kind), "GetOnnxTypeFromTypeInfo");
                if ((OnnxValueKind)kind != OnnxValueKind.Tensor)
                {
                    list.Add(new OnnxValueInfo(text, (OnnxValueKind)kind, OnnxElementType.Undefined, Array.Empty<long>()));
                    continue;
                }
                IntPtr tensorInfo; // owned by typeInfo: not released here
                _api.Check(((delegate* unmanaged<IntPtr, IntPtr*, IntPtr>)_api[OrtApi.CastTypeInfoToTensorInfo])(typeInfo, &tensorInfo), "CastTypeInfoToTensorInfo");
                var (type, shape) = TypeAndShape(tensorInfo);
                list.Add(new OnnxValueInfo(text, OnnxValueKind.Tensor, type, shape));
            }
            finally { _api.Release(OrtApi.ReleaseTypeInfo, typeInfo); }
        }
        return list;
    }

    private (OnnxElementType, long[]) TypeAndShape(IntPtr tensorInfo)
    {
        int type;
        nuint rank;
        _api.Check(((delegate* unmanaged<IntPtr, int*, IntPtr>)_api[OrtApi.GetTensorElementType])(tensorInfo, &type), "GetTensorElementType");
        _api.Check(((delegate* unmanaged<IntPtr, nuint*, IntPtr>)_api[OrtApi.GetDimensionsCount])(tensorInfo, &rank), "GetDimensionsCount");
        var shape = new long[(int)rank];
        fixed (long* dims = shape)
            _api.Check(((delegate* unmanaged<IntPtr, long*, nuint, IntPtr>)_api[OrtApi.GetDimensions])(tensorInfo, dims, rank), "GetDimensions");
        return ((OnnxElementType)type, shape);
    }

    /// <summary>Runs the model on named inputs; returns the requested outputs (all when null), in order.</summary>
    public IReadOnlyList<OnnxTensor> Run(IReadOnlyList<(string Name, OnnxTensor Value)> inputs, IReadOnlyList<string>? outputNames = null)
    {
        ObjectDisposedException.ThrowIf(_session == IntPtr.Zero, this);
        outputNames ??= Outputs.Select(o => o.Name).ToArray();
        foreach (var (name, value) in inputs) CheckInput(name, value);
        foreach (string name in outputNames)
            if (!Outputs.Any(o => o.Name == name))
                throw new ArgumentException($"{ModelPath} has no output named '{name}' (outputs: {string.Join(", ", Outputs)})");

        int nIn = inputs.Count, nOut = outputNames.Count;
        var pins = new GCHandle[nIn];
        var inValues = new IntPtr[nIn];
        var outValues = new IntPtr[nOut];
        var names = new List<IntPtr>();
        try
        {
            var inNames = new IntPtr[nIn];
            var outNamesNative = new IntPtr[nOut];
            for (int i = 0; i < nIn; i++)
            {
                var tensor = inputs[i].Value;
                inNames[i] = Marshal.StringToCoTaskMemUTF8(inputs[i].Name);
                names.Add(inNames[i]);
                pins[i] = GCHandle.Alloc(tensor.Data, GCHandleType.Pinned);
                nuint bytes = (nuint)((long)tensor.Data.Length * OnnxElementTypes.SizeOf(tensor.ElementType));
                IntPtr value;
                fixed (long* shape = tensor.Shape)
                    _api.Check(((delegate* unmanaged<IntPtr, IntPtr, nuint, long*, nuint, int, IntPtr*, IntPtr>)_api[OrtApi.CreateTensorWithDataAsOrtValue])(
                        _memoryInfo, pins[i].AddrOfPinnedObject(), bytes, shape, (nuint)tensor.Shape.Length, (int)tensor.ElementType, &value), "CreateTensorWithDataAsOrtValue");
                inValues[i] = value;
            }
            for (int i = 0; i < nOut; i++)
            {
                outNamesNative[i] = Marshal.StringToCoTaskMemUTF8(outputNames[i]);
                names.Add(outNamesNative[i]);
            }
            fixed (IntPtr* pin = inNames, pv = inValues, pon = outNamesNative, pov = outValues)
                _api.Check(((delegate* unmanaged<IntPtr, IntPtr, IntPtr*, IntPtr*, nuint, IntPtr*, nuint, IntPtr*, IntPtr>)_api[OrtApi.Run])(
                    _session, IntPtr.Zero, pin, pv, (nuint)nIn, pon, (nuint)nOut, pov), $"Run ({Path.GetFileName(ModelPath)})");

            var results = new OnnxTensor[nOut];
            for (int i = 0; i < nOut; i++) results[i] = CopyOut(outValues[i], outputNames[i]);
            return results;
        }
        finally
        {
            foreach (IntPtr v in outValues) _api.Release(OrtApi.ReleaseValue, v);
            foreach (IntPtr v in inValues) _api.Release(OrtApi.ReleaseValue, v);
            foreach (var pin in pins) if (pin.IsAllocated) pin.Free();
            foreach (IntPtr n in names) Marshal.FreeCoTaskMem(n);
        }
    }

    /// <summary>Runs a model with one input and returns its first output.</summary>
    public OnnxTensor Run(OnnxTensor input) => Run(new[] { (Inputs[0].Name, input) }, new[] { Outputs[0].Name })[0];

    private void CheckInput(string name, OnnxTensor value)
    {
        var info = Inputs.FirstOrDefault(i => i.Name == name)
                   ?? throw new ArgumentException($"{ModelPath} has no input named '{name}' (inputs: {string.Join(", ", Inputs)})");
        if (info.ElementType != value.ElementType)
            throw new ArgumentException($"input '{name}' of {ModelPath} takes {info.ElementType}, not {value.ElementType}");
        if (info.Shape.Length != value.Shape.Length || info.Shape.Zip(value.Shape).Any(p => p.First >= 0 && p.First != p.Second))
            throw new ArgumentException($"input '{name}' of {ModelPath} has shape {info}, which a {value} tensor does not fit");
    }

    private OnnxTensor CopyOut(IntPtr value, string name)
    {
        int kind;
        _api.Check(((delegate* unmanaged<IntPtr, int*, IntPtr>)_api[OrtApi.GetValueType])(value, &kind), "GetValueType");
        if ((OnnxValueKind)kind != OnnxValueKind.Tensor) throw new NotSupportedException($"output '{name}' is a {(OnnxValueKind)kind}, not a tensor");
        IntPtr info;
        _api.Check(((delegate* unmanaged<IntPtr, IntPtr*, IntPtr>)_api[OrtApi.GetTensorTypeAndShape])(value, &info), "GetTensorTypeAndShape");
        OnnxElementType type;
        long[] shape;
        try { (type, shape) = TypeAndShape(info); }
        finally { _api.Release(OrtApi.ReleaseTensorTypeAndShapeInfo, info); }
        long count = 1;
        foreach (long d in shape) count *= d;
        if (count > Array.MaxLength) throw new NotSupportedException($"output '{name}' has {count} elements, more than one array holds");
        var array = Array.CreateInstance(OnnxElementTypes.ClrType(type), (int)count);
        if (count > 0)
        {
            IntPtr data;
            _api.Check(((delegate* unmanaged<IntPtr, IntPtr*, IntPtr>)_api[OrtApi.GetTensorMutableData])(value, &data), "GetTensorMutableData");
            var pin = GCHandle.Alloc(array, GCHandleType.Pinned);
            try
            {
                long bytes = count * OnnxElementTypes.SizeOf(type);
                Buffer.MemoryCopy((void*)data, (void*)pin.AddrOfPinnedObject(), bytes, bytes);
            }
            finally { pin.Free(); }
        }
        return new OnnxTensor(array, shape);
    }

    public void Dispose()
    {
        _api.Release(OrtApi.ReleaseMemoryInfo, _memoryInfo);
        _memoryInfo = IntPtr.Zero;
        _api.Release(OrtApi.ReleaseSession, _session);
        _session = IntPtr.Zero;
    }
}
