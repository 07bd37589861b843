namespace LoraPS.Formats.Checkpoint;

/// <summary>A global the restricted unpickler allows, by its dotted name; never resolved to code.</summary>
public sealed record PickleGlobal(string Module, string Name)
{
    public string FullName => $"{Module}.{Name}";
    public override string ToString() => FullName;
}

/// <summary>A PyTorch storage named by a persistent id: ('storage', torch.HalfStorage, key, location, numel).</summary>
public sealed record PickleStorage(string StorageType, string Key, string Location, long ElementCount);

/// <summary>The result of torch._utils._rebuild_tensor_v2: a strided view into a storage.</summary>
public sealed record PickleTensor(PickleStorage Storage, long StorageOffset, long[] Shape, long[] Stride);

/// <summary>Marker for pickle's MARK on the stack.</summary>
internal sealed class PickleMark
{
    public static readonly PickleMark Instance = new();
}
