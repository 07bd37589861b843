using System.Diagnostics;

namespace LoraPS.Build;

/// <summary>Runs external programs, echoing each command line, and fails the build on a non-zero exit.</summary>
internal static class Shell
{
    public static void Run(string file, IEnumerable<string> args, string? workingDirectory = null, IDictionary<string, string>? env = null)
    {
        int code = RunCode(file, args, workingDirectory, env);
        if (code != 0) throw new BuildException($"`{file} {string.Join(' ', args)}` exited with code {code}");
    }

    public static int RunCode(string file, IEnumerable<string> args, string? workingDirectory = null, IDictionary<string, string>? env = null)
    {
        var list = args.ToList();
        Console.WriteLine($"> {file} {string.Join(' ', list.Select(Quote))}");
        var psi = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory };
        foreach (string a in list) psi.ArgumentList.Add(a);
        if (env != null) foreach (var (k, v) in env) psi.Environment[k] = v;
        using var process = Process.Start(psi) ?? throw new BuildException($"could not start {file}");
        process.WaitForExit();
        return process.ExitCode;
    }

    /// <summary>Runs quietly and returns standard output, or null when the program is missing or fails.</summary>
    public static string? Capture(string file, params string[] args)
    {
        try
        {
            var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string a in args) psi.ArgumentList.Add(a);
            using var process = Process.Start(psi);
            if (process == null) return null;
            string output = process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? output.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    public static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
        .Any(dir => File.Exists(Path.Combine(dir, program)) || File.Exists(Path.Combine(dir, program + ".exe")));

    private static string Quote(string a) => a.Contains(' ') ? $"\"{a}\"" : a;
}

/// <summary>A build step failed; the message says what to do.</summary>
internal sealed class BuildException : Exception
{
    public BuildException(string message) : base(message) { }
}
