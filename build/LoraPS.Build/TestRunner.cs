using System.Xml.Linq;

namespace LoraPS.Build;

/// <summary>
/// Runs the xunit suite (and the Pester tests where pwsh exists), adds up their counts and prints
/// the closing line `N passed, N failed, N skipped` that CI reads.
/// </summary>
internal static class TestRunner
{
    public static int Run(BuildContext ctx, string? filter)
    {
        // Conformance tests compare our decoders with the reference tools on files made at test time.
        if (OperatingSystem.IsLinux())
            SystemPackages.Ensure("image conformance tests compare with the reference decoders",
                "imagemagick", "libjpeg-turbo-progs", "webp", "netpbm", "libpng-tools");

        string results = Path.Combine(ctx.Artifacts, "test-results");
        if (Directory.Exists(results)) Directory.Delete(results, recursive: true);
        var args = new List<string>
        {
            "test", Path.Combine(ctx.Root, "tests", "LoraPS.Tests", "LoraPS.Tests.csproj"),
            "-c", ctx.Configuration, "--no-build",
            "--logger", "trx;LogFileName=xunit.trx", "--logger", "console;verbosity=minimal",
            "--results-directory", results,
        };
        if (filter != null) args.AddRange(new[] { "--filter", filter });
        Shell.RunCode("dotnet", args, ctx.Root);

        var (passed, failed, skipped) = ReadTrx(Path.Combine(results, "xunit.trx"));
        PrintFailures(Path.Combine(results, "xunit.trx"));
        Console.WriteLine($"xunit: {passed} passed, {failed} failed, {skipped} skipped");

        var pester = RunPester(ctx);
        if (pester is var (pp, pf, ps))
        {
            Console.WriteLine($"pester: {pp} passed, {pf} failed, {ps} skipped");
            passed += pp; failed += pf; skipped += ps;
        }
        Console.WriteLine($"total: {passed} passed, {failed} failed, {skipped} skipped");
        return failed == 0 && passed > 0 ? 0 : 1;
    }

    /// <summary>Counts from a TRX file; a missing file means the run itself broke, which counts as a failure.</summary>
    private static (int Passed, int Failed, int Skipped) ReadTrx(string path)
    {
        if (!File.Exists(path))
        {
            Console.WriteLine($"no test results at {path}: the test run did not complete");
            return (0, 1, 0);
        }
        XNamespace ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";
        var counters = XDocument.Load(path).Descendants(ns + "Counters").Single();
        int Get(string name) => int.Parse(counters.Attribute(name)?.Value ?? "0");
        int failed = Get("failed") + Get("error") + Get("timeout") + Get("aborted");
        return (Get("passed"), failed, Get("notExecuted"));
    }

    /// <summary>
    /// Repeats each failed test's name and message last, so that they are in the tail of the log CI keeps.
    /// </summary>
    private static void PrintFailures(string path)
    {
        if (!File.Exists(path)) return;
        XNamespace ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";
        foreach (var result in XDocument.Load(path).Descendants(ns + "UnitTestResult"))
        {
            if (result.Attribute("outcome")?.Value is "Passed" or "NotExecuted") continue;
            string message = result.Descendants(ns + "Message").FirstOrDefault()?.Value ?? "";
            string stack = result.Descendants(ns + "StackTrace").FirstOrDefault()?.Value ?? "";
            Console.WriteLine($"FAILED {result.Attribute("testName")?.Value}");
            foreach (var line in (message + "\n" + stack).Split('\n').Where(l => l.Trim().Length > 0).Take(20))
                Console.WriteLine("    " + line.TrimEnd());
        }
    }

    private static (int, int, int)? RunPester(BuildContext ctx)
    {
        if (!Shell.OnPath("pwsh"))
        {
            Console.WriteLine("pester: skipped: pwsh (PowerShell 7) is not on the PATH, so the Pester tests in tests/Pester did not run");
            return null;
        }
        ModuleLayout.Create(ctx); // the Pester tests import out/LoraPS
        string script =
            "$ErrorActionPreference='Stop';" +
            "if (-not (Get-Module -ListAvailable Pester | Where-Object { $_.Version.Major -ge 5 })) { Write-Output 'PESTER-MISSING'; exit 0 };" +
            "Import-Module Pester -MinimumVersion 5.0;" +
            $"$r = Invoke-Pester -Path '{Path.Combine(ctx.Root, "tests", "Pester")}' -PassThru -Output Detailed;" +
            "Write-Output (\"PESTER-COUNTS {0} {1} {2}\" -f $r.PassedCount, $r.FailedCount, $r.SkippedCount)";
        string? output = Shell.Capture("pwsh", "-NoProfile", "-NonInteractive", "-Command", script);
        if (output == null) return (0, 1, 0);
        if (output.Contains("PESTER-MISSING"))
        {
            Console.WriteLine("pester: skipped: Pester 5 is not installed (Install-Module Pester -MinimumVersion 5.0)");
            return null;
        }
        Console.WriteLine(output);
        var line = output.Split('\n').Last(l => l.StartsWith("PESTER-COUNTS")).Split(' ');
        return (int.Parse(line[1]), int.Parse(line[2]), int.Parse(line[3]));
    }
}
