using System.Reflection;

namespace LoraPS.Torch.Modules;

/// <summary>
/// A network part with named parameters, buffers and sub-modules, giving PyTorch-style state-dict
/// names ("down_blocks.0.attentions.1.proj_in.weight"). Register children with register_module /
/// register_parameter / register_buffer, or call <see cref="RegisterComponents"/> to register the
/// Module, Parameter and Tensor-buffer fields under their field names.
/// </summary>
#pragma warning disable IDE1006 // naming: mirrors torch
public abstract class Module : IDisposable
{
    private readonly List<KeyValuePair<string, Parameter?>> _parameters = new();
    private readonly List<KeyValuePair<string, Tensor?>> _buffers = new();
    private readonly HashSet<string> _nonPersistent = new();
    private readonly List<KeyValuePair<string, Module>> _modules = new();
    private bool _disposed;

    protected Module(string? name = null) => Name = name ?? GetType().Name;

    public string Name { get; }

    public bool training { get; private set; } = true;

    // ------------------------------------------------------------------ registration
    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.')) throw new ArgumentException($"'{name}' is not a valid child name (empty or contains '.')");
        if (_parameters.Any(p => p.Key == name) || _buffers.Any(b => b.Key == name) || _modules.Any(m => m.Key == name))
            throw new ArgumentException($"{Name} already has a child named '{name}'");
    }

    public void register_parameter(string name, Parameter? parameter)
    {
        CheckName(name);
        _parameters.Add(new(name, parameter));
    }

    public void register_buffer(string name, Tensor? buffer, bool persistent = true)
    {
        CheckName(name);
        buffer?.DetachFromDisposeScope();
        _buffers.Add(new(name, buffer));
        if (!persistent) _nonPersistent.Add(name);
    }

    public T register_module<T>(string name, T module) where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        CheckName(name);
        _modules.Add(new(name, module));
        return module;
    }

    /// <summary>Registers this object's fields that hold a Module, a Parameter or a Tensor (as a buffer), under their field names (declaration order).</summary>
    protected void RegisterComponents()
    {
        for (var type = GetType(); type != null && type != typeof(Module); type = type.BaseType)
        {
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute))) continue;
                string name = field.Name.TrimStart('_');
                if (name.EndsWith("k__BackingField", StringComparison.Ordinal)) continue;
                object? value = field.GetValue(this);
                switch (value)
                {
                    case Module m when !_modules.Any(x => ReferenceEquals(x.Value, m)): register_module(name, m); break;
                    case Parameter p when !_parameters.Any(x => ReferenceEquals(x.Value, p)): register_parameter(name, p); break;
                    case Tensor t when value is not Parameter && !_buffers.Any(x => ReferenceEquals(x.Value, t)): register_buffer(name, t); break;
                }
            }
        }
    }

    /// <summary>Replaces a registered parameter (e.g. after re-shaping); the old one is disposed.</summary>
    protected void replace_parameter(string name, Parameter? parameter)
    {
        int i = _parameters.FindIndex(p => p.Key == name);
        if (i < 0) throw new KeyNotFoundException($"{Name} has no parameter '{name}'");
        _parameters[i].Value?.Dispose();
        _parameters[i] = new(name, parameter);
    }

    // ------------------------------------------------------------------ enumeration
    public IEnumerable<(string name, Module module)> named_children() => _modules.Select(m => (m.Key, m.Value));
    public IEnumerable<Module> children() => _modules.Select(m => m.Value);

    public IEnumerable<(string name, Module module)> named_modules(string prefix = "")
    {
        yield return (prefix, this);
        foreach (var (name, m) in _modules)
            foreach (var inner in m.named_modules(Join(prefix, name)))
                yield return inner;
    }

    public IEnumerable<(string name, Parameter parameter)> named_parameters(bool recurse = true, string prefix = "")
    {
        foreach (var p in _parameters)
            if (p.Value is not null) yield return (Join(prefix, p.Key), p.Value);
        if (!recurse) yield break;
        foreach (var m in _modules)
            foreach (var inner in m.Value.named_parameters(true, Join(prefix, m.Key)))
                yield return inner;
    }

    public IEnumerable<Parameter> parameters(bool recurse = true) => named_parameters(recurse).Select(p => p.parameter);

    public IEnumerable<(string name, Tensor buffer)> named_buffers(bool recurse = true, string prefix = "")
    {
        foreach (var b in _buffers)
            if (b.Value is not null) yield return (Join(prefix, b.Key), b.Value);
        if (!recurse) yield break;
        foreach (var m in _modules)
            foreach (var inner in m.Value.named_buffers(true, Join(prefix, m.Key)))
                yield return inner;
    }

    public IEnumerable<Tensor> buffers(bool recurse = true) => named_buffers(recurse).Select(b => b.buffer);

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    // ------------------------------------------------------------------ state dict
    /// <summary>
    /// Parameters and persistent buffers by their dotted names, in registration order. The tensors are
    /// the module's own (not copies): do not dispose them.
    /// </summary>
    public Dictionary<string, Tensor> state_dict()
    {
        var result = new Dictionary<string, Tensor>();
        Collect(result, "");
        return result;
    }

    private void Collect(Dictionary<string, Tensor> into, string prefix)
    {
        foreach (var p in _parameters)
            if (p.Value is not null) into[Join(prefix, p.Key)] = p.Value;
        foreach (var b in _buffers)
            if (b.Value is not null && !_nonPersistent.Contains(b.Key)) into[Join(prefix, b.Key)] = b.Value;
        foreach (var m in _modules) m.Value.Collect(into, Join(prefix, m.Key));
    }

    /// <summary>
    /// Copies values by name into this module's parameters and buffers (converting dtype and device).
    /// With <paramref name="strict"/>, any missing, unexpected or mis-shaped key throws
    /// <see cref="StateDictMismatchException"/> before anything is copied; otherwise the matching keys
    /// are loaded and the report says what was not.
    /// </summary>
    public StateDictReport load_state_dict(IReadOnlyDictionary<string, Tensor> stateDict, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        var own = state_dict();
        var missing = own.Keys.Where(k => !stateDict.ContainsKey(k)).ToList();
        var unexpected = stateDict.Keys.Where(k => !own.ContainsKey(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        var mismatched = new List<ShapeMismatch>();
        var toLoad = new List<(Tensor dst, Tensor src)>();
        foreach (var (key, dst) in own)
        {
            if (!stateDict.TryGetValue(key, out var src)) continue;
            long[] a = dst.shape, b = src.shape;
            if (!a.SequenceEqual(b)) mismatched.Add(new ShapeMismatch(key, a, b));
            else toLoad.Add((dst, src));
        }
        var report = new StateDictReport(missing, unexpected, mismatched, toLoad.Count);
        if (strict && !report.IsExact) throw new StateDictMismatchException(report);
        using (torch.no_grad())
            foreach (var (dst, src) in toLoad) dst.copy_(src);
        return report;
    }

    // ------------------------------------------------------------------ modes, conversion, freezing
    public virtual Module train(bool mode = true)
    {
        training = mode;
        foreach (var m in _modules) m.Value.train(mode);
        return this;
    }

    public Module eval() => train(false);

    /// <summary>Moves/casts every parameter and buffer in place (the Parameter objects stay the same).</summary>
    public Module to(Device device, ScalarType? dtype = null) => Convert(t => dtype is ScalarType d ? t.to(device, d) : t.to(device), dtype is not null);
    public Module to(ScalarType dtype) => Convert(t => t.to(dtype), true);
    public Module to(string device) => to(Device.Parse(device));

    private Module Convert(Func<Tensor, Tensor> convert, bool floatingOnly)
    {
        foreach (var t in parameters().Cast<Tensor>().Concat(buffers()))
        {
            if (floatingOnly && !t.dtype.IsFloatingPoint()) continue;
            using var converted = convert(t);
            // a gradient of the old dtype/device cannot stay: drop it first (set_data checks it)
            using (var g = t.grad) if (g is not null) t.grad = null;
            t.set_data(converted);
        }
        return this;
    }

    /// <summary>Sets requires_grad on every parameter (false freezes the module).</summary>
    public Module requires_grad_(bool requires_grad = true)
    {
        foreach (var p in parameters()) p.requires_grad = requires_grad;
        return this;
    }

    /// <summary>Clears every parameter's gradient (set_to_none as PyTorch's default, or zero in place).</summary>
    public void zero_grad(bool set_to_none = true)
    {
        foreach (var p in parameters())
        {
            if (set_to_none) { p.grad = null; continue; }
            using var g = p.grad;
            g?.zero_();
        }
    }

    public long parameter_count() => parameters().Sum(p => p.numel());

    public virtual void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var p in _parameters) p.Value?.Dispose();
        foreach (var b in _buffers) b.Value?.Dispose();
        foreach (var m in _modules) m.Value.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>A module with a typed forward; call it with <see cref="call"/> (or forward directly).</summary>
public abstract class Module<TInput, TResult> : Module
{
    protected Module(string? name = null) : base(name) { }

    public abstract TResult forward(TInput input);

    public TResult call(TInput input) => forward(input);
}

/// <summary>A module of two inputs.</summary>
public abstract class Module<TInput1, TInput2, TResult> : Module
{
    protected Module(string? name = null) : base(name) { }

    public abstract TResult forward(TInput1 input1, TInput2 input2);

    public TResult call(TInput1 input1, TInput2 input2) => forward(input1, input2);
}
