using System.CommandLine;
using LoraPS.Workflows.Environment;

namespace LoraPS.Cli.Commands;

/// <summary>`loraps env`: the same report as Get-LoraEnvironment.</summary>
internal static class EnvCommand
{
    public static Command Create()
    {
        var threads = new Option<int?>("--threads") { Description = "Set libtorch's thread count before reporting." };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var command = new Command("env", "Report libtorch, CUDA devices, ONNX Runtime and threads as LoraPS finds them.")
        {
            threads, json,
        };
        command.SetAction(parse =>
        {
            try
            {
                var env = EnvironmentWorkflow.Run(new EnvironmentOptions { Threads = parse.GetValue(threads) });
                if (parse.GetValue(json)) CliOutput.WriteJson(env);
                else
                    CliOutput.WriteList(new (string, object?)[]
                    {
                        ("LoraPS", env.LoraPSVersion),
                        (".NET", env.DotNetVersion),
                        ("OS", env.OperatingSystem),
                        ("Processors", env.ProcessorCount),
                        ("libtorch", env.LibTorchAvailable ? env.LibTorchVersion : "not found"),
                        ("libtorch shim", env.LibTorchShimPath),
                        ("Torch threads", env.TorchThreads),
                        ("Allocator (LORAPS_MALLOC)", env.MallocSetting),
                        ("CUDA", env.CudaAvailable ? "available" : "not available"),
                        ("CUDA devices", env.CudaDevices),
                        ("Engine self-test", env.EngineSelfTest),
                        ("ONNX Runtime", env.OnnxRuntimeAvailable ? env.OnnxRuntimeVersion : "not found"),
                        ("ONNX Runtime path", env.OnnxRuntimePath),
                    });
                foreach (string problem in env.Problems) Console.Error.WriteLine($"warning: {problem}");
                return env.LibTorchAvailable ? 0 : 1;
            }
            catch (Exception e)
            {
                return CliOutput.Fail(e);
            }
        });
        return command;
    }
}
