namespace LoraPS.Formats.SafeTensors;

/// <summary>
/// A tensor to write: its name, dtype and shape, and a callback that streams exactly
/// <see cref="ByteLength"/> bytes when its turn comes, so a writer never holds a whole model.
/// </summary>
public sealed class SafeTensorEntry
{
    public string Name { get; }
    public SafeTensorDType DType { get; }
    public long[] Shape { get; }
    public long ByteLength { get; }
    private readonly Action<Stream> _writeData;

    public SafeTensorEntry(string name, SafeTensorDType dtype, long[] shape, Action<Stream> writeData)
    {
        if (string.IsNullOrEmpty(name)) throw new ArgumentException("a tensor needs a name", nameof(name));
        if (name == "__metadata__") throw new ArgumentException("'__metadata__' is reserved", nameof(name));
        Name = name;
        DType = dtype;
        Shape = shape.ToArray();
        long n = 1;
        foreach (long d in Shape)
        {
            if (d < 0) throw new ArgumentException($"tensor '{name}' has a negative dimension", nameof(shape));
            n = checked(n * d);
        }
        ByteLength = checked(n * dtype.ElementSize());
        _writeData = writeData;
    }

    internal void WriteData(Stream stream) => _writeData(stream);

    /// <summary>Writes this entry's bytes (for wrapping one entry in another).</summary>
    public void WriteTo(Stream stream) => _writeData(stream);

    /// <summary>Raw little-endian bytes already in memory.</summary>
    public static SafeTensorEntry FromBytes(string name, SafeTensorDType dtype, long[] shape, ReadOnlyMemory<byte> bytes)
    {
        var entry = new SafeTensorEntry(name, dtype, shape, s => s.Write(bytes.Span));
        if (entry.ByteLength != bytes.Length)
            throw new ArgumentException($"tensor '{name}' {dtype}[{string.Join(", ", shape)}] needs {entry.ByteLength} bytes, got {bytes.Length}");
        return entry;
    }

    /// <summary>float32 values stored as <paramref name="dtype"/> (converted when written).</summary>
    public static SafeTensorEntry FromSingles(string name, SafeTensorDType dtype, long[] shape, float[] values)
    {
        var entry = new SafeTensorEntry(name, dtype, shape, s => s.Write(HalfConversions.Encode(values, dtype)));
        if (entry.ByteLength != (long)values.Length * dtype.ElementSize())
            throw new ArgumentException($"tensor '{name}' shape [{string.Join(", ", shape)}] does not hold {values.Length} values");
        return entry;
    }

    /// <summary>A tensor of an open file copied through unchanged (streamed from the map).</summary>
    public static SafeTensorEntry CopyOf(SafeTensor tensor, string? newName = null) =>
        new(newName ?? tensor.Name, tensor.DType, tensor.ShapeArray(), tensor.CopyTo);

    /// <summary>A tensor of an open file cast to <paramref name="dtype"/> (floating types), converted in chunks.</summary>
    public static SafeTensorEntry CastOf(SafeTensor tensor, SafeTensorDType dtype, string? newName = null)
    {
        if (tensor.DType == dtype || !tensor.DType.IsFloatingPoint()) return CopyOf(tensor, newName);
        return new(newName ?? tensor.Name, dtype, tensor.ShapeArray(), s =>
        {
            const int chunk = 1 << 18;
            var floats = new float[chunk];
            var outBytes = new byte[chunk * dtype.ElementSize()];
            int inSize = tensor.DType.ElementSize();
            long total = tensor.ElementCount;
            for (long at = 0; at < total; at += chunk)
            {
                int n = (int)Math.Min(chunk, total - at);
                unsafe
                {
                    var src = new ReadOnlySpan<byte>(tensor.Pointer + at * inSize, n * inSize);
                    HalfConversions.ToSingle(src, tensor.DType, floats.AsSpan(0, n));
                }
                HalfConversions.FromSingle(floats.AsSpan(0, n), dtype, outBytes.AsSpan(0, n * dtype.ElementSize()));
                s.Write(outBytes, 0, n * dtype.ElementSize());
            }
        });
    }
}
