namespace LoraPS.Onnx;

/// <summary>Where a session runs.</summary>
public enum OnnxDevice
{
    /// <summary>CUDA when the loaded ONNX Runtime has its CUDA provider, else the CPU.</summary>
    Auto,
    Cpu,
    /// <summary>CUDA or an error saying the loaded ONNX Runtime has no CUDA provider.</summary>
    Cuda,
}

/// <summary>GraphOptimizationLevel.</summary>
public enum OnnxOptimizationLevel { Disabled = 0, Basic = 1, Extended = 2, All = 99 }

/// <summary>How to open a session.</summary>
public sealed record OnnxSessionOptions
{
    /// <summary>Threads inside one operator; 0 lets ONNX Runtime choose (one per physical core).</summary>
    public int IntraOpThreads { get; init; }
    /// <summary>Threads across operators; 0 lets ONNX Runtime choose.</summary>
    public int InterOpThreads { get; init; }
    public OnnxOptimizationLevel OptimizationLevel { get; init; } = OnnxOptimizationLevel.All;
    public OnnxDevice Device { get; init; } = OnnxDevice.Auto;
    /// <summary>The CUDA device number when running on CUDA.</summary>
    public int DeviceId { get; init; }
}
