using System.Diagnostics;
using LoraPS.Tests.Support;

namespace LoraPS.Tests.Datasets;

/// <summary>`loraps dataset new|get` end to end through the built command.</summary>
public sealed class DatasetCliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet", new[] { RepoPaths.CliDll }.Concat(args))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string err = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, err);
    }

    [Fact]
    public void New_then_get_prints_the_plan_and_refuses_to_overwrite()
    {
        using var dir = new TempFolder("cli dataset");
        string img = Path.Combine(dir.Path, "training", "img");
        TestPictures.Folder(Path.Combine(img, "20_mylora 1boy"), 16, 512, 512);
        string dest = Path.Combine(dir.Path, "training");

        var (code, output, err) = Run("dataset", "new", img, "--batch-size", "2", "--epochs", "6", "--destination", dest);
        Assert.True(code == 0, err);
        Assert.Contains("960 (6 epochs", output);
        Assert.True(File.Exists(Path.Combine(dest, "dataset.toml")));

        (code, output, err) = Run("dataset", "get", Path.Combine(dest, "dataset.toml"), "--epochs", "6", "--json");
        Assert.True(code == 0, err);
        Assert.Contains("\"TotalSteps\": 960", output);

        (code, _, err) = Run("dataset", "new", img, "--destination", dest);
        Assert.Equal(1, code);
        Assert.Contains("already exists", err);

        File.WriteAllText(Path.Combine(dest, "bad.toml"), "[general]\nshufle_caption = true\n");
        (code, _, err) = Run("dataset", "get", Path.Combine(dest, "bad.toml"));
        Assert.Equal(1, code);
        Assert.Contains("line 2", err);
        Assert.Contains("did you mean 'shuffle_caption'?", err);
    }
}
