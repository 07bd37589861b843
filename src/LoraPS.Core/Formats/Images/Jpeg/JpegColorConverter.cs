using Plane = LoraPS.Formats.Images.Jpeg.JpegUpsampler.Plane;

namespace LoraPS.Formats.Images.Jpeg;

/// <summary>The colour spaces a JPEG's components can be in (decided from JFIF/Adobe markers and component ids).</summary>
internal enum JpegColorSpace { Gray, YCbCr, Rgb, Cmyk, Ycck }

/// <summary>
/// Converts full-resolution component planes to RGBA with libjpeg's fixed-point arithmetic (16 fraction
/// bits, ITU-R BT.601 full range), so results match djpeg. CMYK (Adobe's inverted convention) is turned
/// into RGB as djpeg's PPM writer does: R = C·K/255.
/// </summary>
internal static class JpegColorConverter
{
    private const int ScaleBits = 16;
    private const int OneHalf = 1 << (ScaleBits - 1);

    private static readonly int[] CrToR = new int[256];
    private static readonly int[] CbToB = new int[256];
    private static readonly int[] CrToG = new int[256];
    private static readonly int[] CbToG = new int[256];

    static JpegColorConverter()
    {
        for (int i = 0; i < 256; i++)
        {
            int x = i - 128;
            CrToR[i] = (Fix(1.40200) * x + OneHalf) >> ScaleBits;
            CbToB[i] = (Fix(1.77200) * x + OneHalf) >> ScaleBits;
            CrToG[i] = -Fix(0.71414) * x;
            CbToG[i] = -Fix(0.34414) * x + OneHalf;
        }
    }

    private static int Fix(double x) => (int)(x * (1 << ScaleBits) + 0.5);

    public static void Convert(JpegColorSpace space, Plane[] planes, RgbaImage image)
    {
        int width = image.Width, height = image.Height;
        byte[] output = image.Pixels;
        for (int y = 0; y < height; y++)
        {
            int o = y * width * 4;
            switch (space)
            {
                case JpegColorSpace.Gray:
                {
                    ReadOnlySpan<byte> g = Row(planes[0], y, width);
                    for (int x = 0; x < width; x++, o += 4)
                    {
                        byte v = g[x];
                        output[o] = v; output[o + 1] = v; output[o + 2] = v; output[o + 3] = 255;
                    }
                    break;
                }
                case JpegColorSpace.YCbCr:
                {
                    ReadOnlySpan<byte> yy = Row(planes[0], y, width), cb = Row(planes[1], y, width), cr = Row(planes[2], y, width);
                    for (int x = 0; x < width; x++, o += 4)
                    {
                        int l = yy[x], b = cb[x], r = cr[x];
                        output[o] = Clamp(l + CrToR[r]);
                        output[o + 1] = Clamp(l + ((CbToG[b] + CrToG[r]) >> ScaleBits));
                        output[o + 2] = Clamp(l + CbToB[b]);
                        output[o + 3] = 255;
                    }
                    break;
                }
                case JpegColorSpace.Rgb:
                {
                    ReadOnlySpan<byte> r = Row(planes[0], y, width), g = Row(planes[1], y, width), b = Row(planes[2], y, width);
                    for (int x = 0; x < width; x++, o += 4)
                    {
                        output[o] = r[x]; output[o + 1] = g[x]; output[o + 2] = b[x]; output[o + 3] = 255;
                    }
                    break;
                }
                case JpegColorSpace.Cmyk:
                {
                    ReadOnlySpan<byte> c = Row(planes[0], y, width), m = Row(planes[1], y, width), ye = Row(planes[2], y, width), k = Row(planes[3], y, width);
                    for (int x = 0; x < width; x++, o += 4)
                    {
                        int kk = k[x];
                        output[o] = MulDiv255(c[x], kk);
                        output[o + 1] = MulDiv255(m[x], kk);
                        output[o + 2] = MulDiv255(ye[x], kk);
                        output[o + 3] = 255;
                    }
                    break;
                }
                case JpegColorSpace.Ycck:
                {
                    ReadOnlySpan<byte> yy = Row(planes[0], y, width), cb = Row(planes[1], y, width), cr = Row(planes[2], y, width), k = Row(planes[3], y, width);
                    for (int x = 0; x < width; x++, o += 4)
                    {
                        int l = yy[x], b = cb[x], r = cr[x], kk = k[x];
                        // YCC → RGB, then Adobe's inverted CMY = 255 − RGB.
                        int c = 255 - Clamp(l + CrToR[r]);
                        int m = 255 - Clamp(l + ((CbToG[b] + CrToG[r]) >> ScaleBits));
                        int ye = 255 - Clamp(l + CbToB[b]);
                        output[o] = MulDiv255(c, kk);
                        output[o + 1] = MulDiv255(m, kk);
                        output[o + 2] = MulDiv255(ye, kk);
                        output[o + 3] = 255;
                    }
                    break;
                }
            }
        }
    }

    private static ReadOnlySpan<byte> Row(Plane plane, int y, int width) => plane.Data.AsSpan(y * plane.Stride, width);

    /// <summary>round(a·b/255) exactly as (double)a·b/255 + 0.5 truncated.</summary>
    private static byte MulDiv255(int a, int b) => (byte)((a * b * 2 + 255) / 510);

    private static byte Clamp(int v) => (uint)v <= 255 ? (byte)v : v < 0 ? (byte)0 : (byte)255;
}
