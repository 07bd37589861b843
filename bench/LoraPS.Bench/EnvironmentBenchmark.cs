using System.Diagnostics;
using LoraPS.Workflows.Environment;

namespace LoraPS.Bench;

/// <summary>How long it takes to load libtorch and ONNX Runtime and report them (module import cost).</summary>
public sealed class EnvironmentBenchmark : IBenchmark
{
    public string Name => "env";
    public string Description => "Cold start: loading the libtorch shim and ONNX Runtime and building the environment report.";

    public void Run(TextWriter report)
    {
        var clock = Stopwatch.StartNew();
        var env = EnvironmentWorkflow.Run(new EnvironmentOptions());
        double first = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        EnvironmentWorkflow.Run(new EnvironmentOptions());
        double second = clock.Elapsed.TotalMilliseconds;
        report.WriteLine("| measure | value |");
        report.WriteLine("| --- | --- |");
        report.WriteLine($"| libtorch | {env.LibTorchVersion ?? "missing"} |");
        report.WriteLine($"| ONNX Runtime | {env.OnnxRuntimeVersion ?? "missing"} |");
        report.WriteLine($"| first report (loads native libraries) | {first:F1} ms |");
        report.WriteLine($"| second report | {second:F1} ms |");
    }
}
