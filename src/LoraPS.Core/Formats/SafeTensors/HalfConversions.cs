using System.Buffers.Binary;

namespace LoraPS.Formats.SafeTensors;

/// <summary>
/// Element conversions between the safetensors storage types and float32/float64, done in managed
/// code so reading a file never needs the engine. Rounding is to nearest even, as libtorch does.
/// </summary>
public static class HalfConversions
{
    public static float BFloat16ToSingle(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    public static ushort SingleToBFloat16(float value)
    {
        uint bits = (uint)BitConverter.SingleToInt32Bits(value);
        if (float.IsNaN(value)) return (ushort)((bits >> 16) | 0x40);
        uint rounding = 0x7FFF + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }

    /// <summary>float8 e4m3fn: bias 7, no infinities, S.1111.111 is NaN.</summary>
    public static float E4M3ToSingle(byte b)
    {
        int sign = (b & 0x80) != 0 ? -1 : 1;
        int exp = (b >> 3) & 0xF, man = b & 0x7;
        if (exp == 0xF && man == 0x7) return float.NaN;
        if (exp == 0) return sign * man / 8f * MathF.Pow(2, -6);
        return sign * (1 + man / 8f) * MathF.Pow(2, exp - 7);
    }

    /// <summary>float8 e5m2: bias 15, IEEE-like (infinities and NaNs).</summary>
    public static float E5M2ToSingle(byte b) => (float)BitConverter.UInt16BitsToHalf((ushort)(b << 8));

    public static byte SingleToE5M2(float value)
    {
        // e5m2 is the top byte of a half; round the half to nearest even on the dropped byte.
        ushort h = BitConverter.HalfToUInt16Bits((Half)value);
        if ((h & 0x7C00) == 0x7C00) return (byte)((h >> 8) | ((h & 0xFF) != 0 ? 1 : 0));
        int rounding = 0x7F + ((h >> 8) & 1);
        return (byte)((h + rounding) >> 8);
    }

    public static byte SingleToE4M3(float value)
    {
        if (float.IsNaN(value)) return 0x7F;
        byte sign = (byte)(value < 0 || (value == 0 && float.IsNegative(value)) ? 0x80 : 0);
        float a = MathF.Min(MathF.Abs(value), 448f); // saturate, as torch's e4m3fn cast does for finite values
        byte best = 0;
        float bestErr = float.MaxValue;
        for (int code = 0; code < 0x7F; code++)
        {
            float err = MathF.Abs(E4M3ToSingle((byte)code) - a);
            if (err < bestErr || (err == bestErr && (code & 1) == 0)) { bestErr = err; best = (byte)code; }
        }
        return (byte)(sign | best);
    }

    /// <summary>Decodes little-endian elements of <paramref name="dtype"/> into float32.</summary>
    public static void ToSingle(ReadOnlySpan<byte> bytes, SafeTensorDType dtype, Span<float> destination)
    {
        int n = destination.Length;
        switch (dtype)
        {
            case SafeTensorDType.F32:
                for (int i = 0; i < n; i++) destination[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * 4)..]);
                break;
            case SafeTensorDType.F16:
                for (int i = 0; i < n; i++) destination[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(i * 2)..]);
                break;
            case SafeTensorDType.BF16:
                for (int i = 0; i < n; i++) destination[i] = BFloat16ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes[(i * 2)..]));
                break;
            case SafeTensorDType.F64:
                for (int i = 0; i < n; i++) destination[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes[(i * 8)..]);
                break;
            case SafeTensorDType.F8_E4M3:
                for (int i = 0; i < n; i++) destination[i] = E4M3ToSingle(bytes[i]);
                break;
            case SafeTensorDType.F8_E5M2:
                for (int i = 0; i < n; i++) destination[i] = E5M2ToSingle(bytes[i]);
                break;
            case SafeTensorDType.I64:
                for (int i = 0; i < n; i++) destination[i] = BinaryPrimitives.ReadInt64LittleEndian(bytes[(i * 8)..]);
                break;
            case SafeTensorDType.U64:
                for (int i = 0; i < n; i++) destination[i] = BinaryPrimitives.ReadUInt64LittleEndian(bytes[(i * 8)..]);
                break;
            case SafeTensorDType.I32:
                for (int i = 0; i < n; i++) destination[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes[(i * 4)..]);
                break;
            case SafeTensorDType.U32:
                for (int i = 0; i < n; i++) destination[i] = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(i * 4)..]);
                break;
            case SafeTensorDType.I16:
                for (int i = 0; i < n; i++) destination[i] = BinaryPrimitives.ReadInt16LittleEndian(bytes[(i * 2)..]);
                break;
            case SafeTensorDType.U16:
                for (int i = 0; i < n; i++) destination[i] = BinaryPrimitives.ReadUInt16LittleEndian(bytes[(i * 2)..]);
                break;
            case SafeTensorDType.I8:
                for (int i = 0; i < n; i++) destination[i] = (sbyte)bytes[i];
                break;
            case SafeTensorDType.U8:
            case SafeTensorDType.BOOL:
                for (int i = 0; i < n; i++) destination[i] = bytes[i];
                break;
            default:
                throw new NotSupportedException($"no float conversion for {dtype}");
        }
    }

    /// <summary>Encodes float32 values as little-endian <paramref name="dtype"/> elements (floating types, and integers by truncation).</summary>
    public static void FromSingle(ReadOnlySpan<float> values, SafeTensorDType dtype, Span<byte> destination)
    {
        int n = values.Length;
        switch (dtype)
        {
            case SafeTensorDType.F32:
                for (int i = 0; i < n; i++) BinaryPrimitives.WriteSingleLittleEndian(destination[(i * 4)..], values[i]);
                break;
            case SafeTensorDType.F16:
                for (int i = 0; i < n; i++) BinaryPrimitives.WriteHalfLittleEndian(destination[(i * 2)..], (Half)values[i]);
                break;
            case SafeTensorDType.BF16:
                for (int i = 0; i < n; i++) BinaryPrimitives.WriteUInt16LittleEndian(destination[(i * 2)..], SingleToBFloat16(values[i]));
                break;
            case SafeTensorDType.F64:
                for (int i = 0; i < n; i++) BinaryPrimitives.WriteDoubleLittleEndian(destination[(i * 8)..], values[i]);
                break;
            case SafeTensorDType.F8_E4M3:
                for (int i = 0; i < n; i++) destination[i] = SingleToE4M3(values[i]);
                break;
            case SafeTensorDType.F8_E5M2:
                for (int i = 0; i < n; i++) destination[i] = SingleToE5M2(values[i]);
                break;
            case SafeTensorDType.I64:
                for (int i = 0; i < n; i++) BinaryPrimitives.WriteInt64LittleEndian(destination[(i * 8)..], (long)values[i]);
                break;
            case SafeTensorDType.I32:
                for (int i = 0; i < n; i++) BinaryPrimitives.WriteInt32LittleEndian(destination[(i * 4)..], (int)values[i]);
                break;
            case SafeTensorDType.I16:
                for (int i = 0; i < n; i++) BinaryPrimitives.WriteInt16LittleEndian(destination[(i * 2)..], (short)values[i]);
                break;
            case SafeTensorDType.I8:
                for (int i = 0; i < n; i++) destination[i] = (byte)(sbyte)values[i];
                break;
            case SafeTensorDType.U8:
                for (int i = 0; i < n; i++) destination[i] = (byte)values[i];
                break;
            case SafeTensorDType.BOOL:
                for (int i = 0; i < n; i++) destination[i] = values[i] != 0 ? (byte)1 : (byte)0;
                break;
            default:
                throw new NotSupportedException($"no float conversion to {dtype}");
        }
    }

    /// <summary>Converts a whole buffer to a new array of <paramref name="dtype"/> bytes.</summary>
    public static byte[] Encode(ReadOnlySpan<float> values, SafeTensorDType dtype)
    {
        var bytes = new byte[(long)values.Length * dtype.ElementSize()];
        FromSingle(values, dtype, bytes);
        return bytes;
    }
}
