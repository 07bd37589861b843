using System.Numerics;
using System.Runtime.InteropServices;

namespace LoraPS.Formats.Images.Resampling;

/// <summary>How <see cref="ImageOps.Resize"/> resamples.</summary>
public enum ResizeMethod
{
    /// <summary>sd-scripts' rule: OpenCV area when shrinking both axes, Pillow Lanczos otherwise.</summary>
    Auto,
    Area,
    Lanczos,
    Bicubic,
    Bilinear,
}

/// <summary>An opaque colour for backgrounds and padding.</summary>
public readonly record struct RgbColor(byte R, byte G, byte B)
{
    public static RgbColor White => new(255, 255, 255);
    public static RgbColor Black => new(0, 0, 0);
}

/// <summary>Geometry and colour operations on <see cref="RgbaImage"/> that bucketing, tagging and augmentation share.</summary>
public static class ImageOps
{
    public static RgbaImage Resize(RgbaImage image, int width, int height, ResizeMethod method = ResizeMethod.Auto)
    {
        if (method == ResizeMethod.Auto)
            method = width <= image.Width && height <= image.Height ? ResizeMethod.Area : ResizeMethod.Lanczos;
        return method switch
        {
            ResizeMethod.Area => AreaResampler.Resize(image, width, height),
            ResizeMethod.Lanczos => ConvolutionResampler.Resize(image, width, height, ConvolutionFilter.Lanczos),
            ResizeMethod.Bicubic => ConvolutionResampler.Resize(image, width, height, ConvolutionFilter.Bicubic),
            _ => ConvolutionResampler.Resize(image, width, height, ConvolutionFilter.Bilinear),
        };
    }

    /// <summary>The rectangle at (x, y) of size width × height, which must lie inside the image.</summary>
    public static RgbaImage Crop(RgbaImage image, int x, int y, int width, int height)
    {
        if (x < 0 || y < 0 || width <= 0 || height <= 0 || x + width > image.Width || y + height > image.Height)
            throw new ArgumentOutOfRangeException(nameof(x), $"crop {width}×{height} at ({x}, {y}) is outside the {image.Width}×{image.Height} image");
        var output = new RgbaImage(width, height);
        for (int row = 0; row < height; row++)
            image.Pixels.AsSpan(((y + row) * image.Width + x) * 4, width * 4).CopyTo(output.Row(row));
        return output;
    }

    /// <summary>The centred width × height rectangle (the odd pixel, if any, is dropped on the right/bottom).</summary>
    public static RgbaImage CenterCrop(RgbaImage image, int width, int height) =>
        Crop(image, (image.Width - width) / 2, (image.Height - height) / 2, width, height);

    /// <summary>A width × height rectangle at a position drawn uniformly from <paramref name="random"/>.</summary>
    public static RgbaImage RandomCrop(RgbaImage image, int width, int height, Random random) =>
        Crop(image, random.Next(image.Width - width + 1), random.Next(image.Height - height + 1), width, height);

    /// <summary>Mirrors left to right.</summary>
    public static RgbaImage FlipHorizontal(RgbaImage image)
    {
        var output = new RgbaImage(image.Width, image.Height);
        for (int y = 0; y < image.Height; y++)
        {
            var src = MemoryMarshal.Cast<byte, uint>(image.Row(y));
            var dst = MemoryMarshal.Cast<byte, uint>(output.Row(y));
            src.CopyTo(dst);
            dst.Reverse();
        }
        return output;
    }

    /// <summary>
    /// Composites over an opaque background with Pillow's paste-with-mask rounding
    /// (out = round((bg·(255−a) + fg·a) / 255)); the result is opaque.
    /// </summary>
    public static RgbaImage CompositeOnto(RgbaImage image, RgbColor background)
    {
        var output = new RgbaImage(image.Width, image.Height);
        CompositeOnto(image.Pixels, output.Pixels, background);
        return output;
    }

    internal static void CompositeOnto(ReadOnlySpan<byte> rgba, Span<byte> output, RgbColor background)
    {
        for (int i = 0; i < rgba.Length; i += 4)
        {
            int a = rgba[i + 3];
            if (a == 255)
            {
                rgba.Slice(i, 4).CopyTo(output.Slice(i, 4));
                continue;
            }
            output[i] = Blend(background.R, rgba[i], a);
            output[i + 1] = Blend(background.G, rgba[i + 1], a);
            output[i + 2] = Blend(background.B, rgba[i + 2], a);
            output[i + 3] = 255;
        }
    }

    /// <summary>Pillow's BLEND: DIV255(in1·(255−mask) + in2·mask), an exact round-to-nearest of x/255.</summary>
    internal static byte Blend(int background, int foreground, int alpha)
    {
        int t = background * (255 - alpha) + foreground * alpha + 128;
        return (byte)(((t >> 8) + t) >> 8);
    }

    /// <summary>
    /// Rotates every pixel's hue by <paramref name="degrees"/> (saturation and value kept), as colour
    /// augmentation does; grey pixels are unchanged, alpha is kept.
    /// </summary>
    public static RgbaImage HueShift(RgbaImage image, float degrees)
    {
        var output = new RgbaImage(image.Width, image.Height);
        float shift = ((degrees % 360f) + 360f) % 360f / 60f;
        byte[] s = image.Pixels, d = output.Pixels;
        for (int i = 0; i < s.Length; i += 4)
        {
            float r = s[i], g = s[i + 1], b = s[i + 2];
            float max = MathF.Max(r, MathF.Max(g, b)), min = MathF.Min(r, MathF.Min(g, b)), chroma = max - min;
            if (chroma == 0)
            {
                (d[i], d[i + 1], d[i + 2], d[i + 3]) = (s[i], s[i + 1], s[i + 2], s[i + 3]);
                continue;
            }
            float h = max == r ? (g - b) / chroma : max == g ? (b - r) / chroma + 2f : (r - g) / chroma + 4f;
            h = (h + shift) % 6f;
            if (h < 0) h += 6f;
            // Rebuild from hue sector with the same max and min.
            float x = chroma * (1 - MathF.Abs(h % 2f - 1));
            (float r1, float g1, float b1) = (int)h switch
            {
                0 => (chroma, x, 0f),
                1 => (x, chroma, 0f),
                2 => (0f, chroma, x),
                3 => (0f, x, chroma),
                4 => (x, 0f, chroma),
                _ => (chroma, 0f, x),
            };
            d[i] = ToByte(r1 + min);
            d[i + 1] = ToByte(g1 + min);
            d[i + 2] = ToByte(b1 + min);
            d[i + 3] = s[i + 3];
        }
        return output;
    }

    private static byte ToByte(float v) => (byte)Math.Clamp((int)MathF.Round(v), 0, 255);

    /// <summary>Pads to a square of the longer side with <paramref name="fill"/>, the image centred (extra pixel right/bottom).</summary>
    public static RgbaImage PadToSquare(RgbaImage image, RgbColor fill)
    {
        int size = Math.Max(image.Width, image.Height);
        if (size == image.Width && size == image.Height) return image;
        var output = new RgbaImage(size, size);
        uint fillPixel = BitConverter.IsLittleEndian
            ? (uint)(fill.R | fill.G << 8 | fill.B << 16 | 255 << 24)
            : throw new PlatformNotSupportedException();
        MemoryMarshal.Cast<byte, uint>(output.Pixels.AsSpan()).Fill(fillPixel);
        int left = (size - image.Width) / 2, top = (size - image.Height) / 2;
        for (int y = 0; y < image.Height; y++)
            image.Row(y).CopyTo(output.Pixels.AsSpan(((top + y) * size + left) * 4));
        return output;
    }
}
