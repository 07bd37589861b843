namespace LoraPS.Torch.Modules;

/// <summary>
/// Whether module constructors run their parameter initialisation. Inside <see cref="SkipInit"/> the
/// layers of this namespace (and any module that creates its parameters through <see cref="Constant"/>)
/// allocate their parameters with <c>torch.empty</c>: nothing random is drawn and no memory is touched
/// until a checkpoint's values are copied in. Use it only for modules whose every parameter is loaded
/// right after (a model loader checks that all keys are present first); the values are undefined.
/// </summary>
public static class ParameterInit
{
    // Per thread: a loader on one thread must not change what a training step builds on another.
    [ThreadStatic] private static int skipDepth;

    /// <summary>True while a <see cref="SkipInit"/> scope is open on this thread.</summary>
    public static bool Skipping => skipDepth > 0;

    /// <summary>Opens a scope (nestable) in which new parameters are left uninitialised; dispose to close it.</summary>
    public static IDisposable SkipInit()
    {
        skipDepth++;
        return new Scope();
    }

    /// <summary>A parameter filled with <paramref name="value"/> (norm weights and biases), or left empty while skipping.</summary>
    public static Parameter Constant(long[] shape, double value, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        new(Skipping ? torch.empty(shape, dtype, device) : torch.full(shape, value, dtype, device));

    /// <summary>An uninitialised parameter while skipping; otherwise the one <paramref name="initialise"/> makes.</summary>
    internal static Parameter Make(long[] shape, ScalarType dtype, Device? device, Func<Parameter> initialise) =>
        Skipping ? new Parameter(torch.empty(shape, dtype, device)) : initialise();

    private sealed class Scope : IDisposable
    {
        private bool closed;

        public void Dispose()
        {
            if (closed) return;
            closed = true;
            skipDepth--;
        }
    }
}
