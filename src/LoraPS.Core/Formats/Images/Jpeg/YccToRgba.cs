using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LoraPS.Formats.Images.Jpeg;

/// <summary>
/// One row of YCbCr → RGBA with libjpeg's fixed-point constants, 16 pixels at a time with SSE4.1 where
/// available (same integer arithmetic as the scalar form, so the results are identical).
/// </summary>
internal static unsafe class YccToRgba
{
    private const int CrR = 91881, CbB = 116130, CbG = -22554, CrG = -46802, Half = 1 << 15;

    public static void Row(byte* y, byte* cb, byte* cr, byte* rgba, int width)
    {
        int x = 0;
        if (Sse41.IsSupported)
        {
            var c128 = Vector128.Create(128);
            var half = Vector128.Create(Half);
            var kCrR = Vector128.Create(CrR);
            var kCbB = Vector128.Create(CbB);
            var kCbG = Vector128.Create(CbG);
            var kCrG = Vector128.Create(CrG);
            var alpha = Vector128.Create((byte)255);
            for (; x + 16 <= width; x += 16)
            {
                Vector128<short> r01 = default, r23 = default, g01 = default, g23 = default, b01 = default, b23 = default;
                for (int part = 0; part < 4; part++)
                {
                    var yy = Sse41.ConvertToVector128Int32(y + x + part * 4);
                    var u = Sse2.Subtract(Sse41.ConvertToVector128Int32(cb + x + part * 4), c128);
                    var v = Sse2.Subtract(Sse41.ConvertToVector128Int32(cr + x + part * 4), c128);
                    var r = Sse2.Add(yy, Sse2.ShiftRightArithmetic(Sse2.Add(Sse41.MultiplyLow(v, kCrR), half), 16));
                    var g = Sse2.Add(yy, Sse2.ShiftRightArithmetic(Sse2.Add(Sse2.Add(Sse41.MultiplyLow(u, kCbG), half), Sse41.MultiplyLow(v, kCrG)), 16));
                    var b = Sse2.Add(yy, Sse2.ShiftRightArithmetic(Sse2.Add(Sse41.MultiplyLow(u, kCbB), half), 16));
                    switch (part)
                    {
                        case 0: r01 = r.AsInt16(); g01 = g.AsInt16(); b01 = b.AsInt16(); break;
                        case 1: r01 = Sse2.PackSignedSaturate(r01.AsInt32(), r); g01 = Sse2.PackSignedSaturate(g01.AsInt32(), g); b01 = Sse2.PackSignedSaturate(b01.AsInt32(), b); break;
                        case 2: r23 = r.AsInt16(); g23 = g.AsInt16(); b23 = b.AsInt16(); break;
                        default: r23 = Sse2.PackSignedSaturate(r23.AsInt32(), r); g23 = Sse2.PackSignedSaturate(g23.AsInt32(), g); b23 = Sse2.PackSignedSaturate(b23.AsInt32(), b); break;
                    }
                }
                Store(rgba + x * 4, Sse2.PackUnsignedSaturate(r01, r23), Sse2.PackUnsignedSaturate(g01, g23), Sse2.PackUnsignedSaturate(b01, b23), alpha);
            }
        }
        for (; x < width; x++)
        {
            int l = y[x], u = cb[x] - 128, v = cr[x] - 128;
            byte* o = rgba + x * 4;
            o[0] = Clamp(l + ((v * CrR + Half) >> 16));
            o[1] = Clamp(l + ((u * CbG + Half + v * CrG) >> 16));
            o[2] = Clamp(l + ((u * CbB + Half) >> 16));
            o[3] = 255;
        }
    }

    /// <summary>Interleaves 16 R, G, B, A bytes into 64 bytes of RGBA.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(byte* output, Vector128<byte> r, Vector128<byte> g, Vector128<byte> b, Vector128<byte> a)
    {
        var rgLo = Sse2.UnpackLow(r, g).AsInt16();
        var rgHi = Sse2.UnpackHigh(r, g).AsInt16();
        var baLo = Sse2.UnpackLow(b, a).AsInt16();
        var baHi = Sse2.UnpackHigh(b, a).AsInt16();
        Sse2.Store(output, Sse2.UnpackLow(rgLo, baLo).AsByte());
        Sse2.Store(output + 16, Sse2.UnpackHigh(rgLo, baLo).AsByte());
        Sse2.Store(output + 32, Sse2.UnpackLow(rgHi, baHi).AsByte());
        Sse2.Store(output + 48, Sse2.UnpackHigh(rgHi, baHi).AsByte());
    }

    private static byte Clamp(int v) => (uint)v <= 255 ? (byte)v : v < 0 ? (byte)0 : (byte)255;
}
