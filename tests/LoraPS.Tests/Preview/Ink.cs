using LoraPS.Formats.Images;

namespace LoraPS.Tests.Preview;

/// <summary>Helpers that look at what was drawn on a plain background.</summary>
internal static class Ink
{
    public static RgbaImage Blank(int width, int height, byte value = 255)
    {
        var image = new RgbaImage(width, height);
        Array.Fill(image.Pixels, value);
        return image;
    }

    public static bool IsBackground(RgbaImage image, int x, int y, byte value = 255)
    {
        int i = (y * image.Width + x) * 4;
        return image.Pixels[i] == value && image.Pixels[i + 1] == value && image.Pixels[i + 2] == value && image.Pixels[i + 3] == value;
    }

    /// <summary>The smallest box holding every non-background pixel (inclusive corners), or null when there is none.</summary>
    public static (int Left, int Top, int Right, int Bottom)? Box(RgbaImage image, byte background = 255)
    {
        int left = int.MaxValue, top = int.MaxValue, right = -1, bottom = -1;
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
                if (!IsBackground(image, x, y, background))
                {
                    left = Math.Min(left, x); right = Math.Max(right, x);
                    top = Math.Min(top, y); bottom = Math.Max(bottom, y);
                }
        return right < 0 ? null : (left, top, right, bottom);
    }

    public static RgbaImage Crop(RgbaImage image, int x, int y, int width, int height)
    {
        var crop = new RgbaImage(width, height);
        for (int row = 0; row < height; row++)
            image.Pixels.AsSpan(((y + row) * image.Width + x) * 4, width * 4).CopyTo(crop.Row(row));
        return crop;
    }

    public static byte[] Pixel(RgbaImage image, int x, int y) => image.Pixels.AsSpan((y * image.Width + x) * 4, 4).ToArray();
}
