namespace LoraPS.Onnx;

/// <summary>ONNXTensorElementDataType; the same numbers as ONNX TensorProto.DataType.</summary>
public enum OnnxElementType
{
    Undefined = 0, Float = 1, UInt8 = 2, Int8 = 3, UInt16 = 4, Int16 = 5, Int32 = 6, Int64 = 7, String = 8, Bool = 9,
    Float16 = 10, Double = 11, UInt32 = 12, UInt64 = 13, Complex64 = 14, Complex128 = 15, BFloat16 = 16,
}

/// <summary>ONNXType: what kind of value an input or output is.</summary>
public enum OnnxValueKind { Unknown = 0, Tensor = 1, Sequence = 2, Map = 3, Opaque = 4, SparseTensor = 5, Optional = 6 }

/// <summary>One input or output of a session: name, kind, element type and shape (−1 for a symbolic dimension).</summary>
public sealed record OnnxValueInfo(string Name, OnnxValueKind Kind, OnnxElementType ElementType, long[] Shape)
{
    public override string ToString() =>
        Kind == OnnxValueKind.Tensor ? $"{Name}: {ElementType}[{string.Join(", ", Shape.Select(d => d < 0 ? "?" : d.ToString()))}]" : $"{Name}: {Kind}";
}

internal static class OnnxElementTypes
{
    public static OnnxElementType Of(Type t) =>
        t == typeof(float) ? OnnxElementType.Float
        : t == typeof(byte) ? OnnxElementType.UInt8
        : t == typeof(sbyte) ? OnnxElementType.Int8
        : t == typeof(short) ? OnnxElementType.Int16
        : t == typeof(ushort) ? OnnxElementType.UInt16
        : t == typeof(int) ? OnnxElementType.Int32
        : t == typeof(long) ? OnnxElementType.Int64
        : t == typeof(bool) ? OnnxElementType.Bool
        : t == typeof(double) ? OnnxElementType.Double
        : t == typeof(uint) ? OnnxElementType.UInt32
        : t == typeof(ulong) ? OnnxElementType.UInt64
        : t == typeof(Half) ? OnnxElementType.Float16
        : throw new NotSupportedException($"{t.Name} has no ONNX tensor element type LoraPS supports");

    public static int SizeOf(OnnxElementType t) => t switch
    {
        OnnxElementType.UInt8 or OnnxElementType.Int8 or OnnxElementType.Bool => 1,
        OnnxElementType.UInt16 or OnnxElementType.Int16 or OnnxElementType.Float16 or OnnxElementType.BFloat16 => 2,
        OnnxElementType.Float or OnnxElementType.Int32 or OnnxElementType.UInt32 => 4,
        OnnxElementType.Double or OnnxElementType.Int64 or OnnxElementType.UInt64 => 8,
        _ => throw new NotSupportedException($"ONNX element type {t} is not supported for tensors LoraPS reads"),
    };

    public static Type ClrType(OnnxElementType t) => t switch
    {
        OnnxElementType.Float => typeof(float), OnnxElementType.UInt8 => typeof(byte), OnnxElementType.Int8 => typeof(sbyte),
        OnnxElementType.Int16 => typeof(short), OnnxElementType.UInt16 => typeof(ushort), OnnxElementType.Int32 => typeof(int),
        OnnxElementType.Int64 => typeof(long), OnnxElementType.Bool => typeof(bool), OnnxElementType.Double => typeof(double),
        OnnxElementType.UInt32 => typeof(uint), OnnxElementType.UInt64 => typeof(ulong), OnnxElementType.Float16 => typeof(Half),
        _ => throw new NotSupportedException($"ONNX element type {t} is not supported for tensors LoraPS reads"),
    };
}
