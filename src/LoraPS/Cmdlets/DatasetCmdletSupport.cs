using System.Management.Automation;
using LoraPS.Workflows.Dataset;

namespace LoraPS.PowerShell.Cmdlets;

/// <summary>Shared by the dataset cmdlets: runs planning off the pipeline thread so its progress can reach Write-Progress.</summary>
internal static class DatasetCmdletSupport
{
    public const int ActivityId = 4711;

    /// <summary>Runs <paramref name="work"/> on a worker thread, relaying its progress to Write-Progress on the pipeline thread.</summary>
    public static T RunWithProgress<T>(Cmdlet cmdlet, string activity, Func<IProgress<DatasetProgress>, T> work) =>
        WorkerProgress.Run<DatasetProgress, T>(work,
            p => cmdlet.WriteProgress(new ProgressRecord(ActivityId, activity, $"{p.Stage}: {p.Done} of {p.Total}")
            {
                PercentComplete = Math.Clamp(p.Total == 0 ? 100 : (int)(100L * p.Done / p.Total), 0, 100),
            }),
            () => cmdlet.WriteProgress(new ProgressRecord(ActivityId, activity, "done") { RecordType = ProgressRecordType.Completed }));

    /// <summary>[512] or [768, 512] → a size.</summary>
    public static Size2? ToSize(int[]? resolution) => resolution switch
    {
        null or { Length: 0 } => null,
        { Length: 1 } => new Size2(resolution[0], resolution[0]),
        { Length: 2 } => new Size2(resolution[0], resolution[1]),
        _ => throw new ArgumentException("-Resolution takes one number (square) or two (width, height)"),
    };
}
