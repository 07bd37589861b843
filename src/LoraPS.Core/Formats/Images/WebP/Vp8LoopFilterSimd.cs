using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LoraPS.Formats.Images.WebP;

/// <summary>
/// The normal loop filter on 16 edge positions at once (SSE4.1), with exactly the integer arithmetic of
/// the scalar filter in <see cref="Vp8LoopFilter"/>. Vertical edges are transposed in and out.
/// </summary>
internal static unsafe class Vp8LoopFilterSimd
{
    public static bool IsSupported => Sse41.IsSupported;

    /// <summary>Filters across a horizontal edge: 16 pixels of row p[0] against row p[−stride].</summary>
    public static void HorizontalEdge16(byte* p, int stride, int limit, int interior, int hev, bool macroblockEdge)
    {
        var p3 = Sse2.LoadVector128(p - 4 * stride);
        var p2 = Sse2.LoadVector128(p - 3 * stride);
        var p1 = Sse2.LoadVector128(p - 2 * stride);
        var p0 = Sse2.LoadVector128(p - stride);
        var q0 = Sse2.LoadVector128(p);
        var q1 = Sse2.LoadVector128(p + stride);
        var q2 = Sse2.LoadVector128(p + 2 * stride);
        var q3 = Sse2.LoadVector128(p + 3 * stride);
        Filter(ref p2, ref p1, ref p0, ref q0, ref q1, ref q2, p3, q3, limit, interior, hev, macroblockEdge);
        Sse2.Store(p - 3 * stride, p2);
        Sse2.Store(p - 2 * stride, p1);
        Sse2.Store(p - stride, p0);
        Sse2.Store(p, q0);
        Sse2.Store(p + stride, q1);
        Sse2.Store(p + 2 * stride, q2);
    }

    /// <summary>The same across a horizontal chroma edge: 8 pixels of U and 8 of V together.</summary>
    public static void HorizontalEdgeUv(byte* u, byte* v, int stride, int limit, int interior, int hev, bool macroblockEdge)
    {
        Vector128<byte> Load(int offset) => Vector128.Create(*(ulong*)(u + offset), *(ulong*)(v + offset)).AsByte();
        var p3 = Load(-4 * stride); var p2 = Load(-3 * stride); var p1 = Load(-2 * stride); var p0 = Load(-stride);
        var q0 = Load(0); var q1 = Load(stride); var q2 = Load(2 * stride); var q3 = Load(3 * stride);
        Filter(ref p2, ref p1, ref p0, ref q0, ref q1, ref q2, p3, q3, limit, interior, hev, macroblockEdge);
        void Store(int offset, Vector128<byte> value)
        {
            *(ulong*)(u + offset) = value.AsUInt64().GetElement(0);
            *(ulong*)(v + offset) = value.AsUInt64().GetElement(1);
        }
        Store(-3 * stride, p2); Store(-2 * stride, p1); Store(-stride, p0); Store(0, q0); Store(stride, q1); Store(2 * stride, q2);
    }

    /// <summary>Filters across a vertical edge: 16 rows, pixel p[0] of each against p[−1].</summary>
    public static void VerticalEdge16(byte* p, int stride, int limit, int interior, int hev, bool macroblockEdge)
    {
        byte** rows = stackalloc byte*[16];
        for (int r = 0; r < 16; r++) rows[r] = p - 4 + r * stride;
        VerticalEdge(rows, limit, interior, hev, macroblockEdge);
    }

    /// <summary>The same for a vertical chroma edge: 8 rows of U, then 8 of V.</summary>
    public static void VerticalEdgeUv(byte* u, byte* v, int stride, int limit, int interior, int hev, bool macroblockEdge)
    {
        byte** rows = stackalloc byte*[16];
        for (int r = 0; r < 8; r++) { rows[r] = u - 4 + r * stride; rows[8 + r] = v - 4 + r * stride; }
        VerticalEdge(rows, limit, interior, hev, macroblockEdge);
    }

    private static void VerticalEdge(byte** rows, int limit, int interior, int hev, bool macroblockEdge)
    {
        // Transpose 16 rows × 8 bytes into 8 columns × 16 bytes.
        Vector128<byte> L(int r) => Vector128.CreateScalar(*(ulong*)rows[r]).AsByte();
        var t0 = Sse2.UnpackLow(L(0), L(1)); var t1 = Sse2.UnpackLow(L(2), L(3));
        var t2 = Sse2.UnpackLow(L(4), L(5)); var t3 = Sse2.UnpackLow(L(6), L(7));
        var t4 = Sse2.UnpackLow(L(8), L(9)); var t5 = Sse2.UnpackLow(L(10), L(11));
        var t6 = Sse2.UnpackLow(L(12), L(13)); var t7 = Sse2.UnpackLow(L(14), L(15));
        var u0 = Sse2.UnpackLow(t0.AsInt16(), t1.AsInt16()); var u1 = Sse2.UnpackHigh(t0.AsInt16(), t1.AsInt16());
        var u2 = Sse2.UnpackLow(t2.AsInt16(), t3.AsInt16()); var u3 = Sse2.UnpackHigh(t2.AsInt16(), t3.AsInt16());
        var u4 = Sse2.UnpackLow(t4.AsInt16(), t5.AsInt16()); var u5 = Sse2.UnpackHigh(t4.AsInt16(), t5.AsInt16());
        var u6 = Sse2.UnpackLow(t6.AsInt16(), t7.AsInt16()); var u7 = Sse2.UnpackHigh(t6.AsInt16(), t7.AsInt16());
        var v0 = Sse2.UnpackLow(u0.AsInt32(), u2.AsInt32()); var v1 = Sse2.UnpackHigh(u0.AsInt32(), u2.AsInt32());
        var v2 = Sse2.UnpackLow(u1.AsInt32(), u3.AsInt32()); var v3 = Sse2.UnpackHigh(u1.AsInt32(), u3.AsInt32());
        var v4 = Sse2.UnpackLow(u4.AsInt32(), u6.AsInt32()); var v5 = Sse2.UnpackHigh(u4.AsInt32(), u6.AsInt32());
        var v6 = Sse2.UnpackLow(u5.AsInt32(), u7.AsInt32()); var v7 = Sse2.UnpackHigh(u5.AsInt32(), u7.AsInt32());
        var p3 = Sse2.UnpackLow(v0.AsInt64(), v4.AsInt64()).AsByte();
        var p2 = Sse2.UnpackHigh(v0.AsInt64(), v4.AsInt64()).AsByte();
        var p1 = Sse2.UnpackLow(v1.AsInt64(), v5.AsInt64()).AsByte();
        var p0 = Sse2.UnpackHigh(v1.AsInt64(), v5.AsInt64()).AsByte();
        var q0 = Sse2.UnpackLow(v2.AsInt64(), v6.AsInt64()).AsByte();
        var q1 = Sse2.UnpackHigh(v2.AsInt64(), v6.AsInt64()).AsByte();
        var q2 = Sse2.UnpackLow(v3.AsInt64(), v7.AsInt64()).AsByte();
        var q3 = Sse2.UnpackHigh(v3.AsInt64(), v7.AsInt64()).AsByte();

        Filter(ref p2, ref p1, ref p0, ref q0, ref q1, ref q2, p3, q3, limit, interior, hev, macroblockEdge);

        // Transpose back and store 8 bytes per row.
        var a0 = Sse2.UnpackLow(p3, p2); var a1 = Sse2.UnpackHigh(p3, p2);
        var a2 = Sse2.UnpackLow(p1, p0); var a3 = Sse2.UnpackHigh(p1, p0);
        var a4 = Sse2.UnpackLow(q0, q1); var a5 = Sse2.UnpackHigh(q0, q1);
        var a6 = Sse2.UnpackLow(q2, q3); var a7 = Sse2.UnpackHigh(q2, q3);
        var b0 = Sse2.UnpackLow(a0.AsInt16(), a2.AsInt16()); var b1 = Sse2.UnpackHigh(a0.AsInt16(), a2.AsInt16());
        var b2 = Sse2.UnpackLow(a4.AsInt16(), a6.AsInt16()); var b3 = Sse2.UnpackHigh(a4.AsInt16(), a6.AsInt16());
        var b4 = Sse2.UnpackLow(a1.AsInt16(), a3.AsInt16()); var b5 = Sse2.UnpackHigh(a1.AsInt16(), a3.AsInt16());
        var b6 = Sse2.UnpackLow(a5.AsInt16(), a7.AsInt16()); var b7 = Sse2.UnpackHigh(a5.AsInt16(), a7.AsInt16());
        StoreRows(rows, 0, Sse2.UnpackLow(b0.AsInt32(), b2.AsInt32()));
        StoreRows(rows, 2, Sse2.UnpackHigh(b0.AsInt32(), b2.AsInt32()));
        StoreRows(rows, 4, Sse2.UnpackLow(b1.AsInt32(), b3.AsInt32()));
        StoreRows(rows, 6, Sse2.UnpackHigh(b1.AsInt32(), b3.AsInt32()));
        StoreRows(rows, 8, Sse2.UnpackLow(b4.AsInt32(), b6.AsInt32()));
        StoreRows(rows, 10, Sse2.UnpackHigh(b4.AsInt32(), b6.AsInt32()));
        StoreRows(rows, 12, Sse2.UnpackLow(b5.AsInt32(), b7.AsInt32()));
        StoreRows(rows, 14, Sse2.UnpackHigh(b5.AsInt32(), b7.AsInt32()));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRows(byte** rows, int r, Vector128<int> two)
    {
        *(ulong*)rows[r] = two.AsUInt64().GetElement(0);
        *(ulong*)rows[r + 1] = two.AsUInt64().GetElement(1);
    }

    private static void Filter(ref Vector128<byte> p2, ref Vector128<byte> p1, ref Vector128<byte> p0, ref Vector128<byte> q0,
        ref Vector128<byte> q1, ref Vector128<byte> q2, Vector128<byte> p3, Vector128<byte> q3, int limit, int interior, int hev, bool macroblockEdge)
    {
        var zero = Vector128<byte>.Zero;
        var P3 = Sse2.UnpackLow(p3, zero).AsInt16(); var P2 = Sse2.UnpackLow(p2, zero).AsInt16();
        var P1 = Sse2.UnpackLow(p1, zero).AsInt16(); var P0 = Sse2.UnpackLow(p0, zero).AsInt16();
        var Q0 = Sse2.UnpackLow(q0, zero).AsInt16(); var Q1 = Sse2.UnpackLow(q1, zero).AsInt16();
        var Q2 = Sse2.UnpackLow(q2, zero).AsInt16(); var Q3 = Sse2.UnpackLow(q3, zero).AsInt16();
        FilterHalf(ref P2, ref P1, ref P0, ref Q0, ref Q1, ref Q2, P3, Q3, limit, interior, hev, macroblockEdge);
        var H3 = Sse2.UnpackHigh(p3, zero).AsInt16(); var H2 = Sse2.UnpackHigh(p2, zero).AsInt16();
        var H1 = Sse2.UnpackHigh(p1, zero).AsInt16(); var H0 = Sse2.UnpackHigh(p0, zero).AsInt16();
        var G0 = Sse2.UnpackHigh(q0, zero).AsInt16(); var G1 = Sse2.UnpackHigh(q1, zero).AsInt16();
        var G2 = Sse2.UnpackHigh(q2, zero).AsInt16(); var G3 = Sse2.UnpackHigh(q3, zero).AsInt16();
        FilterHalf(ref H2, ref H1, ref H0, ref G0, ref G1, ref G2, H3, G3, limit, interior, hev, macroblockEdge);
        p2 = Sse2.PackUnsignedSaturate(P2, H2); p1 = Sse2.PackUnsignedSaturate(P1, H1); p0 = Sse2.PackUnsignedSaturate(P0, H0);
        q0 = Sse2.PackUnsignedSaturate(Q0, G0); q1 = Sse2.PackUnsignedSaturate(Q1, G1); q2 = Sse2.PackUnsignedSaturate(Q2, G2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<short> AbsDiff(Vector128<short> a, Vector128<short> b) => Ssse3.Abs(Sse2.Subtract(a, b)).AsInt16();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<short> Clamp(Vector128<short> v, short low, short high) =>
        Sse2.Max(Sse2.Min(v, Vector128.Create(high)), Vector128.Create(low));

    private static void FilterHalf(ref Vector128<short> p2, ref Vector128<short> p1, ref Vector128<short> p0, ref Vector128<short> q0,
        ref Vector128<short> q1, ref Vector128<short> q2, Vector128<short> p3, Vector128<short> q3, int limit, int interior, int hevThreshold, bool macroblockEdge)
    {
        var edge = Sse2.Add(Sse2.ShiftLeftLogical(AbsDiff(p0, q0), 2), AbsDiff(p1, q1));
        var interiorMax = Sse2.Max(Sse2.Max(Sse2.Max(AbsDiff(p3, p2), AbsDiff(p2, p1)), Sse2.Max(AbsDiff(p1, p0), AbsDiff(q3, q2))),
            Sse2.Max(AbsDiff(q2, q1), AbsDiff(q1, q0)));
        var skip = Sse2.Or(Sse2.CompareGreaterThan(edge, Vector128.Create((short)(2 * limit + 1))),
            Sse2.CompareGreaterThan(interiorMax, Vector128.Create((short)interior)));
        var hevT = Vector128.Create((short)hevThreshold);
        var hev = Sse2.Or(Sse2.CompareGreaterThan(AbsDiff(p1, p0), hevT), Sse2.CompareGreaterThan(AbsDiff(q1, q0), hevT));
        var filterHev = Sse2.AndNot(skip, hev);          // filtered, high variance: outer taps, p0/q0 only
        var filterSmooth = Sse2.AndNot(skip, Sse2.AndNot(hev, Vector128<short>.AllBitsSet));

        var q0MinusP0 = Sse2.Subtract(q0, p0);
        var three = Sse2.Add(Sse2.Add(q0MinusP0, q0MinusP0), q0MinusP0);
        var outer = Clamp(Sse2.Subtract(p1, q1), -128, 127);

        // High-variance positions (Filter2).
        var a = Sse2.Add(three, outer);
        var a1 = Clamp(Sse2.ShiftRightArithmetic(Sse2.Add(a, Vector128.Create((short)4)), 3), -16, 15);
        var a2 = Clamp(Sse2.ShiftRightArithmetic(Sse2.Add(a, Vector128.Create((short)3)), 3), -16, 15);
        var p0Hev = Sse2.Add(p0, a2);
        var q0Hev = Sse2.Subtract(q0, a1);

        Vector128<short> p2n = p2, p1n, p0n, q0n, q1n, q2n = q2;
        if (macroblockEdge)
        {
            var w = Clamp(a, -128, 127);
            var r63 = Vector128.Create((short)63);
            var b1 = Sse2.ShiftRightArithmetic(Sse2.Add(Sse2.MultiplyLow(w, Vector128.Create((short)27)), r63), 7);
            var b2 = Sse2.ShiftRightArithmetic(Sse2.Add(Sse2.MultiplyLow(w, Vector128.Create((short)18)), r63), 7);
            var b3 = Sse2.ShiftRightArithmetic(Sse2.Add(Sse2.MultiplyLow(w, Vector128.Create((short)9)), r63), 7);
            p2n = Sse2.Add(p2, b3); p1n = Sse2.Add(p1, b2); p0n = Sse2.Add(p0, b1);
            q0n = Sse2.Subtract(q0, b1); q1n = Sse2.Subtract(q1, b2); q2n = Sse2.Subtract(q2, b3);
        }
        else
        {
            var c1 = Clamp(Sse2.ShiftRightArithmetic(Sse2.Add(three, Vector128.Create((short)4)), 3), -16, 15);
            var c2 = Clamp(Sse2.ShiftRightArithmetic(Sse2.Add(three, Vector128.Create((short)3)), 3), -16, 15);
            var c3 = Sse2.ShiftRightArithmetic(Sse2.Add(c1, Vector128.Create((short)1)), 1);
            p1n = Sse2.Add(p1, c3); p0n = Sse2.Add(p0, c2); q0n = Sse2.Subtract(q0, c1); q1n = Sse2.Subtract(q1, c3);
        }

        p2 = Select(filterSmooth, Clamp(p2n, 0, 255), p2);
        p1 = Select(filterSmooth, Clamp(p1n, 0, 255), p1);
        q1 = Select(filterSmooth, Clamp(q1n, 0, 255), q1);
        q2 = Select(filterSmooth, Clamp(q2n, 0, 255), q2);
        p0 = Select(filterSmooth, Clamp(p0n, 0, 255), Select(filterHev, Clamp(p0Hev, 0, 255), p0));
        q0 = Select(filterSmooth, Clamp(q0n, 0, 255), Select(filterHev, Clamp(q0Hev, 0, 255), q0));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<short> Select(Vector128<short> mask, Vector128<short> yes, Vector128<short> no) =>
        Sse2.Or(Sse2.And(mask, yes), Sse2.AndNot(mask, no));
}
