namespace LoraPS.Formats.Images.Resampling;

/// <summary>The separable filters of Pillow's Image.resize.</summary>
public enum ConvolutionFilter { Bilinear, Bicubic, Lanczos }

/// <summary>
/// Pillow's convolution resize (ImagingResample): per-axis weight tables computed in double, scaled
/// to 22-bit fixed point, a horizontal pass to 8-bit then a vertical pass, each rounding to nearest.
/// Mirroring the arithmetic makes results equal Pillow's LANCZOS / BICUBIC / BILINEAR byte for byte.
/// When shrinking, the filter widens by the scale (antialiasing), as Pillow does.
/// </summary>
public static class ConvolutionResampler
{
    private const int PrecisionBits = 32 - 8 - 2;

    public static RgbaImage Resize(RgbaImage image, int width, int height, ConvolutionFilter filter = ConvolutionFilter.Lanczos)
    {
        var output = new RgbaImage(width, height);
        Resize(image.Pixels, image.Width, image.Height, output.Pixels, width, height, 4, filter);
        return output;
    }

    public static void Resize(ReadOnlySpan<byte> src, int srcWidth, int srcHeight, Span<byte> dst, int dstWidth, int dstHeight, int channels,
        ConvolutionFilter filter)
    {
        if (dstWidth <= 0 || dstHeight <= 0) throw new ArgumentException($"cannot resize to {dstWidth}×{dstHeight}");
        if (src.Length < srcWidth * srcHeight * channels || dst.Length < dstWidth * dstHeight * channels)
            throw new ArgumentException("pixel buffer too small for the given size");
        bool horizontal = dstWidth != srcWidth, vertical = dstHeight != srcHeight;
        if (!horizontal && !vertical)
        {
            src[..(srcWidth * srcHeight * channels)].CopyTo(dst);
            return;
        }
        byte[] temp;
        if (horizontal)
        {
            temp = vertical ? new byte[dstWidth * srcHeight * channels] : null!;
            Span<byte> target = vertical ? temp : dst;
            var (bounds, kk, ksize) = Coefficients(srcWidth, dstWidth, filter);
            HorizontalPass(src, srcWidth, srcHeight, target, dstWidth, channels, bounds, kk, ksize);
            if (!vertical) return;
            var (vb, vk, vks) = Coefficients(srcHeight, dstHeight, filter);
            VerticalPass(temp, dstWidth, dst, dstHeight, channels, vb, vk, vks);
        }
        else
        {
            var (vb, vk, vks) = Coefficients(srcHeight, dstHeight, filter);
            VerticalPass(src, dstWidth, dst, dstHeight, channels, vb, vk, vks);
        }
    }

    private static double Support(ConvolutionFilter f) => f switch
    {
        ConvolutionFilter.Bilinear => 1.0,
        ConvolutionFilter.Bicubic => 2.0,
        _ => 3.0,
    };

    private static double Sinc(double x)
    {
        if (x == 0.0) return 1.0;
        x *= Math.PI;
        return Math.Sin(x) / x;
    }

    private static double Evaluate(ConvolutionFilter f, double x)
    {
        switch (f)
        {
            case ConvolutionFilter.Bilinear:
                if (x < 0.0) x = -x;
                return x < 1.0 ? 1.0 - x : 0.0;
            case ConvolutionFilter.Bicubic:
            {
                const double a = -0.5;
                if (x < 0.0) x = -x;
                if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
                if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
                return 0.0;
            }
            default:
                return -3.0 <= x && x < 3.0 ? Sinc(x) * Sinc(x / 3) : 0.0;
        }
    }

    /// <summary>precompute_coeffs + normalize_coeffs_8bpc: per output index, first source index, tap count and fixed-point weights.</summary>
    private static (int[] Bounds, int[] Kk, int KSize) Coefficients(int inSize, int outSize, ConvolutionFilter filter)
    {
        double scale = (double)inSize / outSize, filterScale = Math.Max(scale, 1.0);
        double support = Support(filter) * filterScale;
        int ksize = (int)Math.Ceiling(support) * 2 + 1;
        var bounds = new int[outSize * 2];
        var kk = new int[outSize * ksize];
        var weights = new double[ksize];
        for (int xx = 0; xx < outSize; xx++)
        {
            double center = (xx + 0.5) * scale, ww = 0.0, ss = 1.0 / filterScale;
            int xmin = (int)(center - support + 0.5);
            if (xmin < 0) xmin = 0;
            int xmax = (int)(center + support + 0.5);
            if (xmax > inSize) xmax = inSize;
            xmax -= xmin;
            for (int x = 0; x < xmax; x++)
            {
                double w = Evaluate(filter, (x + xmin - center + 0.5) * ss);
                weights[x] = w;
                ww += w;
            }
            for (int x = 0; x < xmax; x++)
            {
                double w = ww != 0.0 ? weights[x] / ww : weights[x];
                kk[xx * ksize + x] = w < 0 ? (int)(-0.5 + w * (1 << PrecisionBits)) : (int)(0.5 + w * (1 << PrecisionBits));
            }
            bounds[xx * 2] = xmin;
            bounds[xx * 2 + 1] = xmax;
        }
        return (bounds, kk, ksize);
    }

    private static byte Clip8(int v)
    {
        v >>= PrecisionBits;
        return v < 0 ? (byte)0 : v > 255 ? (byte)255 : (byte)v;
    }

    private static void HorizontalPass(ReadOnlySpan<byte> src, int srcWidth, int height, Span<byte> dst, int dstWidth, int cn,
        int[] bounds, int[] kk, int ksize)
    {
        for (int y = 0; y < height; y++)
        {
            ReadOnlySpan<byte> s = src.Slice(y * srcWidth * cn, srcWidth * cn);
            Span<byte> d = dst.Slice(y * dstWidth * cn, dstWidth * cn);
            for (int xx = 0; xx < dstWidth; xx++)
            {
                int xmin = bounds[xx * 2], xmax = bounds[xx * 2 + 1];
                ReadOnlySpan<int> k = kk.AsSpan(xx * ksize, xmax);
                for (int c = 0; c < cn; c++)
                {
                    int ss = 1 << (PrecisionBits - 1);
                    for (int x = 0; x < k.Length; x++) ss += s[(x + xmin) * cn + c] * k[x];
                    d[xx * cn + c] = Clip8(ss);
                }
            }
        }
    }

    private static void VerticalPass(ReadOnlySpan<byte> src, int width, Span<byte> dst, int dstHeight, int cn, int[] bounds, int[] kk, int ksize)
    {
        int stride = width * cn;
        var acc = new int[stride];
        for (int yy = 0; yy < dstHeight; yy++)
        {
            int ymin = bounds[yy * 2], ymax = bounds[yy * 2 + 1];
            Array.Fill(acc, 1 << (PrecisionBits - 1));
            for (int y = 0; y < ymax; y++)
            {
                int w = kk[yy * ksize + y];
                ReadOnlySpan<byte> row = src.Slice((y + ymin) * stride, stride);
                for (int i = 0; i < stride; i++) acc[i] += row[i] * w;
            }
            Span<byte> d = dst.Slice(yy * stride, stride);
            for (int i = 0; i < stride; i++) d[i] = Clip8(acc[i]);
        }
    }
}
