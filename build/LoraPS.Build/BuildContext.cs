using System.Runtime.InteropServices;

namespace LoraPS.Build;

/// <summary>Paths and settings every build step shares.</summary>
internal sealed class BuildContext
{
    public string Root { get; }
    public string Configuration { get; } = "Release";
    public string Rid { get; }
    public bool IsCi { get; } = Environment.GetEnvironmentVariable("CI") is { Length: > 0 } ci && ci != "false";

    public BuildContext(string root)
    {
        Root = root;
        string os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        string arch = RuntimeInformation.OSArchitecture switch
        {
            Architecture.Arm64 => "arm64",
            Architecture.X86 => "x86",
            _ => "x64",
        };
        Rid = $"{os}-{arch}";
    }

    public string Solution => Path.Combine(Root, "LoraPS.sln");
    public string Artifacts => Path.Combine(Root, "artifacts");

    /// <summary>Native libraries laid out as runtimes/&lt;rid&gt;/native/, copied into every output by LoraPS.Torch.csproj.</summary>
    public string NativeOut => Path.Combine(Artifacts, "native", "runtimes", Rid, "native");

    public string Downloads => Path.Combine(Artifacts, "downloads");
    public string ModuleOut => Path.Combine(Root, "out", "LoraPS");
    public string CliOut => Path.Combine(Root, "out", "cli");

    public string ProjectBin(string project, string framework) =>
        Path.Combine(Root, "src", project, "bin", Configuration, framework);

    public string Cli => Path.Combine(ProjectBin("LoraPS.Cli", "net8.0"), "loraps.dll");

    public static string LibraryFileName(string baseName) =>
        OperatingSystem.IsWindows() ? baseName + ".dll" : OperatingSystem.IsMacOS() ? $"lib{baseName}.dylib" : $"lib{baseName}.so";
}
