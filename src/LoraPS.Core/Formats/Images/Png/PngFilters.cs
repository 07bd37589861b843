using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LoraPS.Formats.Images.Png;

/// <summary>
/// PNG's five row filters (None, Sub, Up, Average, Paeth): undoing them when decoding and applying them
/// when encoding. Up is vectorised over whole rows; Paeth and Average for 3- and 4-byte pixels run one
/// pixel per SSE step, since each pixel depends on the one to its left.
/// </summary>
internal static unsafe class PngFilters
{
    public const int None = 0, Sub = 1, Up = 2, Average = 3, Paeth = 4;

    /// <summary>Undoes <paramref name="filter"/> on <paramref name="row"/> in place; <paramref name="prior"/> is the unfiltered row above (zeros for the first).</summary>
    public static bool Unfilter(int filter, Span<byte> row, ReadOnlySpan<byte> prior, int bpp)
    {
        int n = row.Length;
        fixed (byte* cur = row)
        fixed (byte* up = prior)
        {
            switch (filter)
            {
                case None:
                    return true;
                case Sub:
                    for (int i = bpp; i < n; i++) cur[i] += cur[i - bpp];
                    return true;
                case Up:
                    UnfilterUp(cur, up, n);
                    return true;
                case Average:
                    if (bpp == 4 && Sse2.IsSupported) { AverageSse2(cur, up, n, 4); return true; }
                    if (bpp == 3 && Sse2.IsSupported) { AverageSse2(cur, up, n, 3); return true; }
                    for (int i = 0; i < bpp && i < n; i++) cur[i] += (byte)(up[i] >> 1);
                    for (int i = bpp; i < n; i++) cur[i] += (byte)((cur[i - bpp] + up[i]) >> 1);
                    return true;
                case Paeth:
                    if (bpp == 4 && Sse41.IsSupported) { PaethSse41(cur, up, n, 4); return true; }
                    if (bpp == 3 && Sse41.IsSupported) { PaethSse41(cur, up, n, 3); return true; }
                    for (int i = 0; i < bpp && i < n; i++) cur[i] += up[i];
                    for (int i = bpp; i < n; i++) cur[i] += PaethPredictor(cur[i - bpp], up[i], up[i - bpp]);
                    return true;
                default:
                    return false;
            }
        }
    }

    private static void UnfilterUp(byte* cur, byte* up, int n)
    {
        int i = 0;
        if (Vector128.IsHardwareAccelerated)
            for (; i + 16 <= n; i += 16)
                Vector128.Store(Vector128.Load(cur + i) + Vector128.Load(up + i), cur + i);
        for (; i < n; i++) cur[i] += up[i];
    }

    public static byte PaethPredictor(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        if (pa <= pb && pa <= pc) return (byte)a;
        return pb <= pc ? (byte)b : (byte)c;
    }

    /// <summary>Loads one pixel of 3 or 4 bytes into the low lanes, widened to 16 bits.</summary>
    private static Vector128<short> LoadPixel(byte* p, int bpp)
    {
        uint v = bpp == 4 ? *(uint*)p : (uint)(p[0] | p[1] << 8 | p[2] << 16);
        return Sse2.UnpackLow(Vector128.CreateScalarUnsafe(v).AsByte(), Vector128<byte>.Zero).AsInt16();
    }

    private static void StorePixel(byte* p, Vector128<short> v, int bpp)
    {
        uint packed = Sse2.PackUnsignedSaturate(v, v).AsUInt32().ToScalar();
        if (bpp == 4) *(uint*)p = packed;
        else { p[0] = (byte)packed; p[1] = (byte)(packed >> 8); p[2] = (byte)(packed >> 16); }
    }

    private static void PaethSse41(byte* cur, byte* up, int n, int bpp)
    {
        var mask = Vector128.Create((short)0xFF);
        Vector128<short> a = Vector128<short>.Zero, c = Vector128<short>.Zero;
        for (int i = 0; i + bpp <= n; i += bpp)
        {
            var b = LoadPixel(up + i, bpp);
            var x = LoadPixel(cur + i, bpp);
            // p = a + b - c; pa = |b - c|, pb = |a - c|, pc = |a + b - 2c|
            var pa = Ssse3.Abs(Sse2.Subtract(b, c)).AsInt16();
            var pb = Ssse3.Abs(Sse2.Subtract(a, c)).AsInt16();
            var pc = Ssse3.Abs(Sse2.Subtract(Sse2.Add(a, b), Sse2.Add(c, c))).AsInt16();
            // choose a if pa <= pb && pa <= pc; else b if pb <= pc; else c
            var useA = Sse2.AndNot(Sse2.Or(Sse2.CompareGreaterThan(pa, pb), Sse2.CompareGreaterThan(pa, pc)), Vector128<short>.AllBitsSet);
            var useB = Sse2.AndNot(Sse2.CompareGreaterThan(pb, pc), Vector128<short>.AllBitsSet);
            var pred = Sse41.BlendVariable(Sse41.BlendVariable(c, b, useB), a, useA);
            var result = Sse2.And(Sse2.Add(x, pred), mask);
            StorePixel(cur + i, result, bpp);
            a = result;
            c = b;
        }
        // Rows of whole pixels leave no tail; keep any that a caller passes exact anyway.
        for (int i = n - n % bpp; i < n; i++) cur[i] += i >= bpp ? PaethPredictor(cur[i - bpp], up[i], up[i - bpp]) : up[i];
    }

    private static void AverageSse2(byte* cur, byte* up, int n, int bpp)
    {
        var mask = Vector128.Create((short)0xFF);
        Vector128<short> a = Vector128<short>.Zero;
        for (int i = 0; i + bpp <= n; i += bpp)
        {
            var b = LoadPixel(up + i, bpp);
            var x = LoadPixel(cur + i, bpp);
            var result = Sse2.And(Sse2.Add(x, Sse2.ShiftRightLogical(Sse2.Add(a, b), 1)), mask);
            StorePixel(cur + i, result, bpp);
            a = result;
        }
        for (int i = n - n % bpp; i < n; i++) cur[i] += (byte)(((i >= bpp ? cur[i - bpp] : 0) + up[i]) >> 1);
    }

    /// <summary>Applies <paramref name="filter"/> to <paramref name="row"/> (raw bytes) into <paramref name="output"/>.</summary>
    public static void Apply(int filter, ReadOnlySpan<byte> row, ReadOnlySpan<byte> prior, int bpp, Span<byte> output)
    {
        int n = row.Length;
        switch (filter)
        {
            case None: row.CopyTo(output); break;
            case Sub:
                for (int i = 0; i < n; i++) output[i] = (byte)(row[i] - (i >= bpp ? row[i - bpp] : 0));
                break;
            case Up:
                for (int i = 0; i < n; i++) output[i] = (byte)(row[i] - prior[i]);
                break;
            case Average:
                for (int i = 0; i < n; i++) output[i] = (byte)(row[i] - (((i >= bpp ? row[i - bpp] : 0) + prior[i]) >> 1));
                break;
            default:
                for (int i = 0; i < n; i++)
                    output[i] = (byte)(row[i] - (i >= bpp ? PaethPredictor(row[i - bpp], prior[i], prior[i - bpp]) : prior[i]));
                break;
        }
    }
}
