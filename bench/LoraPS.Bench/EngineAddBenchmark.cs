using System.Diagnostics;
using System.Runtime.InteropServices;
using LoraPS.Torch.Interop;
using LoraPS.Torch;

namespace LoraPS.Bench;

/// <summary>Per-call overhead of a small op through the C# API against the same op from C++ (target ≤ 1.3×).</summary>
public sealed unsafe class EngineAddBenchmark : IBenchmark
{
    public string Name => "engine-add";
    public string Description => "Per-call cost of a 64×64 float32 add through the C# API vs C++ at::add on the same libtorch (target ≤ 1.3×).";

    private const int Iterations = 100_000;
    private const int Repeats = 5;

    public void Run(TextWriter report)
    {
        torch.set_num_threads(1);
        using var a = torch.rand(64, 64);
        using var b = torch.rand(64, 64);

        double Explicit()
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < Iterations; i++)
            {
                using var c = a + b;
            }
            return clock.Elapsed.TotalNanoseconds / Iterations;
        }

        double Scoped()
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < Iterations; i += 100)
            {
                using var scope = torch.NewDisposeScope();
                for (int j = 0; j < 100; j++) _ = a + b;
            }
            return clock.Elapsed.TotalNanoseconds / Iterations;
        }

        double Numel()
        {
            var clock = Stopwatch.StartNew();
            long sum = 0;
            for (int i = 0; i < Iterations; i++) sum += a.numel();
            return clock.Elapsed.TotalNanoseconds / Iterations + (sum == 0 ? 1 : 0);
        }

        double AliasFree()
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < Iterations; i++)
            {
                using var c = a.alias();
            }
            return clock.Elapsed.TotalNanoseconds / Iterations;
        }

        // the shim's C calls straight from C# (no Tensor objects): splits the managed wrapper's cost off
        IntPtr shim = NativeLibrary.Load(LibTorchLoader.ShimPath!);
        var full = (delegate* unmanaged<long*, int, double, int, int, int, IntPtr>)NativeLibrary.GetExport(shim, "lt_full");
        var add = (delegate* unmanaged<IntPtr, IntPtr, double, IntPtr>)NativeLibrary.GetExport(shim, "lt_add");
        var release = (delegate* unmanaged<IntPtr, void>)NativeLibrary.GetExport(shim, "lt_tensor_free");
        long* shape = stackalloc long[] { 64, 64 };
        IntPtr ra = full(shape, 2, 0.5, 6, 0, -1), rb = full(shape, 2, 0.25, 6, 0, -1);
        double Raw()
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < Iterations; i++) release(add(ra, rb, 1.0));
            return clock.Elapsed.TotalNanoseconds / Iterations;
        }

        Explicit();
        Scoped();
        Raw();
        // the machine is shared: alternate C# and C++ rounds so both see the same load, take medians
        var csharpRounds = new List<double>();
        var nativeRounds = new List<double>();
        var rawRounds = new List<double>();
        for (int round = 0; round < 7; round++)
        {
            csharpRounds.Add(Median(Enumerable.Range(0, Repeats).Select(_ => Explicit())));
            rawRounds.Add(Median(Enumerable.Range(0, Repeats).Select(_ => Raw())));
            if (EngineNativeTwin.Run("add", Iterations, Repeats, "add_ns") is double n) nativeRounds.Add(n);
        }
        double csharp = Median(csharpRounds);
        double? native = nativeRounds.Count > 0 ? Median(nativeRounds) : null;
        string paired = nativeRounds.Count == csharpRounds.Count ? Median(csharpRounds.Zip(nativeRounds, (c, n) => c / n)).ToString("F2") + "×" : "n/a";
        double scoped = Median(Enumerable.Range(0, Repeats).Select(_ => Scoped()));
        double numel = Median(Enumerable.Range(0, Repeats).Select(_ => Numel()));
        double alias = Median(Enumerable.Range(0, Repeats).Select(_ => AliasFree()));
        double raw = Median(rawRounds);
        release(ra);
        release(rb);

        report.WriteLine("| measure | ns per call | ratio to C++ |");
        report.WriteLine("| --- | --- | --- |");
        report.WriteLine($"| C++ at::add (same libtorch {torch.__version__}) | {Fmt(native)} | 1.00 |");
        report.WriteLine($"| C# `using var c = a + b` | {csharp:F0} | {Ratio(csharp, native)} (median of per-round ratios {paired}) |");
        report.WriteLine($"| C# `a + b` freed by a DisposeScope every 100 ops | {scoped:F0} | {Ratio(scoped, native)} |");
        report.WriteLine($"| (diagnostic) C# calling the shim's lt_add + lt_tensor_free directly (no Tensor objects) | {raw:F0} | {Ratio(raw, native)} |");
        report.WriteLine($"| (diagnostic) C# `a.numel()`: one shim call, no tensor made | {numel:F0} | |");
        report.WriteLine($"| (diagnostic) C# `a.alias()` + Dispose: handle and Tensor object made and freed, no kernel | {alias:F0} | |");
    }

    internal static double Median(IEnumerable<double> values)
    {
        var v = values.OrderBy(x => x).ToArray();
        return v[v.Length / 2];
    }

    internal static string Fmt(double? v) => v is double d ? d.ToString("F0") : "twin not built";
    internal static string Ratio(double v, double? native) => native is double n ? (v / n).ToString("F2") + "×" : "n/a";
}

/// <summary>Runs bench/native's C++ twin (built with CMake against the same libtorch) and reads its figure.</summary>
internal static class EngineNativeTwin
{
    public const string EnvironmentVariable = "LORAPS_ENGINE_BENCH_NATIVE";

    public static string? Locate()
    {
        string? env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(env) && File.Exists(env)) return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "artifacts", "native", "bench", "engine_bench_native");
            if (File.Exists(candidate)) return candidate;
            if (File.Exists(Path.Combine(dir.FullName, "LoraPS.sln"))) break;
        }
        return null;
    }

    public static double? Run(string what, int a, int b, string key)
    {
        string? exe = Locate();
        if (exe is null)
        {
            Console.Error.WriteLine($"C++ twin not found: build bench/native with CMake and copy engine_bench_native to artifacts/native/bench/ (or set {EnvironmentVariable}).");
            return null;
        }
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(what);
        psi.ArgumentList.Add(a.ToString(System.Globalization.CultureInfo.InvariantCulture));
        psi.ArgumentList.Add(b.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        foreach (var line in output.Split('\n'))
        {
            var parts = line.Trim().Split(' ');
            if (parts.Length == 2 && parts[0] == key && double.TryParse(parts[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double v))
                return v;
        }
        Console.Error.WriteLine($"C++ twin printed no '{key}': {output}");
        return null;
    }
}
