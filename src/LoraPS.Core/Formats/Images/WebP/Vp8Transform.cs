using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LoraPS.Formats.Images.WebP;

/// <summary>VP8's inverse transforms: the 4×4 integer DCT added onto the prediction, and the Walsh–Hadamard transform of the luma DC terms.</summary>
internal static class Vp8Transform
{
    private static int Mul1(int a) => ((a * 20091) >> 16) + a;   // a·√2·cos(π/8)
    private static int Mul2(int a) => (a * 35468) >> 16;         // a·√2·sin(π/8)

    /// <summary>Adds the inverse DCT of 16 coefficients (raster order) to the 4×4 pixels at <paramref name="dst"/>.</summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    public static unsafe void AddInverse(short* input, byte* dst, int stride)
    {
        // All-zero blocks are common: nothing to add.
        long* q = (long*)input;
        if ((q[0] | q[1] | q[2] | q[3]) == 0) return;
        if (Sse41.IsSupported)
        {
            AddInverseSse41(input, dst, stride);
            return;
        }
        int* tmp = stackalloc int[16];
        for (int i = 0; i < 4; i++)
        {
            int a = input[i] + input[8 + i];
            int b = input[i] - input[8 + i];
            int c = Mul2(input[4 + i]) - Mul1(input[12 + i]);
            int d = Mul1(input[4 + i]) + Mul2(input[12 + i]);
            tmp[i * 4 + 0] = a + d;
            tmp[i * 4 + 1] = b + c;
            tmp[i * 4 + 2] = b - c;
            tmp[i * 4 + 3] = a - d;
        }
        for (int i = 0; i < 4; i++)
        {
            int dc = tmp[i] + 4;
            int a = dc + tmp[8 + i];
            int b = dc - tmp[8 + i];
            int c = Mul2(tmp[4 + i]) - Mul1(tmp[12 + i]);
            int d = Mul1(tmp[4 + i]) + Mul2(tmp[12 + i]);
            byte* row = dst + i * stride;
            row[0] = Clip(row[0] + ((a + d) >> 3));
            row[1] = Clip(row[1] + ((b + c) >> 3));
            row[2] = Clip(row[2] + ((b - c) >> 3));
            row[3] = Clip(row[3] + ((a - d) >> 3));
        }
    }

    private static Vector128<int> Mul1(Vector128<int> a) => Sse2.Add(Sse2.ShiftRightArithmetic(Sse41.MultiplyLow(a, Vector128.Create(20091)), 16), a);
    private static Vector128<int> Mul2(Vector128<int> a) => Sse2.ShiftRightArithmetic(Sse41.MultiplyLow(a, Vector128.Create(35468)), 16);

    private static void Transpose(ref Vector128<int> a0, ref Vector128<int> a1, ref Vector128<int> a2, ref Vector128<int> a3)
    {
        var t0 = Sse2.UnpackLow(a0, a1); var t1 = Sse2.UnpackLow(a2, a3);
        var t2 = Sse2.UnpackHigh(a0, a1); var t3 = Sse2.UnpackHigh(a2, a3);
        a0 = Sse2.UnpackLow(t0.AsInt64(), t1.AsInt64()).AsInt32();
        a1 = Sse2.UnpackHigh(t0.AsInt64(), t1.AsInt64()).AsInt32();
        a2 = Sse2.UnpackLow(t2.AsInt64(), t3.AsInt64()).AsInt32();
        a3 = Sse2.UnpackHigh(t2.AsInt64(), t3.AsInt64()).AsInt32();
    }

    /// <summary>The same transform with the four columns (then the four rows) in SSE lanes; identical arithmetic.</summary>
    private static unsafe void AddInverseSse41(short* input, byte* dst, int stride)
    {
        var r0 = Sse41.ConvertToVector128Int32(input);
        var r1 = Sse41.ConvertToVector128Int32(input + 4);
        var r2 = Sse41.ConvertToVector128Int32(input + 8);
        var r3 = Sse41.ConvertToVector128Int32(input + 12);
        var a = Sse2.Add(r0, r2);
        var b = Sse2.Subtract(r0, r2);
        var c = Sse2.Subtract(Mul2(r1), Mul1(r3));
        var d = Sse2.Add(Mul1(r1), Mul2(r3));
        var t0 = Sse2.Add(a, d); var t1 = Sse2.Add(b, c); var t2 = Sse2.Subtract(b, c); var t3 = Sse2.Subtract(a, d);
        Transpose(ref t0, ref t1, ref t2, ref t3);
        var dc = Sse2.Add(t0, Vector128.Create(4));
        a = Sse2.Add(dc, t2);
        b = Sse2.Subtract(dc, t2);
        c = Sse2.Subtract(Mul2(t1), Mul1(t3));
        d = Sse2.Add(Mul1(t1), Mul2(t3));
        var c0 = Sse2.ShiftRightArithmetic(Sse2.Add(a, d), 3);
        var c1 = Sse2.ShiftRightArithmetic(Sse2.Add(b, c), 3);
        var c2 = Sse2.ShiftRightArithmetic(Sse2.Subtract(b, c), 3);
        var c3 = Sse2.ShiftRightArithmetic(Sse2.Subtract(a, d), 3);
        Transpose(ref c0, ref c1, ref c2, ref c3);
        AddRow(dst, c0);
        AddRow(dst + stride, c1);
        AddRow(dst + 2 * stride, c2);
        AddRow(dst + 3 * stride, c3);
    }

    private static unsafe void AddRow(byte* dst, Vector128<int> residue)
    {
        var sum = Sse2.Add(Sse41.ConvertToVector128Int32(dst), residue);
        var shorts = Sse2.PackSignedSaturate(sum, sum);
        *(uint*)dst = Sse2.PackUnsignedSaturate(shorts, shorts).AsUInt32().ToScalar();
    }

    /// <summary>Inverse WHT of the Y2 block into coefficient 0 of each of the 16 luma blocks.</summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    public static unsafe void InverseWht(short* input, short* blocks, bool full)
    {
        if (!full)
        {
            short dc0 = (short)((input[0] + 3) >> 3);
            for (int i = 0; i < 16; i++) blocks[i * 16] = dc0;
            return;
        }
        int* tmp = stackalloc int[16];
        for (int i = 0; i < 4; i++)
        {
            int a0 = input[i] + input[12 + i];
            int a1 = input[4 + i] + input[8 + i];
            int a2 = input[4 + i] - input[8 + i];
            int a3 = input[i] - input[12 + i];
            tmp[i] = a0 + a1;
            tmp[8 + i] = a0 - a1;
            tmp[4 + i] = a3 + a2;
            tmp[12 + i] = a3 - a2;
        }
        for (int i = 0; i < 4; i++)
        {
            int dc = tmp[i * 4] + 3;
            int a0 = dc + tmp[i * 4 + 3];
            int a1 = tmp[i * 4 + 1] + tmp[i * 4 + 2];
            int a2 = tmp[i * 4 + 1] - tmp[i * 4 + 2];
            int a3 = dc - tmp[i * 4 + 3];
            blocks[(i * 4 + 0) * 16] = (short)((a0 + a1) >> 3);
            blocks[(i * 4 + 1) * 16] = (short)((a3 + a2) >> 3);
            blocks[(i * 4 + 2) * 16] = (short)((a0 - a1) >> 3);
            blocks[(i * 4 + 3) * 16] = (short)((a3 - a2) >> 3);
        }
    }

    private static byte Clip(int v) => (uint)v <= 255 ? (byte)v : v < 0 ? (byte)0 : (byte)255;
}
