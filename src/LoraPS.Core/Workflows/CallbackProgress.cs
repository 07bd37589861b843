namespace LoraPS.Workflows;

/// <summary>
/// An <see cref="IProgress{T}"/> that calls its delegate on the reporting thread, in order
/// (<see cref="Progress{T}"/> posts each report to the thread pool, which can reorder them).
/// </summary>
public sealed class CallbackProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
