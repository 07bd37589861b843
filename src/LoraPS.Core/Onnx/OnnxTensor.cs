namespace LoraPS.Onnx;

/// <summary>
/// A dense tensor in managed memory: a flat row-major array and a shape. Inputs are handed to ONNX
/// Runtime without a copy (the array is pinned for the call); outputs are copied out of ORT's memory.
/// </summary>
public sealed class OnnxTensor
{
    public Array Data { get; }
    public long[] Shape { get; }
    public OnnxElementType ElementType { get; }

    public OnnxTensor(Array data, params long[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Rank != 1) throw new ArgumentException("tensor data must be a flat (one-dimensional) array", nameof(data));
        long count = 1;
        foreach (long d in shape)
        {
            if (d < 0) throw new ArgumentException($"shape [{string.Join(", ", shape)}] has a negative dimension", nameof(shape));
            count *= d;
        }
        if (count != data.Length)
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] holds {count} elements but the array has {data.Length}", nameof(shape));
        Data = data;
        Shape = (long[])shape.Clone();
        ElementType = OnnxElementTypes.Of(data.GetType().GetElementType()!);
    }

    public static OnnxTensor Of<T>(T[] data, params long[] shape) where T : unmanaged => new(data, shape);

    /// <summary>The data as <typeparamref name="T"/>[]; a clear error when the element type differs.</summary>
    public T[] As<T>() => Data as T[] ?? throw new InvalidCastException($"tensor holds {ElementType}, not {typeof(T).Name}");

    public override string ToString() => $"{ElementType}[{string.Join(", ", Shape)}]";
}
