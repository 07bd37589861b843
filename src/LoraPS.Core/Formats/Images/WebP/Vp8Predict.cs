using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LoraPS.Formats.Images.WebP;

/// <summary>
/// VP8 intra predictors (RFC 6386 section 12). Each works in place on a block whose row above
/// (including four above-right pixels for 4×4 blocks), left column and top-left corner are already set.
/// </summary>
internal static unsafe class Vp8Predict
{
    public const int DcNoTop = 4, DcNoLeft = 5, DcNoTopLeft = 6;

    private static byte Avg3(int a, int b, int c) => (byte)((a + 2 * b + c + 2) >> 2);
    private static byte Avg2(int a, int b) => (byte)((a + b + 1) >> 1);
    private static byte Clip(int v) => (uint)v <= 255 ? (byte)v : v < 0 ? (byte)0 : (byte)255;

    public static void Luma16(byte* dst, int mode, int bps) => Square(dst, mode, 16, bps);

    public static void Chroma8(byte* dst, int mode, int bps) => Square(dst, mode, 8, bps);

    /// <summary>DC, V, H, TM (and the DC edge variants) for 16×16 luma and 8×8 chroma.</summary>
    private static void Square(byte* dst, int mode, int size, int bps)
    {
        int shift = size == 16 ? 4 : 3;
        switch (mode)
        {
            case 0: // DC
            {
                int sum = size;
                for (int i = 0; i < size; i++) sum += dst[i - bps] + dst[i * bps - 1];
                Fill(dst, (byte)(sum >> (shift + 1)), size, bps);
                break;
            }
            case DcNoTop:
            {
                int sum = size >> 1;
                for (int i = 0; i < size; i++) sum += dst[i * bps - 1];
                Fill(dst, (byte)(sum >> shift), size, bps);
                break;
            }
            case DcNoLeft:
            {
                int sum = size >> 1;
                for (int i = 0; i < size; i++) sum += dst[i - bps];
                Fill(dst, (byte)(sum >> shift), size, bps);
                break;
            }
            case DcNoTopLeft:
                Fill(dst, 0x80, size, bps);
                break;
            case 1: // V
            {
                ulong a = *(ulong*)(dst - bps), b = size == 16 ? *(ulong*)(dst - bps + 8) : 0;
                for (int y = 0; y < size; y++)
                {
                    ulong* row = (ulong*)(dst + y * bps);
                    row[0] = a;
                    if (size == 16) row[1] = b;
                }
                break;
            }
            case 2: // H
                for (int y = 0; y < size; y++)
                {
                    ulong v = 0x0101010101010101UL * dst[y * bps - 1];
                    ulong* row = (ulong*)(dst + y * bps);
                    row[0] = v;
                    if (size == 16) row[1] = v;
                }
                break;
            default: // TM
                TrueMotion(dst, size, bps);
                break;
        }
    }

    private static void Fill(byte* dst, byte value, int size, int bps)
    {
        ulong v = 0x0101010101010101UL * value;
        for (int y = 0; y < size; y++)
        {
            ulong* row = (ulong*)(dst + y * bps);
            row[0] = v;
            if (size == 16) row[1] = v;
        }
    }

    private static void TrueMotion(byte* dst, int size, int bps)
    {
        byte* top = dst - bps;
        int topLeft = top[-1];
        if (size >= 8 && Sse2.IsSupported)
        {
            var zero = Vector128<byte>.Zero;
            var t = size == 16 ? Sse2.LoadVector128(top) : Vector128.CreateScalar(*(ulong*)top).AsByte();
            var lo = Sse2.UnpackLow(t, zero).AsInt16();
            var hi = Sse2.UnpackHigh(t, zero).AsInt16();
            for (int y = 0; y < size; y++)
            {
                var delta = Vector128.Create((short)(dst[y * bps - 1] - topLeft));
                var row = Sse2.PackUnsignedSaturate(Sse2.Add(lo, delta), Sse2.Add(hi, delta));
                if (size == 16) Sse2.Store(dst + y * bps, row);
                else *(ulong*)(dst + y * bps) = row.AsUInt64().ToScalar();
            }
            return;
        }
        for (int y = 0; y < size; y++)
        {
            int left = dst[y * bps - 1] - topLeft;
            byte* row = dst + y * bps;
            for (int x = 0; x < size; x++) row[x] = Clip(top[x] + left);
        }
    }

    /// <summary>The ten 4×4 sub-block predictors, RFC mode numbers (DC, TM, VE, HE, LD, RD, VR, VL, HD, HU).</summary>
    public static void Luma4(byte* dst, int mode, int bps)
    {
        byte* top = dst - bps;
        int X = top[-1], A = top[0], B = top[1], C = top[2], D = top[3], E = top[4], F = top[5], G = top[6], H = top[7];
        int I = dst[-1], J = dst[bps - 1], K = dst[2 * bps - 1], L = dst[3 * bps - 1];
        byte* r0 = dst, r1 = dst + bps, r2 = dst + 2 * bps, r3 = dst + 3 * bps;
        switch (mode)
        {
            case 0: // DC
            {
                byte dc = (byte)((A + B + C + D + I + J + K + L + 4) >> 3);
                for (int y = 0; y < 4; y++) new Span<byte>(dst + y * bps, 4).Fill(dc);
                break;
            }
            case 1: // TM
                TrueMotion(dst, 4, bps);
                break;
            case 2: // VE
            {
                byte a = Avg3(X, A, B), b = Avg3(A, B, C), c = Avg3(B, C, D), d = Avg3(C, D, E);
                for (int y = 0; y < 4; y++) { byte* r = dst + y * bps; r[0] = a; r[1] = b; r[2] = c; r[3] = d; }
                break;
            }
            case 3: // HE
            {
                new Span<byte>(r0, 4).Fill(Avg3(X, I, J));
                new Span<byte>(r1, 4).Fill(Avg3(I, J, K));
                new Span<byte>(r2, 4).Fill(Avg3(J, K, L));
                new Span<byte>(r3, 4).Fill(Avg3(K, L, L));
                break;
            }
            case 4: // LD
                r0[0] = Avg3(A, B, C);
                r0[1] = r1[0] = Avg3(B, C, D);
                r0[2] = r1[1] = r2[0] = Avg3(C, D, E);
                r0[3] = r1[2] = r2[1] = r3[0] = Avg3(D, E, F);
                r1[3] = r2[2] = r3[1] = Avg3(E, F, G);
                r2[3] = r3[2] = Avg3(F, G, H);
                r3[3] = Avg3(G, H, H);
                break;
            case 5: // RD
                r3[0] = Avg3(J, K, L);
                r3[1] = r2[0] = Avg3(I, J, K);
                r3[2] = r2[1] = r1[0] = Avg3(X, I, J);
                r3[3] = r2[2] = r1[1] = r0[0] = Avg3(A, X, I);
                r2[3] = r1[2] = r0[1] = Avg3(B, A, X);
                r1[3] = r0[2] = Avg3(C, B, A);
                r0[3] = Avg3(D, C, B);
                break;
            case 6: // VR
                r0[0] = r2[1] = Avg2(X, A);
                r0[1] = r2[2] = Avg2(A, B);
                r0[2] = r2[3] = Avg2(B, C);
                r0[3] = Avg2(C, D);
                r3[0] = Avg3(K, J, I);
                r2[0] = Avg3(J, I, X);
                r1[0] = r3[1] = Avg3(I, X, A);
                r1[1] = r3[2] = Avg3(X, A, B);
                r1[2] = r3[3] = Avg3(A, B, C);
                r1[3] = Avg3(B, C, D);
                break;
            case 7: // VL
                r0[0] = Avg2(A, B);
                r0[1] = r2[0] = Avg2(B, C);
                r0[2] = r2[1] = Avg2(C, D);
                r0[3] = r2[2] = Avg2(D, E);
                r1[0] = Avg3(A, B, C);
                r1[1] = r3[0] = Avg3(B, C, D);
                r1[2] = r3[1] = Avg3(C, D, E);
                r1[3] = r3[2] = Avg3(D, E, F);
                r2[3] = Avg3(E, F, G);
                r3[3] = Avg3(F, G, H);
                break;
            case 8: // HD
                r0[0] = r1[2] = Avg2(I, X);
                r1[0] = r2[2] = Avg2(J, I);
                r2[0] = r3[2] = Avg2(K, J);
                r3[0] = Avg2(L, K);
                r0[3] = Avg3(A, B, C);
                r0[2] = Avg3(X, A, B);
                r0[1] = r1[3] = Avg3(I, X, A);
                r1[1] = r2[3] = Avg3(J, I, X);
                r2[1] = r3[3] = Avg3(K, J, I);
                r3[1] = Avg3(L, K, J);
                break;
            default: // HU
                r0[0] = Avg2(I, J);
                r0[2] = r1[0] = Avg2(J, K);
                r1[2] = r2[0] = Avg2(K, L);
                r0[1] = Avg3(I, J, K);
                r0[3] = r1[1] = Avg3(J, K, L);
                r1[3] = r2[1] = Avg3(K, L, L);
                r2[3] = r2[2] = r3[0] = r3[1] = r3[2] = r3[3] = (byte)L;
                break;
        }
    }
}
