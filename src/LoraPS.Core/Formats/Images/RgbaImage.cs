namespace LoraPS.Formats.Images;

/// <summary>
/// A decoded picture: 8-bit RGBA, row-major, no padding between rows (pixel (x, y) starts at
/// (y * Width + x) * 4). Every decoder produces it and every resampler and encoder takes it.
/// </summary>
public sealed class RgbaImage
{
    public int Width { get; }
    public int Height { get; }

    /// <summary>Width × Height × 4 bytes: R, G, B, A.</summary>
    public byte[] Pixels { get; }

    public RgbaImage(int width, int height, byte[]? pixels = null)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}×{height} is not positive");
        long bytes = (long)width * height * 4;
        if (bytes > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}×{height} is too large");
        if (pixels != null && pixels.Length != bytes)
            throw new ArgumentException($"{pixels.Length} bytes given for a {width}×{height} RGBA image ({bytes} needed)", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels ?? new byte[bytes];
    }

    /// <summary>The bytes of row <paramref name="y"/>.</summary>
    public Span<byte> Row(int y) => Pixels.AsSpan(y * Width * 4, Width * 4);
}
