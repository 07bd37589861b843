namespace LoraPS.Torch;

/// <summary>
/// Frees, when disposed, every tensor created on this thread while it was the innermost scope,
/// except those moved out with <see cref="Tensor.MoveToOuterDisposeScope"/> or detached with
/// <see cref="Tensor.DetachFromDisposeScope"/>. Scopes nest. Create with <c>torch.NewDisposeScope()</c>.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? _current;
    // One spare list per thread: a scope per step or per call would otherwise grow a new list each time.
    [ThreadStatic] private static List<Tensor>? _spareList;
    private const int MaxPooledCapacity = 4096;
    private static readonly List<Tensor> NoTensors = new(0);

    private List<Tensor> _tensors;
    private DisposeScope? _outer;
    private bool _disposed;

    internal DisposeScope()
    {
        _tensors = _spareList ?? new List<Tensor>();
        _spareList = null;
        _outer = _current;
        _current = this;
    }

    /// <summary>The innermost open scope on this thread, or null.</summary>
    public static DisposeScope? Current => _current;

    internal DisposeScope? Outer => _outer;

    /// <summary>Tensors registered here and still owned by this scope.</summary>
    public int Count => _tensors.Count(t => ReferenceEquals(t.OwningScope, this) && !t.IsInvalid);

    internal void Register(Tensor tensor)
    {
        if (_disposed) throw new ObjectDisposedException(nameof(DisposeScope));
        tensor.OwningScope = this;
        _tensors.Add(tensor);
    }

    /// <summary>Keeps <paramref name="tensor"/> alive past this scope (it moves to the outer scope, if any).</summary>
    public T MoveToOuter<T>(T tensor) where T : Tensor
    {
        tensor.OwningScope = null;
        _outer?.Register(tensor);
        return tensor;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var t in _tensors)
            if (ReferenceEquals(t.OwningScope, this)) t.Dispose();
        _tensors.Clear();
        if (_spareList is null && _tensors.Capacity <= MaxPooledCapacity) _spareList = _tensors;
        _tensors = NoTensors;
        // scopes are disposed innermost first; tolerate an out-of-order dispose by unwinding to our outer
        if (ReferenceEquals(_current, this)) _current = _outer;
        else
        {
            for (var s = _current; s != null; s = s._outer)
                if (ReferenceEquals(s._outer, this)) { s._outer = _outer; break; }
        }
    }
}
