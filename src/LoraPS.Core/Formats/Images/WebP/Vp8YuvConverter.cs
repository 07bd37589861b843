namespace LoraPS.Formats.Images.WebP;

/// <summary>
/// YUV 4:2:0 → RGBA the way libwebp's default ("fancy") output does it: chroma is upsampled with
/// 9-3-3-1 weights between the two nearest chroma rows and columns, then converted with libwebp's
/// 14-bit fixed-point BT.601 (limited range) constants.
/// </summary>
internal static class Vp8YuvConverter
{
    private static int MultHi(int v, int coeff) => (v * coeff) >> 8;

    private static byte Clip8(int v) => (v & ~16383) == 0 ? (byte)(v >> 6) : v < 0 ? (byte)0 : (byte)255;

    private static void Store(int y, int u, int v, byte[] output, int o)
    {
        int yy = MultHi(y, 19077);
        output[o] = Clip8(yy + MultHi(v, 26149) - 14234);
        output[o + 1] = Clip8(yy - MultHi(u, 6419) - MultHi(v, 13320) + 8708);
        output[o + 2] = Clip8(yy + MultHi(u, 33050) - 17685);
    }

    public static void Convert(Vp8Frame frame, RgbaImage image)
    {
        int width = frame.Width, height = frame.Height;
        byte[] y = frame.Y, u = frame.U, v = frame.V, output = image.Pixels;
        int ys = frame.YStride, uvs = frame.UvStride;
        // Row 0 uses chroma row 0 alone; then rows (2k−1, 2k) sit between chroma rows k−1 and k;
        // the last row of an even height uses the last chroma row alone.
        UpsamplePair(y, 0, -1, u, v, 0, 0, output, 0, -1, width);
        for (int row = 1; row + 1 < height; row += 2)
        {
            int k = (row + 1) >> 1;
            UpsamplePair(y, row * ys, (row + 1) * ys, u, v, (k - 1) * uvs, k * uvs, output, row * width * 4, (row + 1) * width * 4, width);
        }
        if ((height & 1) == 0 && height > 1)
        {
            int last = height - 1, k = (last >> 1) * uvs;
            UpsamplePair(y, last * ys, -1, u, v, k, k, output, last * width * 4, -1, width);
        }
        for (int i = 3; i < output.Length; i += 4) output[i] = 255;
    }

    /// <summary>
    /// One pair of output rows: the top row is nearer chroma row <paramref name="topUv"/>, the bottom row
    /// nearer <paramref name="curUv"/>. A bottom offset of −1 means there is no bottom row.
    /// </summary>
    private static void UpsamplePair(byte[] y, int topY, int bottomY, byte[] u, byte[] v, int topUv, int curUv,
        byte[] output, int topOut, int bottomOut, int len)
    {
        int tlU = u[topUv], tlV = v[topUv], lU = u[curUv], lV = v[curUv];
        Store(y[topY], (3 * tlU + lU + 2) >> 2, (3 * tlV + lV + 2) >> 2, output, topOut);
        if (bottomY >= 0) Store(y[bottomY], (3 * lU + tlU + 2) >> 2, (3 * lV + tlV + 2) >> 2, output, bottomOut);
        int lastPair = (len - 1) >> 1;
        for (int x = 1; x <= lastPair; x++)
        {
            int tU = u[topUv + x], tV = v[topUv + x], cU = u[curUv + x], cV = v[curUv + x];
            int avgU = tlU + tU + lU + cU + 8, avgV = tlV + tV + lV + cV + 8;
            int diag12U = (avgU + 2 * (tU + lU)) >> 3, diag12V = (avgV + 2 * (tV + lV)) >> 3;
            int diag03U = (avgU + 2 * (tlU + cU)) >> 3, diag03V = (avgV + 2 * (tlV + cV)) >> 3;
            Store(y[topY + 2 * x - 1], (diag12U + tlU) >> 1, (diag12V + tlV) >> 1, output, topOut + (2 * x - 1) * 4);
            Store(y[topY + 2 * x], (diag03U + tU) >> 1, (diag03V + tV) >> 1, output, topOut + 2 * x * 4);
            if (bottomY >= 0)
            {
                Store(y[bottomY + 2 * x - 1], (diag03U + lU) >> 1, (diag03V + lV) >> 1, output, bottomOut + (2 * x - 1) * 4);
                Store(y[bottomY + 2 * x], (diag12U + cU) >> 1, (diag12V + cV) >> 1, output, bottomOut + 2 * x * 4);
            }
            tlU = tU; tlV = tV; lU = cU; lV = cV;
        }
        if ((len & 1) == 0)
        {
            Store(y[topY + len - 1], (3 * tlU + lU + 2) >> 2, (3 * tlV + lV + 2) >> 2, output, topOut + (len - 1) * 4);
            if (bottomY >= 0) Store(y[bottomY + len - 1], (3 * lU + tlU + 2) >> 2, (3 * lV + tlV + 2) >> 2, output, bottomOut + (len - 1) * 4);
        }
    }
}
