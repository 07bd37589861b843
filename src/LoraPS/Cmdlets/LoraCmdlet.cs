using System.Management.Automation;
using LoraPS.Torch;
using LoraPS.Torch.Interop;

namespace LoraPS.PowerShell.Cmdlets;

/// <summary>
/// Base of every LoraPS cmdlet: maps workflow progress onto Write-Progress and exceptions onto
/// ErrorRecords with a fitting category, so each cmdlet only maps parameters and calls its workflow.
/// </summary>
public abstract class LoraCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>
    /// PowerShell disposes a cmdlet when its pipeline ends: the engine's tuned allocator keeps freed buffers for speed
    /// while the job runs, and gives them back here (see MallocTuning).
    /// </summary>
    public void Dispose()
    {
        _stopping.Dispose();
        MallocTuning.ReleaseFreeMemory();
        GC.SuppressFinalize(this);
    }

    /// <summary>Cancelled when the user presses Ctrl+C (StopProcessing).</summary>
    protected CancellationToken Cancellation => _stopping.Token;

    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>The ErrorCategory that fits an exception thrown by a workflow.</summary>
    public static ErrorCategory CategoryOf(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => ErrorCategory.ObjectNotFound,
        UnauthorizedAccessException => ErrorCategory.PermissionDenied,
        NativeLibraryMissingException => ErrorCategory.NotInstalled,
        LoraPS.Formats.InvalidFileException or InvalidDataException or FormatException
            or LoraPS.Models.Lora.Inference.LoraModelMismatchException => ErrorCategory.InvalidData,
        ArgumentException => ErrorCategory.InvalidArgument,
        OperationCanceledException => ErrorCategory.OperationStopped,
        TorchException => ErrorCategory.InvalidOperation,
        IOException => ErrorCategory.WriteError,
        NotSupportedException => ErrorCategory.NotImplemented,
        _ => ErrorCategory.NotSpecified,
    };

    /// <summary>An ErrorRecord for <paramref name="e"/> about <paramref name="target"/> (usually a path).</summary>
    protected ErrorRecord ErrorFor(Exception e, object? target) =>
        new(e, e.GetType().Name, CategoryOf(e), target);

    /// <summary>Non-terminating: report and let the rest of the batch go on.</summary>
    protected void WriteNonTerminating(Exception e, object? target) => WriteError(ErrorFor(e, target));

    /// <summary>Write-Progress for one step of a long job; 100 % closes the bar. Call on the pipeline thread.</summary>
    protected void WritePercent(int activityId, string activity, string status, int percent)
    {
        var record = new ProgressRecord(activityId, activity, status)
        {
            PercentComplete = Math.Clamp(percent, 0, 100),
            RecordType = percent >= 100 ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        };
        WriteProgress(record);
    }
}
