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

    public static unsafe void Convert(JpegColorSpace space, Plane[] planes, RgbaImage image)
    {
        int width = image.Width, height = image.Height;
        int rowLength = width + 16;
        foreach (var p in planes) rowLength = Math.Max(rowLength, p.Width * p.HRatio + 16);
        var rows = new byte[planes.Length][];
        for (int i = 0; i < planes.Length; i++) rows[i] = new byte[rowLength];
        var pointers = stackalloc byte*[4];
        var handles = new System.Runtime.InteropServices.GCHandle[planes.Length * 2];
        try
        {
            for (int i = 0; i < planes.Length; i++)
            {
                handles[2 * i] = System.Runtime.InteropServices.GCHandle.Alloc(rows[i], System.Runtime.InteropServices.GCHandleType.Pinned);
                handles[2 * i + 1] = System.Runtime.InteropServices.GCHandle.Alloc(planes[i].Data, System.Runtime.InteropServices.GCHandleType.Pinned);
            }
            fixed (byte* output = image.Pixels)
            {
                for (int y = 0; y < height; y++)
                {
                    for (int i = 0; i < planes.Length; i++)
                    {
                        if (planes[i].IsFullSize)
                            pointers[i] = (byte*)handles[2 * i + 1].AddrOfPinnedObject() + y * planes[i].Stride;
                        else
                        {
                            JpegUpsampler.Row(planes[i], y, width, rows[i]);
                            pointers[i] = (byte*)handles[2 * i].AddrOfPinnedObject();
                        }
                    }
                    byte* o = output + (long)y * width * 4;
                    if (space == JpegColorSpace.YCbCr) YccToRgba.Row(pointers[0], pointers[1], pointers[2], o, width);
                    else ConvertRow(space, pointers, o, width);
                }
            }
        }
        finally
        {
            foreach (var h in handles) if (h.IsAllocated) h.Free();
        }
    }

    private static unsafe void ConvertRow(JpegColorSpace space, byte** c, byte* o, int width)
    {
        for (int x = 0; x < width; x++, o += 4)
        {
            switch (space)
            {
                case JpegColorSpace.Gray:
                    o[0] = o[1] = o[2] = c[0][x];
                    break;
                case JpegColorSpace.Rgb:
                    o[0] = c[0][x]; o[1] = c[1][x]; o[2] = c[2][x];
                    break;
                case JpegColorSpace.Cmyk:
                {
                    int k = c[3][x];
                    o[0] = MulDiv255(c[0][x], k); o[1] = MulDiv255(c[1][x], k); o[2] = MulDiv255(c[2][x], k);
                    break;
                }
                default: // YCCK: YCC → RGB, then Adobe's inverted CMY = 255 − RGB.
                {
                    int l = c[0][x], b = c[1][x], r = c[2][x], k = c[3][x];
                    o[0] = MulDiv255(255 - Clamp(l + CrToR[r]), k);
                    o[1] = MulDiv255(255 - Clamp(l + ((CbToG[b] + CrToG[r]) >> ScaleBits)), k);
                    o[2] = MulDiv255(255 - Clamp(l + CbToB[b]), k);
                    break;
                }
            }
            o[3] = 255;
        }
    }

    /// <summary>round(a·b/255) exactly as (double)a·b/255 + 0.5 truncated.</summary>
    private static byte MulDiv255(int a, int b) => (byte)((a * b * 2 + 255) / 510);

    private static byte Clamp(int v) => (uint)v <= 255 ? (byte)v : v < 0 ? (byte)0 : (byte)255;
}
