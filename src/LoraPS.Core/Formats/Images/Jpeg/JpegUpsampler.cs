namespace LoraPS.Formats.Images.Jpeg;

/// <summary>
/// Brings one row of a subsampled component plane to full resolution the way libjpeg-turbo does by
/// default ("fancy" upsampling): triangular (3/4, 1/4) interpolation for 2×1, 1×2 and 2×2 subsampling,
/// plain replication for other integer ratios and for planes two samples wide or narrower. Edges repeat
/// the last real sample, as libjpeg's context rows do.
/// </summary>
internal static class JpegUpsampler
{
    /// <summary>A decoded component plane: sample (x, y) is at <c>Data[y * Stride + x]</c>; Width × Height samples are real.</summary>
    public readonly record struct Plane(byte[] Data, int Stride, int Width, int Height, int HRatio, int VRatio)
    {
        public bool IsFullSize => HRatio == 1 && VRatio == 1;
    }

    /// <summary>Writes output row <paramref name="y"/> of <paramref name="p"/> (at least <paramref name="width"/> samples) to <paramref name="dst"/>.</summary>
    public static unsafe void Row(in Plane p, int y, int width, Span<byte> dst)
    {
        byte[] d = p.Data;
        int inWidth = p.Width;
        bool fancyH = inWidth > 2;
        fixed (byte* data = d)
        fixed (byte* output = dst)
        {
            if (p.HRatio == 1 && p.VRatio == 1)
            {
                d.AsSpan(y * p.Stride, width).CopyTo(dst);
            }
            else if (p.HRatio == 2 && p.VRatio == 1 && fancyH)
            {
                byte* row = data + y * p.Stride;
                FancyUpsampler.Row(row, row, inWidth, 4, 0, 8, 4, output);
            }
            else if (p.HRatio == 1 && p.VRatio == 2)
            {
                int row = y >> 1;
                bool upper = (y & 1) == 0;
                int farRow = upper ? Math.Max(row - 1, 0) : Math.Min(row + 1, p.Height - 1);
                int bias = upper ? 1 : 2;
                byte* near = data + row * p.Stride, far = data + farRow * p.Stride;
                for (int x = 0; x < inWidth; x++) output[x] = (byte)((near[x] * 3 + far[x] + bias) >> 2);
            }
            else if (p.HRatio == 2 && p.VRatio == 2 && fancyH)
            {
                int row = y >> 1;
                int farRow = (y & 1) == 0 ? Math.Max(row - 1, 0) : Math.Min(row + 1, p.Height - 1);
                FancyUpsampler.Row(data + row * p.Stride, data + farRow * p.Stride, inWidth, 3, 1, 7, 8, output);
            }
            else
            {
                byte* src = data + (y / p.VRatio) * p.Stride;
                int h = p.HRatio;
                for (int x = 0; x < width; x++) output[x] = src[x / h];
            }
        }
    }
}
