using System.Diagnostics;
using System.Runtime.InteropServices;
using LoraPS.Torch;
using LoraPS.Torch.Modules;
using F = LoraPS.Torch.torch.nn.functional;

namespace LoraPS.Bench;

/// <summary>
/// Forward+backward of an SD-like block (GroupNorm, conv 3×3, SiLU, self-attention, GEGLU feed-forward;
/// 320 channels, 32×32 tokens) through the C# API against the same block in C++ (target ≤ 1.05×).
/// </summary>
public sealed class EngineBlockBenchmark : IBenchmark
{
    public string Name => "engine-block";
    public string Description => "Forward+backward of a GroupNorm/conv3×3/SiLU/attention/GEGLU block at 320 ch, 32×32, C# API vs the same block in C++ (target ≤ 1.05×).";

    private const int Iterations = 3;
    private const int Rounds = 7;

    internal sealed class SdBlock : Module<Tensor, Tensor>
    {
        private const long C = 320, Heads = 8, FF = 1280;
        private readonly GroupNorm norm = new(32, C, eps: 1e-6);
        private readonly Conv2d conv = new(C, C, 3, padding: 1);
        private readonly LayerNorm norm1 = new(C);
        private readonly Linear to_q = new(C, C, hasBias: false), to_k = new(C, C, hasBias: false), to_v = new(C, C, hasBias: false);
        private readonly Linear to_out = new(C, C);
        private readonly LayerNorm norm2 = new(C);
        private readonly Linear ff_proj = new(C, 2 * FF), ff_out = new(FF, C);

        public SdBlock() : base(nameof(SdBlock)) => RegisterComponents();

        public override Tensor forward(Tensor x)
        {
            using var scope = torch.NewDisposeScope();
            long b = x.size(0), h = x.size(2), w = x.size(3);
            var hidden = conv.call(norm.call(x).silu()) + x;
            var t = hidden.flatten(2).transpose(1, 2); // (B, HW, C)
            var n = norm1.call(t);
            Tensor Split(Tensor y) => y.view(b, -1, Heads, C / Heads).transpose(1, 2);
            var a = F.scaled_dot_product_attention(Split(to_q.call(n)), Split(to_k.call(n)), Split(to_v.call(n)));
            t = t + to_out.call(a.transpose(1, 2).reshape(b, -1, C));
            var parts = ff_proj.call(norm2.call(t)).chunk(2, -1);
            t = t + ff_out.call(parts[0] * F.gelu(parts[1]));
            return t.transpose(1, 2).reshape(b, C, h, w).MoveToOuterDisposeScope();
        }
    }

    public void Run(TextWriter report)
    {
        int threads = 1;
        torch.set_num_threads(threads);
        torch.manual_seed(0);
        using var block = new SdBlock();
        using var x = torch.randn(1, 320, 32, 32);

        void Step()
        {
            using var scope = torch.NewDisposeScope();
            var loss = block.call(x).square().mean();
            loss.backward();
            block.zero_grad();
        }

        Step();
        // alternate C# and C++ rounds on the shared machine, take medians
        var csharpRounds = new List<double>();
        var nativeRounds = new List<double>();
        for (int round = 0; round < Rounds; round++)
        {
            var times = new List<double>();
            for (int i = 0; i < Iterations; i++)
            {
                var clock = Stopwatch.StartNew();
                Step();
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
            csharpRounds.Add(EngineAddBenchmark.Median(times));
            if (EngineNativeTwin.Run("block", Iterations, threads, "block_ms") is double nativeMs) nativeRounds.Add(nativeMs);
        }
        double csharp = EngineAddBenchmark.Median(csharpRounds);
        double? native = nativeRounds.Count > 0 ? EngineAddBenchmark.Median(nativeRounds) : null;
        string paired = nativeRounds.Count == csharpRounds.Count
            ? EngineAddBenchmark.Median(csharpRounds.Zip(nativeRounds, (c, n) => c / n)).ToString("F2") + "×" : "n/a";

        report.WriteLine($"allocator: {LoraPS.Torch.Interop.MallocTuning.InEffect}");
        report.WriteLine();
        report.WriteLine($"| measure ({threads} libtorch thread, batch 1, float32, CPU) | median ms per forward+backward | ratio to C++ |");
        report.WriteLine("| --- | --- | --- |");
        if (InProcessTwin.TryLoad() is InProcessTwin twin)
        {
            // C++ and C# steps alternate one by one in this process: the fair comparison, see docs/benchmarks.md
            var (cs, cpp, ratio) = twin.Alternate(Step, InProcessSteps);
            report.WriteLine($"| C++ block, in this process ({InProcessSteps} steps alternating with C#) | {cpp:F1} | 1.00 |");
            report.WriteLine($"| C# block, same process, alternating | {cs:F1} | {cs / cpp:F2}× (median of per-step ratios {ratio:F2}×) |");
        }
        report.WriteLine($"| C++ twin process ({Rounds} rounds of {Iterations}, a fresh process each) on libtorch {torch.__version__} | {(native is double n ? n.ToString("F1") : "twin not built")} | 1.00 |");
        report.WriteLine($"| C# block, this process ({Rounds} rounds of {Iterations} between the twin's) | {csharp:F1} | {EngineAddBenchmark.Ratio(csharp, native)} (median of per-round ratios {paired}) |");
    }

    private const int InProcessSteps = 15;

    /// <summary>bench/native's block compiled as libengine_bench_twin.so, called in this process.</summary>
    private sealed unsafe class InProcessTwin
    {
        private readonly delegate* unmanaged<IntPtr> _create;
        private readonly delegate* unmanaged<IntPtr, int> _step;
        private readonly delegate* unmanaged<IntPtr, void> _free;

        private InProcessTwin(IntPtr lib)
        {
            _create = (delegate* unmanaged<IntPtr>)NativeLibrary.GetExport(lib, "engine_twin_create");
            _step = (delegate* unmanaged<IntPtr, int>)NativeLibrary.GetExport(lib, "engine_twin_step");
            _free = (delegate* unmanaged<IntPtr, void>)NativeLibrary.GetExport(lib, "engine_twin_free");
        }

        public static InProcessTwin? TryLoad()
        {
            string? exe = EngineNativeTwin.Locate();
            string? path = exe is null ? null : Path.Combine(Path.GetDirectoryName(exe)!,
                OperatingSystem.IsWindows() ? "engine_bench_twin.dll" : OperatingSystem.IsMacOS() ? "libengine_bench_twin.dylib" : "libengine_bench_twin.so");
            if (path is null || !File.Exists(path) || !NativeLibrary.TryLoad(path, out IntPtr lib))
            {
                Console.Error.WriteLine("in-process C++ twin not found: build bench/native and copy libengine_bench_twin.so next to engine_bench_native.");
                return null;
            }
            return new InProcessTwin(lib);
        }

        /// <summary>Runs C# and C++ steps alternately; medians of each and of the per-pair ratios.</summary>
        public (double csharp, double native, double pairedRatio) Alternate(Action csharpStep, int steps)
        {
            IntPtr bench = _create();
            try
            {
                if (_step(bench) != 0) throw new InvalidOperationException("the in-process C++ twin failed");
                var cs = new List<double>();
                var cpp = new List<double>();
                for (int i = 0; i < steps; i++)
                {
                    var clock = Stopwatch.StartNew();
                    csharpStep();
                    cs.Add(clock.Elapsed.TotalMilliseconds);
                    clock.Restart();
                    if (_step(bench) != 0) throw new InvalidOperationException("the in-process C++ twin failed");
                    cpp.Add(clock.Elapsed.TotalMilliseconds);
                }
                return (EngineAddBenchmark.Median(cs), EngineAddBenchmark.Median(cpp), EngineAddBenchmark.Median(cs.Zip(cpp, (c, n) => c / n)));
            }
            finally { _free(bench); }
        }
    }
}
