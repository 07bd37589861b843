using System.Collections;

namespace LoraPS.Torch.Modules;

#pragma warning disable IDE1006 // naming: mirrors torch

/// <summary>Runs its children in order; they are named "0", "1", … in the state dict.</summary>
public sealed class Sequential : Module<Tensor, Tensor>, IReadOnlyList<Module<Tensor, Tensor>>
{
    private readonly List<Module<Tensor, Tensor>> _items = new();

    public Sequential(params Module<Tensor, Tensor>[] modules) : base(nameof(Sequential))
    {
        foreach (var m in modules) append(m);
    }

    public Sequential append(Module<Tensor, Tensor> module)
    {
        register_module(_items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        _items.Add(module);
        return this;
    }

    /// <summary>Intermediates are freed as soon as the next layer has used them.</summary>
    public override Tensor forward(Tensor input)
    {
        Tensor x = input;
        for (int i = 0; i < _items.Count; i++)
        {
            var y = _items[i].forward(x);
            if (!ReferenceEquals(x, input)) x.Dispose();
            x = y;
        }
        return ReferenceEquals(x, input) ? input.alias() : x;
    }

    public Module<Tensor, Tensor> this[int index] => _items[index];
    public int Count => _items.Count;
    public IEnumerator<Module<Tensor, Tensor>> GetEnumerator() => _items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A list of sub-modules named "0", "1", … (no forward of its own).</summary>
public sealed class ModuleList<T> : Module, IReadOnlyList<T> where T : Module
{
    private readonly List<T> _items = new();

    public ModuleList(params T[] modules) : base("ModuleList")
    {
        foreach (var m in modules) append(m);
    }

    public ModuleList<T> append(T module)
    {
        register_module(_items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        _items.Add(module);
        return this;
    }

    public T this[int index] => _items[index];
    public int Count => _items.Count;
    public IEnumerator<T> GetEnumerator() => _items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Sub-modules by name (insertion order), named by their keys in the state dict.</summary>
public sealed class ModuleDict<T> : Module, IEnumerable<KeyValuePair<string, T>> where T : Module
{
    private readonly List<KeyValuePair<string, T>> _items = new();

    public ModuleDict() : base("ModuleDict") { }

    public void Add(string key, T module)
    {
        register_module(key, module);
        _items.Add(new(key, module));
    }

    public T this[string key] => _items.FirstOrDefault(kv => kv.Key == key).Value ?? throw new KeyNotFoundException($"no module named '{key}'");
    public bool ContainsKey(string key) => _items.Any(kv => kv.Key == key);
    public IEnumerable<string> Keys => _items.Select(kv => kv.Key);
    public int Count => _items.Count;
    public IEnumerator<KeyValuePair<string, T>> GetEnumerator() => _items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
