namespace LoraPS.Tests.Support;

/// <summary>Where the repository and the shared reference data are, seen from the test binaries.</summary>
public static class RepoPaths
{
    /// <summary>The repository root: the first parent folder holding LoraPS.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>../shared/reference-data beside the repository, or null where it is absent (parity tests then skip).</summary>
    public static string? ReferenceData =>
        Directory.Exists(Path.Combine(Root, "..", "shared", "reference-data"))
            ? Path.GetFullPath(Path.Combine(Root, "..", "shared", "reference-data"))
            : null;

    /// <summary>../shared/data beside the repository (the CLIP vocabulary), or null.</summary>
    public static string? SharedData =>
        Directory.Exists(Path.Combine(Root, "..", "shared", "data"))
            ? Path.GetFullPath(Path.Combine(Root, "..", "shared", "data"))
            : null;

    /// <summary>The built `loraps` command (loraps.dll) of the same configuration as the tests.</summary>
    public static string CliDll
    {
        get
        {
            string configuration = typeof(RepoPaths).Assembly
                .GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
                .OfType<System.Reflection.AssemblyConfigurationAttribute>().FirstOrDefault()?.Configuration ?? "Release";
            return Path.Combine(Root, "src", "LoraPS.Cli", "bin", configuration, "net8.0", "loraps.dll");
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LoraPS.sln"))) return dir.FullName;
        throw new InvalidOperationException("LoraPS.sln not found above " + AppContext.BaseDirectory);
    }
}
