namespace LoraPS.Formats.Images;

/// <summary>
/// A decoded picture with 16 bits per channel: R, G, B, A as ushort, row-major, no padding. Made by
/// decoders that can keep the precision of 16-bit files (PNG); <see cref="ToRgba8"/> reduces it.
/// </summary>
public sealed class Rgba64Image
{
    public int Width { get; }
    public int Height { get; }

    /// <summary>Width × Height × 4 samples, 0–65535.</summary>
    public ushort[] Pixels { get; }

    public Rgba64Image(int width, int height, ushort[]? pixels = null)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}×{height} is not positive");
        long samples = (long)width * height * 4;
        if (samples > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}×{height} is too large");
        if (pixels != null && pixels.Length != samples)
            throw new ArgumentException($"{pixels.Length} samples given for a {width}×{height} RGBA image ({samples} needed)", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels ?? new ushort[samples];
    }

    public Span<ushort> Row(int y) => Pixels.AsSpan(y * Width * 4, Width * 4);

    /// <summary>Rounds each sample to 8 bits (v × 255 / 65535, to nearest).</summary>
    public RgbaImage ToRgba8()
    {
        var image = new RgbaImage(Width, Height);
        Reduce(Pixels, image.Pixels);
        return image;
    }

    /// <summary>The rounding used everywhere a 16-bit sample becomes 8 bits: (v + 128) / 257 equals round(v × 255 / 65535).</summary>
    public static byte To8(ushort v) => (byte)((v + 128) / 257);

    internal static void Reduce(ReadOnlySpan<ushort> source, Span<byte> target)
    {
        for (int i = 0; i < source.Length; i++) target[i] = (byte)((source[i] + 128) / 257);
    }
}
