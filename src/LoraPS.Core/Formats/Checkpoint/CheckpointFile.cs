using System.IO.Compression;
using LoraPS.Formats.SafeTensors;

namespace LoraPS.Formats.Checkpoint;

/// <summary>
/// A PyTorch zip checkpoint (.ckpt/.pt/.pth, torch.save since 1.6): data.pkl is read with the
/// <see cref="RestrictedUnpickler"/>, the state dict (a top-level "state_dict" entry, or the top
/// level itself) is indexed, and each tensor's storage is read from the zip only when asked for.
/// </summary>
public sealed class CheckpointFile : ITensorFile
{
    private const long MaxPickleBytes = 1L << 30;
    private readonly ZipArchive _zip;
    private readonly string _prefix;
    private readonly Dictionary<string, PickleTensor> _tensors;
    private (string Key, byte[] Bytes)? _lastStorage;

    public string Path { get; }
    public long FileSize { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; } = new Dictionary<string, string>();
    public IReadOnlyList<string> TensorNames { get; }

    /// <summary>Top-level entries other than the state dict (e.g. "global_step", "epoch"), as plain values.</summary>
    public IReadOnlyDictionary<string, object?> OtherEntries { get; }

    private CheckpointFile(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        if (!File.Exists(Path)) throw new FileNotFoundException($"{Path} does not exist", Path);
        FileSize = new FileInfo(Path).Length;
        try
        {
            _zip = new ZipArchive(new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read), ZipArchiveMode.Read, leaveOpen: false);
        }
        catch (InvalidDataException e)
        {
            throw Bad($"not a readable zip archive ({e.Message})", e);
        }
        try
        {
            var pickles = _zip.Entries.Where(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') == 1).ToList();
            if (pickles.Count != 1)
                throw Bad(pickles.Count == 0 ? "no <archive>/data.pkl inside: not a PyTorch checkpoint" : "more than one data.pkl inside");
            _prefix = pickles[0].FullName[..^"data.pkl".Length];
            var byteorder = _zip.GetEntry(_prefix + "byteorder");
            if (byteorder != null)
            {
                string order = System.Text.Encoding.ASCII.GetString(ReadEntry(byteorder, 16)).Trim();
                if (order != "little") throw Bad($"byte order '{order}' is not supported (only little-endian)");
            }
            object? root = RestrictedUnpickler.Load(ReadEntry(pickles[0], MaxPickleBytes), Path);
            (_tensors, TensorNames, OtherEntries) = IndexStateDict(root);
        }
        catch
        {
            _zip.Dispose();
            throw;
        }
    }

    public static CheckpointFile Open(string path) => new(path);

    private CheckpointFormatException Bad(string defect, Exception? inner = null) => new(Path, defect, inner);

    private (Dictionary<string, PickleTensor>, IReadOnlyList<string>, IReadOnlyDictionary<string, object?>) IndexStateDict(object? root)
    {
        if (root is not Dictionary<object, object?> top) throw Bad("the checkpoint's top level is not a dict");
        var stateDict = top;
        var others = new Dictionary<string, object?>();
        if (top.TryGetValue("state_dict", out var sd))
        {
            stateDict = sd as Dictionary<object, object?> ?? throw Bad("'state_dict' is not a dict");
            foreach (var (k, v) in top)
                if (k is string s && s != "state_dict" && v is not Dictionary<object, object?>) others[s] = v;
        }
        var tensors = new Dictionary<string, PickleTensor>(StringComparer.Ordinal);
        var names = new List<string>();
        foreach (var (k, v) in stateDict)
        {
            if (k is not string name) continue;
            if (v is PickleTensor t)
            {
                if (!RestrictedUnpickler.StorageTypes.ContainsKey(t.Storage.StorageType)) throw Bad($"tensor '{name}' has an unknown storage type");
                CheckExtent(name, t);
                tensors[name] = t;
                names.Add(name);
            }
            else if (stateDict == top) others[name] = v;
        }
        return (tensors, names, others);
    }

    private void CheckExtent(string name, PickleTensor t)
    {
        long count = 1, last = t.StorageOffset;
        try
        {
            for (int i = 0; i < t.Shape.Length; i++)
            {
                count = checked(count * t.Shape[i]);
                if (t.Shape[i] > 0) last = checked(last + (t.Shape[i] - 1) * t.Stride[i]);
            }
        }
        catch (OverflowException) { throw Bad($"tensor '{name}' has an overflowing shape or stride"); }
        if (count > 0 && last >= t.Storage.ElementCount)
            throw Bad($"tensor '{name}' reaches element {last} of storage '{t.Storage.Key}' which holds {t.Storage.ElementCount}");
    }

    private byte[] ReadEntry(ZipArchiveEntry entry, long max)
    {
        if (entry.Length > max) throw Bad($"{entry.FullName} is {entry.Length} bytes, over the {max}-byte limit");
        var buffer = new byte[entry.Length];
        try
        {
            using var s = entry.Open();
            s.ReadExactly(buffer);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
        {
            throw Bad($"{entry.FullName} cannot be read: {e.Message} (truncated or corrupt)", e);
        }
        return buffer;
    }

    private byte[] StorageBytes(PickleStorage storage)
    {
        if (_lastStorage is { } cached && cached.Key == storage.Key) return cached.Bytes;
        var entry = _zip.GetEntry(_prefix + "data/" + storage.Key) ?? throw Bad($"storage '{storage.Key}' is missing from the archive");
        long need = storage.ElementCount * RestrictedUnpickler.StorageTypes[storage.StorageType].ElementSize();
        if (entry.Length < need) throw Bad($"storage '{storage.Key}' is {entry.Length} bytes but {storage.ElementCount} {storage.StorageType} elements need {need}");
        var bytes = ReadEntry(entry, need);
        _lastStorage = (storage.Key, bytes);
        return bytes;
    }

    public bool Contains(string name) => _tensors.ContainsKey(name);

    private PickleTensor Tensor(string name) =>
        _tensors.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"{Path} has no tensor '{name}'");

    public TensorInfo GetInfo(string name)
    {
        var t = Tensor(name);
        return new TensorInfo(name, RestrictedUnpickler.StorageTypes[t.Storage.StorageType], t.Shape.ToArray());
    }

    public byte[] ReadBytes(string name)
    {
        var t = Tensor(name);
        var dtype = RestrictedUnpickler.StorageTypes[t.Storage.StorageType];
        int size = dtype.ElementSize();
        byte[] storage = StorageBytes(t.Storage);
        long count = t.Shape.Aggregate(1L, (a, b) => a * b);
        var result = new byte[count * size];
        if (count == 0) return result;
        if (IsContiguous(t))
        {
            Buffer.BlockCopy(storage, (int)(t.StorageOffset * size), result, 0, result.Length);
            return result;
        }
        // Strided view: walk the index space in row-major order.
        int nd = t.Shape.Length;
        var index = new long[nd];
        for (long i = 0; i < count; i++)
        {
            long src = t.StorageOffset;
            for (int d = 0; d < nd; d++) src += index[d] * t.Stride[d];
            Buffer.BlockCopy(storage, (int)(src * size), result, (int)(i * size), size);
            for (int d = nd - 1; d >= 0; d--)
            {
                if (++index[d] < t.Shape[d]) break;
                index[d] = 0;
            }
        }
        return result;
    }

    private static bool IsContiguous(PickleTensor t)
    {
        long expected = 1;
        for (int d = t.Shape.Length - 1; d >= 0; d--)
        {
            if (t.Shape[d] != 1 && t.Stride[d] != expected) return false;
            expected *= t.Shape[d];
        }
        return true;
    }

    public float[] ReadSingles(string name)
    {
        var info = GetInfo(name);
        var result = new float[info.ElementCount];
        HalfConversions.ToSingle(ReadBytes(name), info.DType, result);
        return result;
    }

    public void Dispose() => _zip.Dispose();
}
