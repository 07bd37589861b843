using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using LoraPS.Onnx;
using LoraPS.Torch;
using LoraPS.Torch.Interop;

namespace LoraPS.Workflows.Environment;

/// <summary>Options of <see cref="EnvironmentWorkflow"/>.</summary>
public sealed record EnvironmentOptions
{
    /// <summary>Set libtorch's intra-op thread count before reporting (null leaves it alone).</summary>
    public int? Threads { get; init; }
}

/// <summary>Reports the engine, devices and tagger runtime that LoraPS finds (Get-LoraEnvironment, `loraps env`).</summary>
public static class EnvironmentWorkflow
{
    public static LoraEnvironment Run(EnvironmentOptions options)
    {
        var problems = new List<string>();
        bool torchOk = LibTorchLoader.TryLoad(out string? torchError);
        string? version = null, selfTest = null;
        int? threads = null;
        bool cuda = false;
        var devices = new List<string>();
        if (torchOk)
        {
            if (options.Threads is int n) torch.set_num_threads(n);
            version = torch.__version__;
            threads = torch.get_num_threads();
            cuda = torch.cuda.is_available();
            if (cuda)
                for (int i = 0; i < torch.cuda.device_count(); i++) devices.Add($"cuda:{i} {torch.cuda.get_device_name(i)}");
            selfTest = EngineSelfTest();
        }
        else problems.Add(torchError!);
        if (MallocTuning.InEffect?.Error is string mallocError) problems.Add(mallocError);

        bool onnxOk = OnnxRuntimeLibrary.TryLoad(out _, out string? onnxPath, out string? onnxError);
        if (!onnxOk) problems.Add(onnxError!);

        return new LoraEnvironment
        {
            LoraPSVersion = typeof(EnvironmentWorkflow).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()
                ?.InformationalVersion.Split('+')[0] ?? "unknown",
            DotNetVersion = System.Environment.Version.ToString(),
            OperatingSystem = $"{RuntimeInformation.OSDescription} ({NativeLibraryLocator.RuntimeId})",
            ProcessorCount = System.Environment.ProcessorCount,
            LibTorchAvailable = torchOk,
            LibTorchVersion = version,
            LibTorchShimPath = LibTorchLoader.ShimPath,
            TorchThreads = threads,
            MallocSetting = MallocTuning.InEffect?.ToString(),
            CudaAvailable = cuda,
            CudaDevices = devices,
            EngineSelfTest = selfTest,
            OnnxRuntimeAvailable = onnxOk,
            OnnxRuntimeVersion = onnxOk ? OnnxRuntimeLibrary.Version() : null,
            OnnxRuntimePath = onnxPath,
            Problems = problems,
        };
    }

    /// <summary>[[1,2],[3,4]] @ [[5,6],[7,8]] + 1 through libtorch, checked against the known answer.</summary>
    private static string EngineSelfTest()
    {
        using var a = torch.tensor(new float[] { 1, 2, 3, 4 }, 2, 2);
        using var b = torch.tensor(new float[] { 5, 6, 7, 8 }, 2, 2);
        using var one = torch.tensor(new float[] { 1 }, 1);
        using var product = a.matmul(b);
        using var sum = product + one;
        float[] r = sum.data<float>();
        bool right = r.SequenceEqual(new float[] { 20, 23, 44, 51 });
        string values = string.Join(", ", r.Select(v => v.ToString(CultureInfo.InvariantCulture)));
        return $"[[1,2],[3,4]] @ [[5,6],[7,8]] + 1 = [{values}] ({(right ? "correct" : "WRONG")})";
    }
}
