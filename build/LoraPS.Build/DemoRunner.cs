namespace LoraPS.Build;

/// <summary>
/// `./build.sh demo`: the main job on built-in small data, through the real `loraps` command, in
/// artifacts/demo/. Each capability adds its step here as it lands.
/// </summary>
internal static class DemoRunner
{
    public static int Run(BuildContext ctx)
    {
        string work = Path.Combine(ctx.Artifacts, "demo");
        if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        Directory.CreateDirectory(work);

        Console.WriteLine("== 1. The engine: libtorch, devices, ONNX Runtime, and a computation through the shim");
        return Loraps(ctx, work, "env");
    }

    private static int Loraps(BuildContext ctx, string work, params string[] args)
    {
        int code = Shell.RunCode("dotnet", new[] { ctx.Cli }.Concat(args), work);
        if (code != 0) Console.Error.WriteLine($"demo: `loraps {string.Join(' ', args)}` failed with exit code {code}");
        return code;
    }
}
