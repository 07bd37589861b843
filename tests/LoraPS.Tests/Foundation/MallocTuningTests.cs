using System.Diagnostics;
using LoraPS.Tests.Support;
using LoraPS.Torch.Interop;
using LoraPS.Workflows.Environment;

namespace LoraPS.Tests.Foundation;

public sealed class MallocTuningTests
{
    private sealed class RecordingMallopt
    {
        public readonly List<(int Parameter, int Value)> Calls = new();
        public int Answer { get; init; } = 1;
        public int Call(int parameter, int value)
        {
            Calls.Add((parameter, value));
            return Answer;
        }
    }

    [Theory]
    [InlineData("tuned", MallocSetting.Tuned)]
    [InlineData(" Tuned ", MallocSetting.Tuned)]
    [InlineData("default", MallocSetting.Default)]
    [InlineData("GLIBC", MallocSetting.Default)]
    public void The_variable_names_a_setting(string value, MallocSetting expected)
    {
        var (setting, error) = MallocTuning.Parse(value);
        Assert.Equal(expected, setting);
        Assert.Null(error);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Unset_means_the_default_setting(string? value) =>
        Assert.Equal((MallocTuning.DefaultSetting, (string?)null), MallocTuning.Parse(value));

    [Fact]
    public void A_bad_value_is_named_and_the_default_is_used()
    {
        var (setting, error) = MallocTuning.Parse("fast");
        Assert.Equal(MallocTuning.DefaultSetting, setting);
        Assert.Contains("LORAPS_MALLOC='fast'", error);
        Assert.Contains("tuned, default", error);
    }

    [Fact]
    public void Default_leaves_glibc_alone()
    {
        var mallopt = new RecordingMallopt();
        var report = MallocTuning.Apply("default", mallopt.Call);
        Assert.Empty(mallopt.Calls);
        Assert.Equal(MallocSetting.Default, report.Setting);
        Assert.False(report.Applied);
        Assert.StartsWith("default", report.ToString());
    }

    [Fact]
    public void Tuned_sets_the_three_thresholds_through_mallopt()
    {
        var mallopt = new RecordingMallopt();
        var report = MallocTuning.Apply("tuned", mallopt.Call);
        Assert.Equal(new[]
        {
            (MallocTuning.M_MMAP_THRESHOLD, MallocTuning.TunedMmapThreshold),
            (MallocTuning.M_TRIM_THRESHOLD, MallocTuning.TunedTrimThreshold),
            (MallocTuning.M_TOP_PAD, MallocTuning.TunedTopPad),
        }, mallopt.Calls);
        Assert.True(report.Applied);
        Assert.Null(report.Error);
        Assert.Contains("mmap threshold 2 GiB, no trimming", report.ToString());
    }

    [Fact]
    public void A_refused_mallopt_is_reported()
    {
        var mallopt = new RecordingMallopt { Answer = 0 };
        var report = MallocTuning.Apply("tuned", mallopt.Call);
        Assert.False(report.Applied);
        Assert.Contains("glibc refused mallopt(-3, 2147483647)", report.Error);
    }

    [Fact]
    public void Without_glibc_nothing_is_called()
    {
        var report = MallocTuning.Apply("tuned", null);
        Assert.False(report.Applied);
        Assert.Contains("not glibc", report.Detail);
    }

    [Fact]
    public void The_environment_report_names_the_setting_in_effect()
    {
        var env = EnvironmentWorkflow.Run(new EnvironmentOptions());
        Assert.NotNull(MallocTuning.InEffect);
        Assert.Equal(MallocTuning.InEffect!.ToString(), env.MallocSetting);
        if (OperatingSystem.IsLinux() && File.Exists("/lib/x86_64-linux-gnu/libc.so.6"))
            Assert.DoesNotContain("not glibc", env.MallocSetting);
    }

    [Theory]
    [InlineData("default", "default (glibc's own thresholds)")]
    [InlineData("tuned", "tuned (large buffers kept in the heap")]
    public void The_loraps_command_reports_the_variable_it_was_given(string value, string expected)
    {
        var psi = new ProcessStartInfo("dotnet", new[] { RepoPaths.CliDll, "env" })
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment[MallocTuning.Variable] = value;
        using var process = Process.Start(psi)!;
        string output = process.StandardOutput.ReadToEnd();
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        Assert.Contains(expected, output);
        Assert.DoesNotContain("refused", output + errors);
    }
}
