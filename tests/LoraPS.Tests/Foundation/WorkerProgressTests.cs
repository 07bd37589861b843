using LoraPS.PowerShell.Cmdlets;

namespace LoraPS.Tests.Foundation;

/// <summary>The relay the cmdlets use to show a worker's progress from the pipeline thread.</summary>
public sealed class WorkerProgressTests
{
    [Fact]
    public void Reports_reach_the_calling_thread_in_order_then_finished_then_the_result()
    {
        int caller = Environment.CurrentManagedThreadId, worker = -1;
        var log = new List<string>();
        int result = WorkerProgress.Run<int, int>(progress =>
        {
            worker = Environment.CurrentManagedThreadId;
            for (int i = 1; i <= 3; i++) progress.Report(i);
            return 42;
        },
        p => { Assert.Equal(caller, Environment.CurrentManagedThreadId); log.Add($"report {p}"); },
        () => log.Add("finished"));

        Assert.Equal(42, result);
        Assert.NotEqual(caller, worker);
        Assert.Equal(["report 1", "report 2", "report 3", "finished"], log);
    }

    [Fact]
    public void A_failing_worker_still_finishes_then_rethrows_its_own_exception_and_late_reports_are_dropped()
    {
        IProgress<int>? kept = null;
        bool finished = false;
        var e = Assert.Throws<InvalidDataException>(() => WorkerProgress.Run<int, int>(progress =>
        {
            kept = progress;
            throw new InvalidDataException("bad file");
        }, _ => { }, () => finished = true));
        Assert.Equal("bad file", e.Message);
        Assert.True(finished);
        kept!.Report(1); // after the work ended: dropped, not an exception
    }
}
