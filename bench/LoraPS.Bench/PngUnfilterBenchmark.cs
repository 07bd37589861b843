using System.Diagnostics;
using LoraPS.Formats.Images.Png;

namespace LoraPS.Bench;

/// <summary>
/// The vectorised Average and Paeth unfilters against the byte-by-byte loop they replace, on 2048 rows
/// of 2048 random pixels (3 and 4 bytes): the before/after figure for that vectorisation.
/// </summary>
public sealed class PngUnfilterBenchmark : IBenchmark
{
    public string Name => "png-unfilter";
    public string Description => "PNG Average/Paeth unfiltering, SSE path vs scalar loop, 2048 rows × 2048 pixels of random bytes.";

    public void Run(TextWriter report)
    {
        report.WriteLine("| filter | bytes/pixel | vectorised | scalar | speed-up |");
        report.WriteLine("| --- | --- | --- | --- | --- |");
        foreach (int filter in new[] { PngFilters.Average, PngFilters.Paeth })
            foreach (int bpp in new[] { 3, 4 })
            {
                int n = 2048 * bpp;
                var rows = new byte[2049 * n];
                new Random(filter * 10 + bpp).NextBytes(rows);
                double simd = double.MaxValue, scalar = double.MaxValue;
                for (int rep = 0; rep < 15; rep++)
                {
                    var a = (byte[])rows.Clone();
                    var clock = Stopwatch.StartNew();
                    for (int y = 1; y < 2049; y++) PngFilters.Unfilter(filter, a.AsSpan(y * n, n), a.AsSpan((y - 1) * n, n), bpp);
                    simd = Math.Min(simd, clock.Elapsed.TotalMilliseconds);
                    var b = (byte[])rows.Clone();
                    clock.Restart();
                    for (int y = 1; y < 2049; y++) Scalar(filter, b.AsSpan(y * n, n), b.AsSpan((y - 1) * n, n), bpp);
                    scalar = Math.Min(scalar, clock.Elapsed.TotalMilliseconds);
                    if (!a.AsSpan().SequenceEqual(b)) throw new InvalidOperationException("vectorised and scalar unfiltering disagree");
                }
                report.WriteLine($"| {(filter == PngFilters.Paeth ? "Paeth" : "Average")} | {bpp} | {simd:F1} ms | {scalar:F1} ms | {scalar / simd:F1}× |");
            }
    }

    private static void Scalar(int filter, Span<byte> cur, ReadOnlySpan<byte> up, int bpp)
    {
        if (filter == PngFilters.Average)
        {
            for (int i = 0; i < bpp; i++) cur[i] += (byte)(up[i] >> 1);
            for (int i = bpp; i < cur.Length; i++) cur[i] += (byte)((cur[i - bpp] + up[i]) >> 1);
            return;
        }
        for (int i = 0; i < bpp; i++) cur[i] += up[i];
        for (int i = bpp; i < cur.Length; i++) cur[i] += PngFilters.PaethPredictor(cur[i - bpp], up[i], up[i - bpp]);
    }
}
