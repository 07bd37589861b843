using System.Runtime.CompilerServices;

namespace LoraPS.Formats.Images.Jpeg;

/// <summary>
/// The accurate integer inverse DCT that libjpeg calls "islow" (djpeg's default): the
/// Loeffler–Ligtenberg–Moschytz factorisation with 13-bit constants, 2 extra bits kept between the
/// column and the row pass. Same arithmetic as djpeg, so decoded samples agree with it.
/// </summary>
internal static class JpegIdct
{
    private const int ConstBits = 13;
    private const int Pass1Bits = 2;

    private const int Fix0_298631336 = 2446;
    private const int Fix0_390180644 = 3196;
    private const int Fix0_541196100 = 4433;
    private const int Fix0_765366865 = 6270;
    private const int Fix0_899976223 = 7373;
    private const int Fix1_175875602 = 9633;
    private const int Fix1_501321110 = 12299;
    private const int Fix1_847759065 = 15137;
    private const int Fix1_961570560 = 16069;
    private const int Fix2_053119869 = 16819;
    private const int Fix2_562915447 = 20995;
    private const int Fix3_072711026 = 25172;

    /// <summary>
    /// Dequantises <paramref name="coef"/> (64 values, natural order) by <paramref name="quant"/> and writes
    /// the 8×8 samples (level-shifted, clamped) to <paramref name="output"/> with row pitch <paramref name="stride"/>.
    /// </summary>
    [SkipLocalsInit]
    public static unsafe void Transform(short* coef, ushort* quant, byte* output, int stride)
    {
        if (JpegIdctAvx2.IsSupported)
        {
            JpegIdctAvx2.Transform(coef, quant, output, stride);
            return;
        }
        int* ws = stackalloc int[64];

        // Pass 1: columns.
        for (int col = 0; col < 8; col++)
        {
            short* c = coef + col;
            ushort* q = quant + col;
            int* w = ws + col;
            if (c[8] == 0 && c[16] == 0 && c[24] == 0 && c[32] == 0 && c[40] == 0 && c[48] == 0 && c[56] == 0)
            {
                int dc = (c[0] * q[0]) << Pass1Bits;
                w[0] = dc; w[8] = dc; w[16] = dc; w[24] = dc; w[32] = dc; w[40] = dc; w[48] = dc; w[56] = dc;
                continue;
            }

            int z2 = c[16] * q[16], z3 = c[48] * q[48];
            int z1 = (z2 + z3) * Fix0_541196100;
            int tmp2 = z1 + z3 * -Fix1_847759065;
            int tmp3 = z1 + z2 * Fix0_765366865;
            z2 = c[0] * q[0];
            z3 = c[32] * q[32];
            int tmp0 = (z2 + z3) << ConstBits;
            int tmp1 = (z2 - z3) << ConstBits;
            int tmp10 = tmp0 + tmp3, tmp13 = tmp0 - tmp3, tmp11 = tmp1 + tmp2, tmp12 = tmp1 - tmp2;

            tmp0 = c[56] * q[56];
            tmp1 = c[40] * q[40];
            tmp2 = c[24] * q[24];
            tmp3 = c[8] * q[8];
            Odd(ref tmp0, ref tmp1, ref tmp2, ref tmp3);

            const int shift = ConstBits - Pass1Bits, round = 1 << (shift - 1);
            w[0] = (tmp10 + tmp3 + round) >> shift;
            w[56] = (tmp10 - tmp3 + round) >> shift;
            w[8] = (tmp11 + tmp2 + round) >> shift;
            w[48] = (tmp11 - tmp2 + round) >> shift;
            w[16] = (tmp12 + tmp1 + round) >> shift;
            w[40] = (tmp12 - tmp1 + round) >> shift;
            w[24] = (tmp13 + tmp0 + round) >> shift;
            w[32] = (tmp13 - tmp0 + round) >> shift;
        }

        // Pass 2: rows, with the +128 level shift and clamping to 0..255.
        for (int row = 0; row < 8; row++)
        {
            int* w = ws + row * 8;
            byte* o = output + row * stride;
            if (w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 && w[5] == 0 && w[6] == 0 && w[7] == 0)
            {
                byte v = Clamp(((w[0] + (1 << (Pass1Bits + 2))) >> (Pass1Bits + 3)) + 128);
                o[0] = v; o[1] = v; o[2] = v; o[3] = v; o[4] = v; o[5] = v; o[6] = v; o[7] = v;
                continue;
            }

            int z2 = w[2], z3 = w[6];
            int z1 = (z2 + z3) * Fix0_541196100;
            int tmp2 = z1 + z3 * -Fix1_847759065;
            int tmp3 = z1 + z2 * Fix0_765366865;
            int tmp0 = (w[0] + w[4]) << ConstBits;
            int tmp1 = (w[0] - w[4]) << ConstBits;
            int tmp10 = tmp0 + tmp3, tmp13 = tmp0 - tmp3, tmp11 = tmp1 + tmp2, tmp12 = tmp1 - tmp2;

            tmp0 = w[7];
            tmp1 = w[5];
            tmp2 = w[3];
            tmp3 = w[1];
            Odd(ref tmp0, ref tmp1, ref tmp2, ref tmp3);

            const int shift = ConstBits + Pass1Bits + 3, round = 1 << (shift - 1);
            o[0] = Clamp(((tmp10 + tmp3 + round) >> shift) + 128);
            o[7] = Clamp(((tmp10 - tmp3 + round) >> shift) + 128);
            o[1] = Clamp(((tmp11 + tmp2 + round) >> shift) + 128);
            o[6] = Clamp(((tmp11 - tmp2 + round) >> shift) + 128);
            o[2] = Clamp(((tmp12 + tmp1 + round) >> shift) + 128);
            o[5] = Clamp(((tmp12 - tmp1 + round) >> shift) + 128);
            o[3] = Clamp(((tmp13 + tmp0 + round) >> shift) + 128);
            o[4] = Clamp(((tmp13 - tmp0 + round) >> shift) + 128);
        }
    }

    /// <summary>The transform of a block whose only non-zero coefficient is DC: one flat value (exactly what <see cref="Transform"/> gives).</summary>
    public static unsafe void TransformDcOnly(short dc, ushort quant, byte* output, int stride)
    {
        int ws = (dc * quant) << Pass1Bits;
        byte v = Clamp(((ws + (1 << (Pass1Bits + 2))) >> (Pass1Bits + 3)) + 128);
        ulong fill = 0x0101010101010101UL * v;
        for (int row = 0; row < 8; row++) *(ulong*)(output + row * stride) = fill;
    }

    /// <summary>The odd half of the 8-point transform; inputs are the 7th, 5th, 3rd and 1st terms.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Odd(ref int tmp0, ref int tmp1, ref int tmp2, ref int tmp3)
    {
        int z1 = tmp0 + tmp3, z2 = tmp1 + tmp2, z3 = tmp0 + tmp2, z4 = tmp1 + tmp3;
        int z5 = (z3 + z4) * Fix1_175875602;
        tmp0 *= Fix0_298631336;
        tmp1 *= Fix2_053119869;
        tmp2 *= Fix3_072711026;
        tmp3 *= Fix1_501321110;
        z1 *= -Fix0_899976223;
        z2 *= -Fix2_562915447;
        z3 = z3 * -Fix1_961570560 + z5;
        z4 = z4 * -Fix0_390180644 + z5;
        tmp0 += z1 + z3;
        tmp1 += z2 + z4;
        tmp2 += z2 + z3;
        tmp3 += z1 + z4;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte Clamp(int v) => (uint)v <= 255 ? (byte)v : v < 0 ? (byte)0 : (byte)255;
}
