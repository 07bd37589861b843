namespace LoraPS.Build;

/// <summary>Compiles LoraPS's C++ code against libtorch with CMake: the shim, and the benchmarks' C++ twins.</summary>
internal static class NativeShimBuilder
{
    public static void Build(BuildContext ctx)
    {
        string buildDir = Compile(ctx, Path.Combine(ctx.Root, "src", "LoraPS.Torch", "native"), Path.Combine(ctx.Artifacts, "native-build", ctx.Rid));
        string file = BuildContext.LibraryFileName("loraps_torch");
        string built = new[] { Path.Combine(buildDir, file), Path.Combine(buildDir, "Release", file) }.FirstOrDefault(File.Exists)
            ?? throw new BuildException($"CMake finished but {file} is not in {buildDir}");
        Directory.CreateDirectory(ctx.NativeOut);
        File.Copy(built, Path.Combine(ctx.NativeOut, file), overwrite: true);
        // On Windows libtorch's DLLs must sit beside the shim (CMake's post-build step put them beside the build output).
        if (OperatingSystem.IsWindows())
            foreach (string dll in Directory.GetFiles(Path.GetDirectoryName(built)!, "*.dll"))
                File.Copy(dll, Path.Combine(ctx.NativeOut, Path.GetFileName(dll)), overwrite: true);
    }

    /// <summary>
    /// The C++ twins of the engine benchmarks (bench/native), against the same libtorch, placed where
    /// the C# benchmarks look: artifacts/native/bench/.
    /// </summary>
    public static void BuildBenchmarkTwins(BuildContext ctx)
    {
        string buildDir = Compile(ctx, Path.Combine(ctx.Root, "bench", "native"), Path.Combine(ctx.Artifacts, "native-build", "bench"));
        string exe = OperatingSystem.IsWindows() ? "engine_bench_native.exe" : "engine_bench_native";
        string built = new[] { Path.Combine(buildDir, exe), Path.Combine(buildDir, "Release", exe) }.FirstOrDefault(File.Exists)
            ?? throw new BuildException($"CMake finished but {exe} is not in {buildDir}");
        string dest = Path.Combine(ctx.Artifacts, "native", "bench");
        Directory.CreateDirectory(dest);
        File.Copy(built, Path.Combine(dest, exe), overwrite: true);
        // the same block as a library, which engine-block runs in its own process alternating with C#
        string lib = BuildContext.LibraryFileName("engine_bench_twin");
        string? builtLib = new[] { Path.Combine(buildDir, lib), Path.Combine(buildDir, "Release", lib) }.FirstOrDefault(File.Exists);
        if (builtLib != null) File.Copy(builtLib, Path.Combine(dest, lib), overwrite: true);
    }

    /// <summary>Configures and builds one CMake project against the libtorch LibTorchLocator finds; returns the build folder.</summary>
    private static string Compile(BuildContext ctx, string sourceDir, string buildDir)
    {
        if (OperatingSystem.IsLinux()) SystemPackages.Ensure("native code is compiled with CMake and g++", "cmake", "g++", "make");
        if (!Shell.OnPath("cmake")) throw new BuildException("cmake is needed to compile against libtorch; install CMake 3.18 or later");
        var (prefix, source) = LibTorchLocator.Find(installIfMissing: true);
        Console.WriteLine($"libtorch: {source}");
        var configure = new List<string> { "-S", sourceDir, "-B", buildDir, "-DCMAKE_BUILD_TYPE=Release" };
        if (prefix != null) configure.Add($"-DCMAKE_PREFIX_PATH={prefix}");
        Shell.Run("cmake", configure);
        Shell.Run("cmake", new[] { "--build", buildDir, "--config", "Release", "--parallel", Environment.ProcessorCount.ToString() });
        return buildDir;
    }
}
