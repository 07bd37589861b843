namespace LoraPS.Build;

/// <summary>
/// Finds the libtorch to compile the shim against, in this order: LORAPS_LIBTORCH (an unzipped
/// libtorch or any folder with share/cmake/Torch), a Python torch install
/// (torch.utils.cmake_prefix_path), then Debian's libtorch-dev (installed when nothing else is found).
/// </summary>
internal static class LibTorchLocator
{
    public const string EnvironmentVariable = "LORAPS_LIBTORCH";
    private const string DebianCMakeDir = "/usr/lib/x86_64-linux-gnu/cmake/Torch";

    /// <summary>A CMAKE_PREFIX_PATH value for find_package(Torch), and where it came from.</summary>
    public static (string? PrefixPath, string Source) Find(bool installIfMissing)
    {
        string? env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env))
        {
            if (!HasTorchConfig(env))
                throw new BuildException($"{EnvironmentVariable}={env} has no share/cmake/Torch/TorchConfig.cmake; point it at an unzipped libtorch folder");
            return (env, $"{EnvironmentVariable} ({env})");
        }

        foreach (string python in new[] { "python3", "python" })
        {
            string? prefix = Shell.Capture(python, "-c", "import torch.utils; print(torch.utils.cmake_prefix_path)");
            if (!string.IsNullOrEmpty(prefix) && Directory.Exists(prefix)) return (prefix, $"Python torch ({prefix})");
        }

        // Debian's libtorch links the generic libblas.so.3, which is the slow reference BLAS unless an
        // optimised one is installed to take its place (measured: SD text encoder 139 s → see docs/benchmarks.md).
        if (installIfMissing)
            SystemPackages.Ensure("the engine is built on libtorch, with OpenBLAS behind its matrix maths", "libtorch-dev", "libopenblas0-pthread");
        if (File.Exists(Path.Combine(DebianCMakeDir, "TorchConfig.cmake")))
            return (null, "Debian libtorch-dev (system)");

        throw new BuildException(
            "libtorch was not found. Install it with `apt-get install libtorch-dev` (Debian/Ubuntu), `pip install torch`, " +
            $"or unzip libtorch from pytorch.org and set {EnvironmentVariable} to its folder.");
    }

    private static bool HasTorchConfig(string root) =>
        File.Exists(Path.Combine(root, "share", "cmake", "Torch", "TorchConfig.cmake")) ||
        File.Exists(Path.Combine(root, "Torch", "TorchConfig.cmake")) ||
        File.Exists(Path.Combine(root, "TorchConfig.cmake"));
}
