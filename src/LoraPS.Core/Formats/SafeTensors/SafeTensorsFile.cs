using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Text.Json;

namespace LoraPS.Formats.SafeTensors;

/// <summary>
/// A .safetensors file opened for reading through a memory map: the header is parsed and validated
/// at once, tensor bytes are touched only when a tensor is used. Dispose to unmap.
/// </summary>
public sealed unsafe class SafeTensorsFile : ITensorFile
{
    /// <summary>Upper bound on the JSON header (the reference implementation uses 100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private byte* _base;
    private readonly Dictionary<string, SafeTensor> _byName;

    public string Path { get; }
    public long FileSize { get; }

    /// <summary>Offset of the data section from the start of the file (8 + header length).</summary>
    public long DataOffset { get; }

    /// <summary>The __metadata__ string map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors in data order.</summary>
    public IReadOnlyList<SafeTensor> Tensors { get; }

    private SafeTensorsFile(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        var info = new FileInfo(Path);
        if (!info.Exists) throw new FileNotFoundException($"{Path} does not exist", Path);
        FileSize = info.Length;
        if (FileSize < 8) throw Bad($"file is {FileSize} bytes, shorter than the 8-byte header length");

        using (var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            Span<byte> lengthBytes = stackalloc byte[8];
            stream.ReadExactly(lengthBytes);
            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
            if (headerLength > MaxHeaderBytes)
                throw Bad($"header length {headerLength} exceeds the {MaxHeaderBytes}-byte limit");
            if ((long)headerLength > FileSize - 8)
                throw Bad($"header length {headerLength} runs past the end of the file ({FileSize} bytes): truncated");
            if (headerLength < 2) throw Bad($"header length {headerLength} is too short to hold a JSON object");
            var header = new byte[headerLength];
            stream.ReadExactly(header);
            DataOffset = 8 + (long)headerLength;
            try
            {
                (Metadata, Tensors) = ParseHeader(header, FileSize - DataOffset);
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or JsonException)
            {
                // Invalid UTF-8 inside strings and similar surface from the JSON reader only when read.
                throw Bad($"header is not well-formed JSON ({e.Message})", e);
            }
        }
        _byName = Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);

        if (FileSize > DataOffset)
        {
            _map = MemoryMappedFile.CreateFromFile(
                new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read), null, 0,
                MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            _view = _map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref _base);
            _base += _view.PointerOffset;
        }
    }

    /// <summary>Opens and validates <paramref name="path"/>; throws <see cref="SafeTensorsFormatException"/> naming the defect.</summary>
    public static SafeTensorsFile Open(string path) => new(path);

    /// <summary>Reads only the header (metadata and tensor list) without mapping the file.</summary>
    public static (IReadOnlyDictionary<string, string> Metadata, IReadOnlyList<SafeTensor> Tensors) ReadHeader(string path)
    {
        using var file = Open(path);
        return (file.Metadata, file.Tensors);
    }

    public bool Contains(string name) => _byName.ContainsKey(name);

    IReadOnlyList<string> ITensorFile.TensorNames => Tensors.Select(t => t.Name).ToList();

    public TensorInfo GetInfo(string name)
    {
        var t = this[name];
        return new TensorInfo(t.Name, t.DType, t.ShapeArray());
    }

    public float[] ReadSingles(string name) => this[name].ToSingleArray();

    public byte[] ReadBytes(string name) => this[name].Bytes.ToArray();

    public SafeTensor this[string name] =>
        _byName.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"{Path} has no tensor '{name}'");

    public bool TryGet(string name, out SafeTensor tensor) => _byName.TryGetValue(name, out tensor!);

    public IEnumerable<string> Names => Tensors.Select(t => t.Name);

    internal byte* PointerAt(long dataRelative)
    {
        if (_base == null)
        {
            if (_view is null && FileSize == DataOffset) return (byte*)0; // only empty tensors exist
            throw new ObjectDisposedException(Path);
        }
        return _base + DataOffset + dataRelative;
    }

    /// <summary>
    /// Tells the OS that a tensor's mapped pages are no longer needed (Linux madvise DONTNEED), so a
    /// one-pass stream through a large file (merging into a checkpoint) does not keep it resident.
    /// The data stays readable: a later access maps the pages in again. No-op elsewhere.
    /// </summary>
    public void ReleasePages(string name)
    {
        if (_base == null || !OperatingSystem.IsLinux() || !_byName.TryGetValue(name, out var t) || t.ByteLength == 0) return;
        long page = Environment.SystemPageSize;
        long start = (long)(_base + DataOffset + t.DataBegin);
        long end = start + t.ByteLength;
        long alignedStart = (start + page - 1) / page * page, alignedEnd = end / page * page;
        if (alignedEnd > alignedStart) madvise((IntPtr)alignedStart, (UIntPtr)(ulong)(alignedEnd - alignedStart), 4 /* MADV_DONTNEED */);
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int madvise(IntPtr address, UIntPtr length, int advice);

    private SafeTensorsFormatException Bad(string defect, Exception? inner = null) => new(Path, defect, inner);

    private (IReadOnlyDictionary<string, string>, IReadOnlyList<SafeTensor>) ParseHeader(byte[] header, long dataLength)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw Bad($"header is not well-formed JSON ({e.Message})", e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Bad("header is not a JSON object");
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var tensors = new List<SafeTensor>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name)) throw Bad($"header names '{property.Name}' twice");
                if (property.Name == "__metadata__")
                {
                    if (property.Value.ValueKind != JsonValueKind.Object) throw Bad("__metadata__ is not an object");
                    foreach (var m in property.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String)
                            throw Bad($"__metadata__ value '{m.Name}' is not a string");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                tensors.Add(ParseTensor(property.Name, property.Value, dataLength));
            }

            // Data must be exactly covered: sorted by offset, no overlap, no gap, no trailing bytes.
            var ordered = tensors.OrderBy(t => t.DataBegin).ThenBy(t => t.DataEnd).ToList();
            long at = 0;
            SafeTensor? previous = null;
            foreach (var t in ordered)
            {
                if (t.ByteLength == 0) continue;
                if (t.DataBegin < at)
                    throw Bad($"tensor '{t.Name}' [{t.DataBegin}, {t.DataEnd}) overlaps '{previous!.Name}' [{previous.DataBegin}, {previous.DataEnd})");
                if (t.DataBegin > at)
                    throw Bad($"{t.DataBegin - at} unexplained bytes before tensor '{t.Name}' at data offset {at}");
                at = t.DataEnd;
                previous = t;
            }
            if (at != dataLength)
                throw Bad($"data section is {dataLength} bytes but the tensors cover {at}: {dataLength - at} trailing bytes belong to no tensor");
            return (metadata, ordered);
        }
    }

    private SafeTensor ParseTensor(string name, JsonElement entry, long dataLength)
    {
        if (entry.ValueKind != JsonValueKind.Object) throw Bad($"entry for tensor '{name}' is not an object");
        if (!entry.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw Bad($"tensor '{name}' has no dtype");
        if (!SafeTensorDTypes.TryParse(dtypeElement.GetString(), out var dtype))
            throw Bad($"tensor '{name}' has unknown dtype '{dtypeElement.GetString()}'");
        if (!entry.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw Bad($"tensor '{name}' has no shape array");
        var shape = new List<long>();
        long elements = 1;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long dim) || dim < 0)
                throw Bad($"tensor '{name}' has an invalid dimension '{d.GetRawText()}'");
            shape.Add(dim);
            try { elements = checked(elements * dim); }
            catch (OverflowException) { throw Bad($"tensor '{name}' shape [{string.Join(", ", shape)}...] overflows"); }
        }
        if (!entry.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw Bad($"tensor '{name}' has no [begin, end] data_offsets");
        if (!offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end) || begin < 0 || end < begin)
            throw Bad($"tensor '{name}' has invalid data_offsets {offsets.GetRawText()}");
        if (end > dataLength)
            throw Bad($"tensor '{name}' data_offsets [{begin}, {end}) run past the data section ({dataLength} bytes): truncated");
        long expected;
        try { expected = checked(elements * dtype.ElementSize()); }
        catch (OverflowException) { throw Bad($"tensor '{name}' is too large"); }
        if (end - begin != expected)
            throw Bad($"tensor '{name}' is {dtype}[{string.Join(", ", shape)}] = {expected} bytes but its data_offsets span {end - begin}");
        foreach (var p in entry.EnumerateObject())
            if (p.Name is not ("dtype" or "shape" or "data_offsets"))
                throw Bad($"tensor '{name}' has an unknown field '{p.Name}'");
        return new SafeTensor(this, name, dtype, shape.ToArray(), begin, end);
    }

    public void Dispose()
    {
        if (_base != null)
        {
            _view!.SafeMemoryMappedViewHandle.ReleasePointer();
            _base = null;
        }
        _view?.Dispose();
        _map?.Dispose();
    }
}
