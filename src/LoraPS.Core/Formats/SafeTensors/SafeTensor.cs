namespace LoraPS.Formats.SafeTensors;

/// <summary>
/// One tensor of an open <see cref="SafeTensorsFile"/>: its header entry and a lazy view of its
/// bytes in the memory-mapped file. Nothing is read until <see cref="Bytes"/> or a conversion is used;
/// the view is valid while the file is open.
/// </summary>
public sealed unsafe class SafeTensor
{
    private readonly SafeTensorsFile _file;

    internal SafeTensor(SafeTensorsFile file, string name, SafeTensorDType dtype, long[] shape, long begin, long end)
    {
        _file = file;
        Name = name;
        DType = dtype;
        Shape = shape;
        DataBegin = begin;
        DataEnd = end;
    }

    public string Name { get; }
    public SafeTensorDType DType { get; }
    public IReadOnlyList<long> Shape { get; }

    /// <summary>Offsets relative to the start of the data section, as the header gives them.</summary>
    public long DataBegin { get; }
    public long DataEnd { get; }
    public long ByteLength => DataEnd - DataBegin;

    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (long d in Shape) n *= d;
            return n;
        }
    }

    public long[] ShapeArray() => Shape.ToArray();

    /// <summary>The raw little-endian bytes (tensors over 2 GiB: use <see cref="CopyTo(Stream)"/>).</summary>
    public ReadOnlySpan<byte> Bytes
    {
        get
        {
            if (ByteLength > int.MaxValue)
                throw new NotSupportedException($"{Name} is {ByteLength} bytes, more than one span holds; use CopyTo");
            return new ReadOnlySpan<byte>(_file.PointerAt(DataBegin), (int)ByteLength);
        }
    }

    /// <summary>Pointer to the first byte (valid while the file is open).</summary>
    public byte* Pointer => _file.PointerAt(DataBegin);

    /// <summary>Streams the raw bytes into <paramref name="destination"/> in chunks.</summary>
    public void CopyTo(Stream destination)
    {
        const int chunk = 1 << 20;
        for (long at = 0; at < ByteLength; at += chunk)
        {
            int n = (int)Math.Min(chunk, ByteLength - at);
            destination.Write(new ReadOnlySpan<byte>(_file.PointerAt(DataBegin + at), n));
        }
    }

    /// <summary>The elements converted to float32 (any dtype).</summary>
    public float[] ToSingleArray()
    {
        var result = new float[ElementCount];
        HalfConversions.ToSingle(Bytes, DType, result);
        return result;
    }

    /// <summary>The single value of a 0-d or 1-element tensor (e.g. a LoRA's alpha).</summary>
    public double ToScalar()
    {
        if (ElementCount != 1)
            throw new SafeTensorsFormatException(_file.Path, $"tensor '{Name}' should hold one value but has shape [{string.Join(", ", Shape)}]");
        Span<float> one = stackalloc float[1];
        if (DType == SafeTensorDType.F64) return BitConverter.ToDouble(Bytes);
        if (DType == SafeTensorDType.I64) return BitConverter.ToInt64(Bytes);
        HalfConversions.ToSingle(Bytes, DType, one);
        return one[0];
    }

    public override string ToString() => $"{Name} {DType}[{string.Join(", ", Shape)}]";
}
