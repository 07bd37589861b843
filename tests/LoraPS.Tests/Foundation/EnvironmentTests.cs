using System.Diagnostics;
using LoraPS.Torch;
using LoraPS.Torch.Interop;
using LoraPS.Tests.Support;
using LoraPS.Workflows.Environment;

namespace LoraPS.Tests.Foundation;

public sealed class EnvironmentTests
{
    [Fact]
    public void The_shim_loads_and_reports_libtorch()
    {
        Assert.True(LibTorchLoader.TryLoad(out string? error), error);
        Assert.Matches(@"^\d+\.\d+", torch.__version__);
        Assert.True(torch.get_num_threads() >= 1);
    }

    [Fact]
    public void The_environment_report_runs_a_real_computation_through_libtorch()
    {
        var env = EnvironmentWorkflow.Run(new EnvironmentOptions());
        Assert.True(env.LibTorchAvailable, string.Join("; ", env.Problems));
        Assert.Equal(torch.__version__, env.LibTorchVersion);
        Assert.Contains("[20, 23, 44, 51] (correct)", env.EngineSelfTest);
        Assert.Equal(env.CudaAvailable, env.CudaDevices.Count > 0);
        Assert.Equal(env.OnnxRuntimeAvailable, env.OnnxRuntimeVersion != null);
        if (!env.OnnxRuntimeAvailable) Assert.Contains(env.Problems, p => p.Contains("LORAPS_ONNXRUNTIME"));
    }

    [Fact]
    public void Threads_option_sets_libtorch_threads()
    {
        int before = torch.get_num_threads();
        try
        {
            var env = EnvironmentWorkflow.Run(new EnvironmentOptions { Threads = 1 });
            Assert.Equal(1, env.TorchThreads);
        }
        finally { torch.set_num_threads(before); }
    }

    [Fact]
    public void Libtorch_errors_become_managed_exceptions_with_libtorch_message()
    {
        using var a = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        using var b = torch.tensor(new float[] { 1, 2, 3, 4 }, 2, 2);
        var e = Assert.Throws<TorchException>(() => a.matmul(b));
        Assert.Contains("shapes cannot be multiplied", e.Message);
        Assert.Throws<ArgumentException>(() => torch.tensor(new float[] { 1, 2, 3 }, 2, 2));
    }

    [Fact]
    public void Locator_tries_the_module_runtimes_folder_first()
    {
        var candidates = NativeLibraryLocator.Candidates("loraps_torch", typeof(torch).Assembly, null);
        string expected = Path.Combine("runtimes", NativeLibraryLocator.RuntimeId, "native", NativeLibraryLocator.PlatformFileName("loraps_torch"));
        Assert.EndsWith(expected, candidates[0]);
    }

    [Fact]
    public void Missing_onnxruntime_folder_in_the_environment_variable_is_not_a_crash()
    {
        // A bogus LORAPS_ONNXRUNTIME must only add candidates that do not exist, never throw.
        var candidates = NativeLibraryLocator.Candidates("onnxruntime", typeof(torch).Assembly, "LORAPS_TEST_UNSET_VARIABLE");
        Assert.Equal(2, candidates.Count);
    }

    [Fact]
    public void The_loraps_command_prints_the_environment_report()
    {
        string cli = RepoPaths.CliDll;
        var psi = new ProcessStartInfo("dotnet", new[] { cli, "env" })
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(psi)!;
        string output = process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("libtorch", output);
        Assert.Contains(torch.__version__, output);
        Assert.Contains("(correct)", output);
    }
}
