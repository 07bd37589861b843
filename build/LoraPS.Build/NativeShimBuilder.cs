namespace LoraPS.Build;

/// <summary>Configures and compiles src/LoraPS.Torch/native with CMake and places the shim in artifacts/native.</summary>
internal static class NativeShimBuilder
{
    public static void Build(BuildContext ctx)
    {
        if (OperatingSystem.IsLinux()) SystemPackages.Ensure("the shim is compiled with CMake and g++", "cmake", "g++", "make");
        if (!Shell.OnPath("cmake")) throw new BuildException("cmake is needed to compile the libtorch shim; install CMake 3.18 or later");

        var (prefix, source) = LibTorchLocator.Find(installIfMissing: true);
        Console.WriteLine($"libtorch: {source}");
        string source_dir = Path.Combine(ctx.Root, "src", "LoraPS.Torch", "native");
        string build_dir = Path.Combine(ctx.Artifacts, "native-build", ctx.Rid);
        var configure = new List<string> { "-S", source_dir, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release" };
        if (prefix != null) configure.Add($"-DCMAKE_PREFIX_PATH={prefix}");
        Shell.Run("cmake", configure);
        Shell.Run("cmake", new[] { "--build", build_dir, "--config", "Release", "--parallel", Environment.ProcessorCount.ToString() });

        string file = BuildContext.LibraryFileName("loraps_torch");
        string built = new[] { Path.Combine(build_dir, file), Path.Combine(build_dir, "Release", file) }.FirstOrDefault(File.Exists)
            ?? throw new BuildException($"CMake finished but {file} is not in {build_dir}");
        Directory.CreateDirectory(ctx.NativeOut);
        File.Copy(built, Path.Combine(ctx.NativeOut, file), overwrite: true);
        // On Windows libtorch's DLLs must sit beside the shim (CMake's post-build step put them beside the build output).
        if (OperatingSystem.IsWindows())
            foreach (string dll in Directory.GetFiles(Path.GetDirectoryName(built)!, "*.dll"))
                File.Copy(dll, Path.Combine(ctx.NativeOut, Path.GetFileName(dll)), overwrite: true);
    }
}
