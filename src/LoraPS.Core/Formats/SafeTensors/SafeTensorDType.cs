namespace LoraPS.Formats.SafeTensors;

/// <summary>
/// Element types of the safetensors format. The numeric order is the format's own (used when
/// writers order tensor data: larger enum value first), so do not renumber.
/// </summary>
public enum SafeTensorDType
{
    BOOL = 0,
    U8 = 1,
    I8 = 2,
    F8_E5M2 = 3,
    F8_E4M3 = 4,
    I16 = 5,
    U16 = 6,
    F16 = 7,
    BF16 = 8,
    I32 = 9,
    U32 = 10,
    F32 = 11,
    F64 = 12,
    I64 = 13,
    U64 = 14,
}

public static class SafeTensorDTypes
{
    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this SafeTensorDType dtype) => dtype switch
    {
        SafeTensorDType.BOOL or SafeTensorDType.U8 or SafeTensorDType.I8
            or SafeTensorDType.F8_E5M2 or SafeTensorDType.F8_E4M3 => 1,
        SafeTensorDType.I16 or SafeTensorDType.U16 or SafeTensorDType.F16 or SafeTensorDType.BF16 => 2,
        SafeTensorDType.I32 or SafeTensorDType.U32 or SafeTensorDType.F32 => 4,
        SafeTensorDType.F64 or SafeTensorDType.I64 or SafeTensorDType.U64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown safetensors dtype"),
    };

    /// <summary>True for the floating-point types (the ones a precision cast touches).</summary>
    public static bool IsFloatingPoint(this SafeTensorDType dtype) => dtype is SafeTensorDType.F16 or SafeTensorDType.BF16
        or SafeTensorDType.F32 or SafeTensorDType.F64 or SafeTensorDType.F8_E4M3 or SafeTensorDType.F8_E5M2;

    /// <summary>The header spelling, e.g. "F16".</summary>
    public static string HeaderName(this SafeTensorDType dtype) => dtype.ToString();

    /// <summary>Parses a header dtype string; false for anything unknown.</summary>
    public static bool TryParse(string? text, out SafeTensorDType dtype)
    {
        dtype = default;
        if (text is null || text.Length == 0 || char.IsDigit(text[0])) return false;
        return Enum.TryParse(text, ignoreCase: false, out dtype) && Enum.IsDefined(dtype);
    }
}
