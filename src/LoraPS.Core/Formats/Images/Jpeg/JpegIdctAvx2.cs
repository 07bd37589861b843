using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LoraPS.Formats.Images.Jpeg;

/// <summary>
/// The islow IDCT of <see cref="JpegIdct"/> with AVX2: the column pass works on whole rows (eight
/// columns per vector), the block is transposed, the row pass does the same, and a second transpose
/// restores rows. Same integer operations in the same order, so results are bit-identical.
/// </summary>
internal static unsafe class JpegIdctAvx2
{
    public static bool IsSupported => Avx2.IsSupported;

    [SkipLocalsInit]
    public static void Transform(short* coef, ushort* quant, byte* output, int stride)
    {
        Vector256<int> Row(int k) => Avx2.MultiplyLow(Avx2.ConvertToVector256Int32(coef + 8 * k), Avx2.ConvertToVector256Int32(quant + 8 * k).AsInt32());

        var r0 = Row(0); var r1 = Row(1); var r2 = Row(2); var r3 = Row(3);
        var r4 = Row(4); var r5 = Row(5); var r6 = Row(6); var r7 = Row(7);
        Pass(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7, 13 - 2);
        Transpose(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
        Pass(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7, 13 + 2 + 3);
        Transpose(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
        StorePair(r0, r1, output, stride);
        StorePair(r2, r3, output + 2 * stride, stride);
        StorePair(r4, r5, output + 4 * stride, stride);
        StorePair(r6, r7, output + 6 * stride, stride);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Mul(Vector256<int> v, int c) => Avx2.MultiplyLow(v, Vector256.Create(c));

    /// <summary>One 1-D pass over eight vectors (the k-th input term in each); results rounded and shifted right by <paramref name="shift"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Pass(ref Vector256<int> i0, ref Vector256<int> i1, ref Vector256<int> i2, ref Vector256<int> i3,
        ref Vector256<int> i4, ref Vector256<int> i5, ref Vector256<int> i6, ref Vector256<int> i7, byte shift)
    {
        var z1 = Mul(Avx2.Add(i2, i6), 4433);
        var tmp2 = Avx2.Add(z1, Mul(i6, -15137));
        var tmp3 = Avx2.Add(z1, Mul(i2, 6270));
        var tmp0 = Avx2.ShiftLeftLogical(Avx2.Add(i0, i4), 13);
        var tmp1 = Avx2.ShiftLeftLogical(Avx2.Subtract(i0, i4), 13);
        var tmp10 = Avx2.Add(tmp0, tmp3);
        var tmp13 = Avx2.Subtract(tmp0, tmp3);
        var tmp11 = Avx2.Add(tmp1, tmp2);
        var tmp12 = Avx2.Subtract(tmp1, tmp2);

        var o0 = i7; var o1 = i5; var o2 = i3; var o3 = i1;
        var za = Avx2.Add(o0, o3); var zb = Avx2.Add(o1, o2); var zc = Avx2.Add(o0, o2); var zd = Avx2.Add(o1, o3);
        var z5 = Mul(Avx2.Add(zc, zd), 9633);
        o0 = Mul(o0, 2446); o1 = Mul(o1, 16819); o2 = Mul(o2, 25172); o3 = Mul(o3, 12299);
        za = Mul(za, -7373); zb = Mul(zb, -20995);
        zc = Avx2.Add(Mul(zc, -16069), z5);
        zd = Avx2.Add(Mul(zd, -3196), z5);
        o0 = Avx2.Add(o0, Avx2.Add(za, zc));
        o1 = Avx2.Add(o1, Avx2.Add(zb, zd));
        o2 = Avx2.Add(o2, Avx2.Add(zb, zc));
        o3 = Avx2.Add(o3, Avx2.Add(za, zd));

        var round = Vector256.Create(1 << (shift - 1));
        i0 = Avx2.ShiftRightArithmetic(Avx2.Add(Avx2.Add(tmp10, o3), round), shift);
        i7 = Avx2.ShiftRightArithmetic(Avx2.Add(Avx2.Subtract(tmp10, o3), round), shift);
        i1 = Avx2.ShiftRightArithmetic(Avx2.Add(Avx2.Add(tmp11, o2), round), shift);
        i6 = Avx2.ShiftRightArithmetic(Avx2.Add(Avx2.Subtract(tmp11, o2), round), shift);
        i2 = Avx2.ShiftRightArithmetic(Avx2.Add(Avx2.Add(tmp12, o1), round), shift);
        i5 = Avx2.ShiftRightArithmetic(Avx2.Add(Avx2.Subtract(tmp12, o1), round), shift);
        i3 = Avx2.ShiftRightArithmetic(Avx2.Add(Avx2.Add(tmp13, o0), round), shift);
        i4 = Avx2.ShiftRightArithmetic(Avx2.Add(Avx2.Subtract(tmp13, o0), round), shift);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(ref Vector256<int> a0, ref Vector256<int> a1, ref Vector256<int> a2, ref Vector256<int> a3,
        ref Vector256<int> a4, ref Vector256<int> a5, ref Vector256<int> a6, ref Vector256<int> a7)
    {
        var t0 = Avx2.UnpackLow(a0, a1); var t1 = Avx2.UnpackHigh(a0, a1);
        var t2 = Avx2.UnpackLow(a2, a3); var t3 = Avx2.UnpackHigh(a2, a3);
        var t4 = Avx2.UnpackLow(a4, a5); var t5 = Avx2.UnpackHigh(a4, a5);
        var t6 = Avx2.UnpackLow(a6, a7); var t7 = Avx2.UnpackHigh(a6, a7);
        var u0 = Avx2.UnpackLow(t0.AsInt64(), t2.AsInt64()).AsInt32(); var u1 = Avx2.UnpackHigh(t0.AsInt64(), t2.AsInt64()).AsInt32();
        var u2 = Avx2.UnpackLow(t1.AsInt64(), t3.AsInt64()).AsInt32(); var u3 = Avx2.UnpackHigh(t1.AsInt64(), t3.AsInt64()).AsInt32();
        var u4 = Avx2.UnpackLow(t4.AsInt64(), t6.AsInt64()).AsInt32(); var u5 = Avx2.UnpackHigh(t4.AsInt64(), t6.AsInt64()).AsInt32();
        var u6 = Avx2.UnpackLow(t5.AsInt64(), t7.AsInt64()).AsInt32(); var u7 = Avx2.UnpackHigh(t5.AsInt64(), t7.AsInt64()).AsInt32();
        a0 = Avx2.Permute2x128(u0, u4, 0x20); a1 = Avx2.Permute2x128(u1, u5, 0x20);
        a2 = Avx2.Permute2x128(u2, u6, 0x20); a3 = Avx2.Permute2x128(u3, u7, 0x20);
        a4 = Avx2.Permute2x128(u0, u4, 0x31); a5 = Avx2.Permute2x128(u1, u5, 0x31);
        a6 = Avx2.Permute2x128(u2, u6, 0x31); a7 = Avx2.Permute2x128(u3, u7, 0x31);
    }

    /// <summary>Level-shifts two rows by 128, clamps to 0..255 and stores them as bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePair(Vector256<int> a, Vector256<int> b, byte* output, int stride)
    {
        var c128 = Vector256.Create(128);
        var shorts = Avx2.Permute4x64(Avx2.PackSignedSaturate(Avx2.Add(a, c128), Avx2.Add(b, c128)).AsInt64(), 0xD8).AsInt16();
        var bytes = Sse2.PackUnsignedSaturate(shorts.GetLower(), shorts.GetUpper()).AsUInt64();
        *(ulong*)output = bytes.GetElement(0);
        *(ulong*)(output + stride) = bytes.GetElement(1);
    }
}
