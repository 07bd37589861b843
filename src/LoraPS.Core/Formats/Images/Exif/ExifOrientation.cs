namespace LoraPS.Formats.Images.Exif;

/// <summary>Turns a picture stored in EXIF orientation 1–8 upright (the transforms the TIFF spec defines).</summary>
public static class ExifOrientation
{
    public static RgbaImage Apply(RgbaImage image, int orientation)
    {
        if (orientation <= 1 || orientation > 8) return image;
        int w = image.Width, h = image.Height;
        bool swap = orientation >= 5;
        int outW = swap ? h : w, outH = swap ? w : h;
        var result = new RgbaImage(outW, outH);
        var src = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(image.Pixels.AsSpan());
        var dst = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(result.Pixels.AsSpan());
        for (int y = 0; y < outH; y++)
        {
            for (int x = 0; x < outW; x++)
            {
                // (sx, sy): the stored pixel that shows at display position (x, y).
                (int sx, int sy) = orientation switch
                {
                    2 => (w - 1 - x, y),
                    3 => (w - 1 - x, h - 1 - y),
                    4 => (x, h - 1 - y),
                    5 => (y, x),
                    6 => (y, h - 1 - x),
                    7 => (w - 1 - y, h - 1 - x),
                    _ => (w - 1 - y, x), // 8
                };
                dst[y * outW + x] = src[sy * w + sx];
            }
        }
        return result;
    }
}
