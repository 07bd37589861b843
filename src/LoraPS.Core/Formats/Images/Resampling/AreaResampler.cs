namespace LoraPS.Formats.Images.Resampling;

/// <summary>
/// OpenCV's INTER_AREA for shrinking (cv::resize): each output pixel is the area-weighted mean of the
/// source pixels it covers. Integer ratios take OpenCV's block-mean path (integer sums), other ratios
/// its float weight tables, accumulated in the same order so results match to the rounding.
/// Works on interleaved 8-bit pixels with any channel count.
/// </summary>
public static class AreaResampler
{
    /// <summary>Shrinks <paramref name="image"/> to width × height (both no larger than the source).</summary>
    public static RgbaImage Resize(RgbaImage image, int width, int height)
    {
        var output = new RgbaImage(width, height);
        Resize(image.Pixels, image.Width, image.Height, output.Pixels, width, height, 4);
        return output;
    }

    public static void Resize(ReadOnlySpan<byte> src, int srcWidth, int srcHeight, Span<byte> dst, int dstWidth, int dstHeight, int channels)
    {
        if (dstWidth > srcWidth || dstHeight > srcHeight || dstWidth <= 0 || dstHeight <= 0)
            throw new ArgumentException($"area resampling shrinks only: {srcWidth}×{srcHeight} → {dstWidth}×{dstHeight}");
        if (src.Length < srcWidth * srcHeight * channels || dst.Length < dstWidth * dstHeight * channels)
            throw new ArgumentException("pixel buffer too small for the given size");
        // OpenCV computes the scale as the inverse of the inverse scale; keep that for identical weights.
        double scaleX = 1.0 / ((double)dstWidth / srcWidth), scaleY = 1.0 / ((double)dstHeight / srcHeight);
        int iscaleX = (int)Math.Round(scaleX), iscaleY = (int)Math.Round(scaleY);
        const double DblEpsilon = 2.220446049250313e-16; // C's DBL_EPSILON, as OpenCV compares
        if (Math.Abs(scaleX - iscaleX) < DblEpsilon && Math.Abs(scaleY - iscaleY) < DblEpsilon)
            BlockMean(src, srcWidth, dst, dstWidth, dstHeight, channels, iscaleX, iscaleY);
        else
            Weighted(src, srcWidth, srcHeight, dst, dstWidth, dstHeight, channels, scaleX, scaleY);
    }

    private static void BlockMean(ReadOnlySpan<byte> src, int srcWidth, Span<byte> dst, int dstWidth, int dstHeight, int cn, int sx, int sy)
    {
        int area = sx * sy;
        float scale = 1f / area;
        int srcStride = srcWidth * cn;
        for (int dy = 0; dy < dstHeight; dy++)
        {
            int rowBase = dy * sy * srcStride;
            Span<byte> d = dst.Slice(dy * dstWidth * cn, dstWidth * cn);
            for (int dx = 0; dx < dstWidth; dx++)
                for (int c = 0; c < cn; c++)
                {
                    int at = rowBase + dx * sx * cn + c, sum = 0;
                    for (int y = 0; y < sy; y++)
                        for (int x = 0; x < sx; x++)
                            sum += src[at + y * srcStride + x * cn];
                    // OpenCV's 2×2 path rounds half up with integers; the general path multiplies in float and rounds to even.
                    d[dx * cn + c] = area == 4 && sx == 2 ? (byte)((sum + 2) >> 2) : Saturate(sum * scale);
                }
        }
    }

    private readonly record struct Tap(int Di, int Si, float Alpha);

    /// <summary>computeResizeAreaTab: the (destination, source, weight) triples along one axis.</summary>
    private static List<Tap> Table(int srcSize, int dstSize, int cn, double scale)
    {
        var tab = new List<Tap>(srcSize * 2);
        for (int dx = 0; dx < dstSize; dx++)
        {
            double fsx1 = dx * scale, fsx2 = fsx1 + scale;
            double cellWidth = Math.Min(scale, srcSize - fsx1);
            int sx1 = (int)Math.Ceiling(fsx1), sx2 = (int)Math.Floor(fsx2);
            sx2 = Math.Min(sx2, srcSize - 1);
            sx1 = Math.Min(sx1, sx2);
            if (sx1 - fsx1 > 1e-3)
                tab.Add(new Tap(dx * cn, (sx1 - 1) * cn, (float)((sx1 - fsx1) / cellWidth)));
            for (int sx = sx1; sx < sx2; sx++)
                tab.Add(new Tap(dx * cn, sx * cn, (float)(1.0 / cellWidth)));
            if (fsx2 - sx2 > 1e-3)
                tab.Add(new Tap(dx * cn, sx2 * cn, (float)(Math.Min(Math.Min(fsx2 - sx2, 1.0), cellWidth) / cellWidth)));
        }
        return tab;
    }

    private static void Weighted(ReadOnlySpan<byte> src, int srcWidth, int srcHeight, Span<byte> dst, int dstWidth, int dstHeight, int cn,
        double scaleX, double scaleY)
    {
        Tap[] xtab = Table(srcWidth, dstWidth, cn, scaleX).ToArray();
        Tap[] ytab = Table(srcHeight, dstHeight, 1, scaleY).ToArray();
        int width = dstWidth * cn;
        var buf = new float[width];
        var sum = new float[width];
        int prevDy = ytab[0].Di;
        foreach (var y in ytab)
        {
            Array.Clear(buf);
            ReadOnlySpan<byte> s = src.Slice(y.Si * srcWidth * cn, srcWidth * cn);
            foreach (var x in xtab)
                for (int c = 0; c < cn; c++)
                    buf[x.Di + c] += s[x.Si + c] * x.Alpha;
            float beta = y.Alpha;
            if (y.Di != prevDy)
            {
                Span<byte> d = dst.Slice(prevDy * width, width);
                for (int i = 0; i < width; i++)
                {
                    d[i] = Saturate(sum[i]);
                    sum[i] = beta * buf[i];
                }
                prevDy = y.Di;
            }
            else
                for (int i = 0; i < width; i++) sum[i] += beta * buf[i];
        }
        Span<byte> last = dst.Slice(prevDy * width, width);
        for (int i = 0; i < width; i++) last[i] = Saturate(sum[i]);
    }

    /// <summary>saturate_cast&lt;uchar&gt;(float): round half to even, clamp to 0..255.</summary>
    private static byte Saturate(float v)
    {
        int r = (int)MathF.Round(v, MidpointRounding.ToEven);
        return (byte)Math.Clamp(r, 0, 255);
    }
}
