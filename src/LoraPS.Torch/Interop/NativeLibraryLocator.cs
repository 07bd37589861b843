using System.Reflection;
using System.Runtime.InteropServices;

namespace LoraPS.Torch.Interop;

/// <summary>
/// Finds LoraPS's native libraries. PowerShell does not probe NuGet's runtimes/&lt;rid&gt;/native
/// layout for a module, so every assembly that P/Invokes registers this resolver, which looks in
/// the assembly's own runtimes/&lt;rid&gt;/native folder first, then in the folder an environment
/// variable names, then wherever the operating system's loader looks.
/// </summary>
public static class NativeLibraryLocator
{
    /// <summary>The runtime identifier of this process, as used for the runtimes/ folders.</summary>
    public static string RuntimeId
    {
        get
        {
            string os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
            string arch = RuntimeInformation.ProcessArchitecture switch
            {
                Architecture.X64 => "x64",
                Architecture.Arm64 => "arm64",
                Architecture.X86 => "x86",
                var other => other.ToString().ToLowerInvariant(),
            };
            return $"{os}-{arch}";
        }
    }

    /// <summary>The platform's file name for a library base name: "onnxruntime" → "libonnxruntime.so".</summary>
    public static string PlatformFileName(string baseName) =>
        OperatingSystem.IsWindows() ? baseName + ".dll"
        : OperatingSystem.IsMacOS() ? "lib" + baseName + ".dylib"
        : "lib" + baseName + ".so";

    /// <summary>
    /// The places tried for <paramref name="baseName"/>, in order. <paramref name="environmentVariable"/>
    /// may name a file or a folder (its lib/ subfolder is tried too).
    /// </summary>
    public static IReadOnlyList<string> Candidates(string baseName, Assembly owner, string? environmentVariable)
    {
        string file = PlatformFileName(baseName);
        var list = new List<string>();
        string? dir = Path.GetDirectoryName(owner.Location);
        if (!string.IsNullOrEmpty(dir))
        {
            list.Add(Path.Combine(dir, "runtimes", RuntimeId, "native", file));
            list.Add(Path.Combine(dir, file));
        }
        string? env = environmentVariable is null ? null : Environment.GetEnvironmentVariable(environmentVariable);
        if (!string.IsNullOrWhiteSpace(env))
        {
            if (File.Exists(env)) list.Add(env);
            list.Add(Path.Combine(env, file));
            list.Add(Path.Combine(env, "lib", file));
        }
        return list;
    }

    /// <summary>
    /// Loads the first candidate that exists, else asks the system loader by name. Returns false with
    /// the loader's messages when nothing loads.
    /// </summary>
    public static bool TryLoad(string baseName, Assembly owner, string? environmentVariable,
        out IntPtr handle, out string? loadedFrom, out string error)
    {
        var messages = new List<string>();
        foreach (string candidate in Candidates(baseName, owner, environmentVariable))
        {
            if (!File.Exists(candidate)) continue;
            try
            {
                handle = NativeLibrary.Load(candidate);
                loadedFrom = candidate;
                error = "";
                return true;
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                messages.Add($"{candidate}: {e.Message}");
            }
        }
        if (NativeLibrary.TryLoad(PlatformFileName(baseName), out handle) || NativeLibrary.TryLoad(baseName, out handle))
        {
            loadedFrom = "(system library path)";
            error = "";
            return true;
        }
        messages.Add($"{PlatformFileName(baseName)} is not on the system library path");
        loadedFrom = null;
        error = string.Join("; ", messages);
        return false;
    }
}
