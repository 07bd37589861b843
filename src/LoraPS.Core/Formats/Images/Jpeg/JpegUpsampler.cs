namespace LoraPS.Formats.Images.Jpeg;

/// <summary>
/// Brings a subsampled component plane to full resolution the way libjpeg-turbo does by default
/// ("fancy" upsampling): triangular (3/4, 1/4) interpolation for 2×1, 1×2 and 2×2 subsampling, plain
/// replication for other integer ratios and for planes two samples wide or narrower. Edges repeat
/// the last real sample, as libjpeg's context rows do.
/// </summary>
internal static class JpegUpsampler
{
    /// <summary>A full-resolution plane: sample (x, y) is at <c>Data[y * Stride + x]</c>.</summary>
    public readonly record struct Plane(byte[] Data, int Stride);

    public static Plane Upsample(Plane input, int inWidth, int inHeight, int hRatio, int vRatio, int width, int height)
    {
        if (hRatio == 1 && vRatio == 1) return input;
        bool fancyH = inWidth > 2;
        if (hRatio == 2 && vRatio == 1 && fancyH) return H2V1(input, inWidth, height);
        if (hRatio == 1 && vRatio == 2) return H1V2(input, inWidth, inHeight, height);
        if (hRatio == 2 && vRatio == 2 && fancyH) return H2V2(input, inWidth, inHeight, height);
        return Replicate(input, hRatio, vRatio, width, height);
    }

    private static Plane H2V1(Plane input, int inWidth, int height)
    {
        int stride = inWidth * 2;
        var output = new byte[stride * height];
        for (int y = 0; y < height; y++)
        {
            ReadOnlySpan<byte> src = input.Data.AsSpan(y * input.Stride, inWidth);
            Span<byte> dst = output.AsSpan(y * stride, stride);
            dst[0] = src[0];
            dst[1] = (byte)((src[0] * 3 + src[1] + 2) >> 2);
            for (int i = 1; i < inWidth - 1; i++)
            {
                int near = src[i] * 3;
                dst[2 * i] = (byte)((near + src[i - 1] + 1) >> 2);
                dst[2 * i + 1] = (byte)((near + src[i + 1] + 2) >> 2);
            }
            int last = inWidth - 1;
            dst[2 * last] = (byte)((src[last] * 3 + src[last - 1] + 1) >> 2);
            dst[2 * last + 1] = src[last];
        }
        return new Plane(output, stride);
    }

    private static Plane H1V2(Plane input, int inWidth, int inHeight, int height)
    {
        int stride = inWidth;
        var output = new byte[stride * height];
        for (int y = 0; y < height; y++)
        {
            int row = y >> 1;
            bool upper = (y & 1) == 0;
            int farRow = upper ? Math.Max(row - 1, 0) : Math.Min(row + 1, inHeight - 1);
            int bias = upper ? 1 : 2;
            ReadOnlySpan<byte> near = input.Data.AsSpan(row * input.Stride, inWidth);
            ReadOnlySpan<byte> far = input.Data.AsSpan(farRow * input.Stride, inWidth);
            Span<byte> dst = output.AsSpan(y * stride, stride);
            for (int x = 0; x < inWidth; x++)
                dst[x] = (byte)((near[x] * 3 + far[x] + bias) >> 2);
        }
        return new Plane(output, stride);
    }

    private static Plane H2V2(Plane input, int inWidth, int inHeight, int height)
    {
        int stride = inWidth * 2;
        var output = new byte[stride * height];
        var sums = new int[inWidth];
        for (int y = 0; y < height; y++)
        {
            int row = y >> 1;
            int farRow = (y & 1) == 0 ? Math.Max(row - 1, 0) : Math.Min(row + 1, inHeight - 1);
            ReadOnlySpan<byte> near = input.Data.AsSpan(row * input.Stride, inWidth);
            ReadOnlySpan<byte> far = input.Data.AsSpan(farRow * input.Stride, inWidth);
            for (int x = 0; x < inWidth; x++) sums[x] = near[x] * 3 + far[x];
            Span<byte> dst = output.AsSpan(y * stride, stride);
            dst[0] = (byte)((sums[0] * 4 + 8) >> 4);
            dst[1] = (byte)((sums[0] * 3 + sums[1] + 7) >> 4);
            for (int i = 1; i < inWidth - 1; i++)
            {
                int this3 = sums[i] * 3;
                dst[2 * i] = (byte)((this3 + sums[i - 1] + 8) >> 4);
                dst[2 * i + 1] = (byte)((this3 + sums[i + 1] + 7) >> 4);
            }
            int last = inWidth - 1;
            dst[2 * last] = (byte)((sums[last] * 3 + sums[last - 1] + 8) >> 4);
            dst[2 * last + 1] = (byte)((sums[last] * 4 + 7) >> 4);
        }
        return new Plane(output, stride);
    }

    private static Plane Replicate(Plane input, int hRatio, int vRatio, int width, int height)
    {
        var output = new byte[width * height];
        for (int y = 0; y < height; y++)
        {
            ReadOnlySpan<byte> src = input.Data.AsSpan((y / vRatio) * input.Stride);
            Span<byte> dst = output.AsSpan(y * width, width);
            for (int x = 0; x < width; x++) dst[x] = src[x / hRatio];
        }
        return new Plane(output, width);
    }
}
