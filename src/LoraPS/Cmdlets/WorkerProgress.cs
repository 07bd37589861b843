using System.Collections.Concurrent;

namespace LoraPS.PowerShell.Cmdlets;

/// <summary>
/// Runs slow work on a worker thread while the pipeline thread shows its progress: PowerShell accepts
/// Write-Progress only from the pipeline thread, so reports are queued and written here.
/// </summary>
internal static class WorkerProgress
{
    /// <summary>
    /// Runs <paramref name="work"/> on a worker, calls <paramref name="show"/> on this thread for each report,
    /// then <paramref name="finished"/> once the work has ended (also when it failed), then returns its result
    /// or rethrows its exception.
    /// </summary>
    public static T Run<TProgress, T>(Func<IProgress<TProgress>, T> work, Action<TProgress> show, Action finished)
    {
        using var queue = new BlockingCollection<TProgress>();
        var progress = new QueueProgress<TProgress>(queue);
        var task = Task.Run(() =>
        {
            try { return work(progress); }
            finally { queue.CompleteAdding(); }
        });
        foreach (var p in queue.GetConsumingEnumerable()) show(p);
        finished();
        return task.GetAwaiter().GetResult();
    }

    private sealed class QueueProgress<TProgress>(BlockingCollection<TProgress> queue) : IProgress<TProgress>
    {
        // A report that arrives after the work has ended (a late callback) is dropped, not an exception: the
        // queue is then closed (InvalidOperationException) or already disposed (ObjectDisposedException, a subclass).
        public void Report(TProgress value)
        {
            try { queue.TryAdd(value); }
            catch (InvalidOperationException) { }
        }
    }
}
