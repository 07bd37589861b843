namespace LoraPS.Build;

/// <summary>
/// Lays out out/LoraPS/ (the importable module: manifest, format file, assemblies,
/// runtimes/&lt;rid&gt;/native/, wrappers/) and out/cli/ (the `loraps` command). They are separate
/// folders because LoraPS.dll and loraps.dll differ only in case.
/// </summary>
internal static class ModuleLayout
{
    public static void Create(BuildContext ctx)
    {
        string bin = ctx.ProjectBin("LoraPS", "net8.0");
        Replace(ctx.ModuleOut);
        foreach (string file in Directory.GetFiles(bin))
        {
            string name = Path.GetFileName(file);
            if (name.EndsWith(".deps.json") || name.StartsWith("System.Management.Automation")) continue;
            File.Copy(file, Path.Combine(ctx.ModuleOut, name));
        }
        CopyTree(Path.Combine(bin, "runtimes"), Path.Combine(ctx.ModuleOut, "runtimes"));
        CopyTree(Path.Combine(ctx.Root, "module", "wrappers"), Path.Combine(ctx.ModuleOut, "wrappers"));

        Replace(ctx.CliOut);
        CopyTree(ctx.ProjectBin("LoraPS.Cli", "net8.0"), ctx.CliOut);
        Console.WriteLine($"module: {ctx.ModuleOut}  (Import-Module {Path.Combine(ctx.ModuleOut, "LoraPS.psd1")})");
        Console.WriteLine($"command line: {ctx.CliOut}  (dotnet {Path.Combine(ctx.CliOut, "loraps.dll")} --help)");
    }

    private static void Replace(string dir)
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(dir);
    }

    private static void CopyTree(string from, string to)
    {
        if (!Directory.Exists(from)) return;
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            string dest = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(file, dest, overwrite: true);
        }
    }
}
