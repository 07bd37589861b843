using System.Formats.Tar;
using System.IO.Compression;

namespace LoraPS.Build;

/// <summary>
/// Places ONNX Runtime's native library in artifacts/native. It comes from the onnxruntime-node npm
/// package at a pinned version (the one registry package that carries the official CPU build for
/// every desktop platform). Users may instead point LORAPS_ONNXRUNTIME at any official build.
/// </summary>
internal static class OnnxRuntimeFetcher
{
    public const string Version = "1.20.1";

    public static void Ensure(BuildContext ctx)
    {
        string target = Path.Combine(ctx.NativeOut, BuildContext.LibraryFileName("onnxruntime"));
        if (File.Exists(target)) return;

        string tarball = Path.Combine(ctx.Downloads, $"onnxruntime-node-{Version}.tgz");
        if (!File.Exists(tarball))
        {
            if (!Shell.OnPath("npm") && OperatingSystem.IsLinux()) SystemPackages.Ensure("ONNX Runtime's library is fetched with npm", "npm");
            if (!Shell.OnPath("npm"))
                throw new BuildException("npm is needed to fetch ONNX Runtime (or set LORAPS_ONNXRUNTIME to an ONNX Runtime library and skip this step)");
            Directory.CreateDirectory(ctx.Downloads);
            Shell.Run("npm", new[] { "pack", $"onnxruntime-node@{Version}", "--pack-destination", ctx.Downloads, "--silent" }, ctx.Downloads);
        }

        string member = PackageMember(ctx.Rid);
        using var gzip = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        for (TarEntry? entry; (entry = tar.GetNextEntry()) != null;)
        {
            if (entry.Name != member || entry.DataStream == null) continue;
            Directory.CreateDirectory(ctx.NativeOut);
            string temp = target + ".tmp";
            using (var output = File.Create(temp)) entry.DataStream.CopyTo(output);
            File.Move(temp, target, overwrite: true);
            Console.WriteLine($"ONNX Runtime {Version}: {target}");
            return;
        }
        throw new BuildException($"{tarball} has no {member}; ONNX Runtime {Version} may not ship a build for {ctx.Rid}");
    }

    /// <summary>Where the package keeps the library for a runtime identifier.</summary>
    private static string PackageMember(string rid) => rid switch
    {
        "linux-x64" => $"package/bin/napi-v3/linux/x64/libonnxruntime.so.{Version}",
        "linux-arm64" => $"package/bin/napi-v3/linux/arm64/libonnxruntime.so.{Version}",
        "win-x64" => "package/bin/napi-v3/win32/x64/onnxruntime.dll",
        "win-arm64" => "package/bin/napi-v3/win32/arm64/onnxruntime.dll",
        "osx-arm64" => $"package/bin/napi-v3/darwin/arm64/libonnxruntime.{Version}.dylib",
        "osx-x64" => $"package/bin/napi-v3/darwin/x64/libonnxruntime.{Version}.dylib",
        _ => throw new BuildException($"no ONNX Runtime build is known for {rid}; set LORAPS_ONNXRUNTIME"),
    };
}
