namespace LoraPS.Workflows.Environment;

/// <summary>What LoraPS runs on: the engine, its devices and the tagger runtime. Emitted by Get-LoraEnvironment.</summary>
public sealed record LoraEnvironment
{
    public required string LoraPSVersion { get; init; }
    public required string DotNetVersion { get; init; }
    public required string OperatingSystem { get; init; }
    public required int ProcessorCount { get; init; }

    public required bool LibTorchAvailable { get; init; }
    public string? LibTorchVersion { get; init; }
    public string? LibTorchShimPath { get; init; }
    public int? TorchThreads { get; init; }

    /// <summary>The glibc allocator setting in effect (LORAPS_MALLOC: tuned or default), null before libtorch loads.</summary>
    public string? MallocSetting { get; init; }
    public bool CudaAvailable { get; init; }
    public IReadOnlyList<string> CudaDevices { get; init; } = Array.Empty<string>();

    /// <summary>A small computation run through the shim, proving that the engine really works.</summary>
    public string? EngineSelfTest { get; init; }

    public required bool OnnxRuntimeAvailable { get; init; }
    public string? OnnxRuntimeVersion { get; init; }
    public string? OnnxRuntimePath { get; init; }

    /// <summary>What is missing or broken, each with how to fix it. Empty when all is well.</summary>
    public IReadOnlyList<string> Problems { get; init; } = Array.Empty<string>();
}
