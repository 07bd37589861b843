using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LoraPS.Torch.Interop;

/// <summary>
/// Loads the shim (and, when LORAPS_LIBTORCH names a libtorch, that libtorch first) and turns every
/// failure into a <see cref="NativeLibraryMissingException"/> that says how to get libtorch, instead
/// of a bare DllNotFoundException at the first tensor.
/// </summary>
public static unsafe class LibTorchLoader
{
    /// <summary>Environment variable naming a libtorch folder (its lib/ is searched) to use instead of the system's.</summary>
    public const string EnvironmentVariable = "LORAPS_LIBTORCH";

    /// <summary>The shim's interface version this assembly was written for.</summary>
    internal const int ExpectedAbi = 2;

    private static readonly object Gate = new();
    private static IntPtr _handle;
    private static string? _error;

    /// <summary>Where the shim was loaded from, once loaded.</summary>
    public static string? ShimPath { get; private set; }

    // A library module initializer is exactly what is needed: the resolver must be in place before
    // any P/Invoke of this assembly, whichever host (PowerShell, loraps, tests) loads it.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void RegisterResolver() =>
        NativeLibrary.SetDllImportResolver(typeof(LibTorchLoader).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path) =>
        name == LibTorchNative.Library && TryLoad(out _) ? _handle : IntPtr.Zero;

    /// <summary>True when the shim and libtorch load; otherwise false with a message that says how to fix it.</summary>
    public static bool TryLoad(out string? error)
    {
        lock (Gate)
        {
            if (_handle == IntPtr.Zero && _error is null) _error = LoadCore();
            error = _error;
            return _handle != IntPtr.Zero;
        }
    }

    /// <summary>Loads the shim or throws <see cref="NativeLibraryMissingException"/>.</summary>
    public static void EnsureLoaded()
    {
        if (_handle != IntPtr.Zero) return;
        if (!TryLoad(out string? error)) throw new NativeLibraryMissingException(error!);
    }

    private static string? LoadCore()
    {
        MallocTuning.ApplyAtLoad(); // before libtorch allocates anything
        PreloadLibTorchFromEnvironment();
        var owner = typeof(LibTorchLoader).Assembly;
        if (!NativeLibraryLocator.TryLoad(LibTorchNative.Library, owner, null, out _handle, out string? from, out string error))
        {
            return "LoraPS could not load its libtorch shim (" + NativeLibraryLocator.PlatformFileName(LibTorchNative.Library) +
                   "): " + error + ". " + HowToGetLibTorch;
        }
        ShimPath = from;
        int abi = NativeLibrary.TryGetExport(_handle, "lt_shim_abi", out IntPtr abiExport)
            ? ((delegate* unmanaged<int>)abiExport)()
            : 0;
        if (abi != ExpectedAbi)
        {
            _handle = IntPtr.Zero;
            return $"The libtorch shim at {from} has interface version {abi}, but this LoraPS expects {ExpectedAbi}. Rebuild it with `./build.sh native`.";
        }
        UseAllCoresUnlessTold();
        return null;
    }

    /// <summary>Environment variable that sets libtorch's intra-op thread count at load.</summary>
    public const string ThreadsVariable = "LORAPS_THREADS";

    /// <summary>
    /// Debian's libtorch starts with one intra-op thread on small machines, leaving cores idle. Unless
    /// the user chose (LORAPS_THREADS, or OpenMP's/MKL's own variables), use every core.
    /// </summary>
    private static void UseAllCoresUnlessTold()
    {
        string? chosen = Environment.GetEnvironmentVariable(ThreadsVariable);
        int threads;
        if (int.TryParse(chosen, out int n) && n > 0) threads = n;
        else if (Environment.GetEnvironmentVariable("OMP_NUM_THREADS") is { Length: > 0 } ||
                 Environment.GetEnvironmentVariable("MKL_NUM_THREADS") is { Length: > 0 }) return;
        else threads = Environment.ProcessorCount;
        if (NativeLibrary.TryGetExport(_handle, "lt_set_num_threads", out IntPtr setThreads))
            ((delegate* unmanaged<int, void>)setThreads)(threads);
    }

    /// <summary>
    /// The shim finds libtorch by its recorded path or the system's; a libtorch named by
    /// LORAPS_LIBTORCH is loaded first so the shim binds to that one (the loader reuses an
    /// already-loaded library of the same name).
    /// </summary>
    private static void PreloadLibTorchFromEnvironment()
    {
        string? root = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(root)) return;
        string lib = Directory.Exists(Path.Combine(root, "lib")) ? Path.Combine(root, "lib") : root;
        foreach (string name in new[] { "c10", "torch_cpu", "c10_cuda", "torch_cuda", "torch" })
        {
            string file = Path.Combine(lib, NativeLibraryLocator.PlatformFileName(name));
            if (File.Exists(file)) NativeLibrary.TryLoad(file, out _);
        }
    }

    /// <summary>Instructions shown whenever libtorch is missing.</summary>
    public const string HowToGetLibTorch =
        "LoraPS needs libtorch. On Debian/Ubuntu run `./build.sh build` (it installs libtorch-dev and compiles the shim). " +
        "Elsewhere download libtorch from pytorch.org (CUDA build for NVIDIA GPUs), unzip it, set LORAPS_LIBTORCH to its folder " +
        "and run `./build.ps1 module` (or `./build.sh module`).";
}
