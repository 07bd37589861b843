using System.Diagnostics;
using LoraPS.Tests.Support;

namespace LoraPS.Tests.Rename;

/// <summary>
/// The real thing: `loraps rename` runs as a child process that kills itself (SIGKILL, no cleanup) after
/// N file operations, for every N; a second run — or `--undo` — must then leave every original byte
/// present exactly once: the folder equals an uninterrupted rename's result (or the original folder).
/// </summary>
public sealed class RenameCrashTests
{
    private static (int Code, string Output) Loraps(string? killAfter, params string[] args)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(RepoPaths.CliDll);
        foreach (string a in args) info.ArgumentList.Add(a);
        if (killAfter != null) info.Environment["LORAPS_RENAME_KILL_AFTER"] = killAfter;
        else info.Environment.Remove("LORAPS_RENAME_KILL_AFTER");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(60_000)) { process.Kill(); throw new TimeoutException("loraps rename hung"); }
        return (process.ExitCode, stdout.Result + stderr);
    }

    [Fact]
    public void What_if_prints_the_plan_and_touches_nothing_json_lists_the_images_bad_usage_exits_2()
    {
        using var root = new TempFolder("rename cli");
        string folder = Path.Combine(root.Path, "写真 set");
        RenameTestFolder.Standard(folder);
        var before = RenameTestFolder.Snapshot(folder);
        var (code, output) = Loraps(null, "rename", folder, "--prefix", "x", "--what-if");
        Assert.Equal(1, code); // broken.png is reported
        Assert.Contains("img2.npz → x (2).npz", output);
        Assert.Equal(before, RenameTestFolder.Snapshot(folder));

        (code, output) = Loraps(null, "rename", folder, "--style", "Padded", "--digits", "2", "--start", "0", "--prefix", "s", "--json");
        Assert.Equal(1, code);
        Assert.Contains("\"Name\": \"s_00.bmp\"", output);
        Assert.Contains("\"Format\": \"Png\"", output);
        Assert.True(File.Exists(Path.Combine(folder, "s_02.caption")));

        (code, output) = Loraps(null, "rename", folder, "--digits", "0");
        Assert.Equal(2, code);
        Assert.Contains("Digits", output);
    }

    [Fact]
    public void Killed_at_every_operation_a_second_run_or_undo_restores_a_complete_set()
    {
        Assert.True(File.Exists(RepoPaths.CliDll), $"{RepoPaths.CliDll} is not built");
        using var root = new TempFolder("rename kill");
        string reference = Path.Combine(root.Path, "参照 ref");
        RenameTestFolder.Standard(reference);
        var original = RenameTestFolder.Snapshot(reference);
        var (code, output) = Loraps(null, "rename", reference, "--prefix", "x");
        Assert.True(code == 1, output); // 1: broken.png was reported
        Assert.Contains("broken.png", output);
        var finished = RenameTestFolder.Snapshot(reference);
        Assert.NotEqual(original, finished);

        const int operations = 17; // journal, 7 moves, journal, 7 moves, journal removed
        int killed = 0;
        for (int n = 1; n <= operations + 1; n++)
        {
            bool undo = n % 2 == 0;
            string folder = Path.Combine(root.Path, $"run {n} データ");
            RenameTestFolder.Standard(folder);
            Assert.Equal(original, RenameTestFolder.Snapshot(folder));
            var (crashCode, crashOutput) = Loraps(n.ToString(), "rename", folder, "--prefix", "x");
            if (n <= operations)
            {
                Assert.True(crashCode is 137 or -1 or 9 || crashCode > 128, $"kill at {n}: exit {crashCode}: {crashOutput}");
                killed++;
            }
            var (_, again) = undo ? Loraps(null, "rename", folder, "--undo") : Loraps(null, "rename", folder, "--prefix", "x");
            var now = RenameTestFolder.Snapshot(folder);
            var expected = undo && n < operations ? original : finished;
            Assert.True(expected.SequenceEqual(now),
                $"after a kill at operation {n} and {(undo ? "--undo" : "a second run")}: expected [{string.Join(", ", expected.Keys)}] got [{string.Join(", ", now.Keys)}]\n{again}");
        }
        Assert.Equal(operations, killed);
    }
}
