namespace LoraPS.Formats.Images.WebP;

/// <summary>The ALPH chunk of an extended lossy WebP: raw or VP8L-compressed alpha, then the spatial unfilter.</summary>
internal static class WebPAlpha
{
    public static byte[] Decode(byte[] data, int start, int end, int width, int height, string? path)
    {
        if (end - start < 1) throw new ImageFormatException(path, "WebP: the ALPH chunk is empty");
        int header = data[start];
        int method = header & 3, filter = (header >> 2) & 3, preprocessing = (header >> 4) & 3, reserved = header >> 6;
        if (method > 1 || preprocessing > 1 || reserved != 0)
            throw new ImageFormatException(path, $"WebP: the ALPH chunk has an invalid header byte 0x{header:X2}");
        var alpha = new byte[width * height];
        if (method == 0)
        {
            if (end - start - 1 < alpha.Length) throw new ImageFormatException(path, "WebP: the uncompressed alpha plane is cut short");
            Array.Copy(data, start + 1, alpha, 0, alpha.Length);
        }
        else
        {
            uint[] argb = Vp8LDecoder.DecodeHeaderless(data, start + 1, end, width, height, path);
            for (int i = 0; i < alpha.Length; i++) alpha[i] = (byte)(argb[i] >> 8);
        }
        if (filter != 0) Unfilter(alpha, width, height, filter);
        return alpha;
    }

    /// <summary>Undoes the horizontal (1), vertical (2) or gradient (3) prediction filter in place.</summary>
    private static void Unfilter(byte[] a, int width, int height, int filter)
    {
        for (int y = 0; y < height; y++)
        {
            int row = y * width, prev = row - width;
            if (y == 0 || filter == 1)
            {
                int pred = y == 0 ? 0 : a[prev];
                for (int x = 0; x < width; x++) { a[row + x] = (byte)(pred + a[row + x]); pred = a[row + x]; }
            }
            else if (filter == 2)
            {
                for (int x = 0; x < width; x++) a[row + x] = (byte)(a[prev + x] + a[row + x]);
            }
            else
            {
                int left = a[prev], topLeft = a[prev];
                for (int x = 0; x < width; x++)
                {
                    int top = a[prev + x];
                    int g = left + top - topLeft;
                    g = g < 0 ? 0 : g > 255 ? 255 : g;
                    left = (byte)(a[row + x] + g);
                    a[row + x] = (byte)left;
                    topLeft = top;
                }
            }
        }
    }
}
