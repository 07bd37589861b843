namespace LoraPS.Formats.Images.Png;

/// <summary>The IHDR chunk: size, bit depth, colour type and interlace method, validated.</summary>
public sealed record PngHeader(int Width, int Height, int BitDepth, PngColorType ColorType, bool Interlaced)
{
    /// <summary>Samples per pixel as stored.</summary>
    public int Channels => ColorType switch
    {
        PngColorType.Grayscale or PngColorType.Palette => 1,
        PngColorType.GrayscaleAlpha => 2,
        PngColorType.Rgb => 3,
        _ => 4,
    };

    public int BitsPerPixel => Channels * BitDepth;

    /// <summary>Bytes of one scanline of <paramref name="width"/> pixels, without the filter byte.</summary>
    public long RowBytes(int width) => ((long)width * BitsPerPixel + 7) / 8;

    /// <summary>The distance, in bytes, to the corresponding byte of the pixel to the left (at least 1).</summary>
    public int FilterStride => Math.Max(1, BitsPerPixel / 8);

    internal static PngHeader Parse(ReadOnlySpan<byte> ihdr, string? path)
    {
        if (ihdr.Length != 13) throw new ImageFormatException(path, $"PNG IHDR chunk is {ihdr.Length} bytes long, not 13");
        uint width = PngChunk.ReadUInt32(ihdr), height = PngChunk.ReadUInt32(ihdr[4..]);
        int depth = ihdr[8], colorType = ihdr[9];
        if (width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue)
            throw new ImageFormatException(path, $"PNG declares an impossible size {width}×{height}");
        bool depthOk = colorType switch
        {
            0 => depth is 1 or 2 or 4 or 8 or 16,
            3 => depth is 1 or 2 or 4 or 8,
            2 or 4 or 6 => depth is 8 or 16,
            _ => throw new ImageFormatException(path, $"PNG colour type {colorType} does not exist"),
        };
        if (!depthOk) throw new ImageFormatException(path, $"PNG bit depth {depth} is not allowed for colour type {colorType}");
        if (ihdr[10] != 0) throw new ImageFormatException(path, $"PNG compression method {ihdr[10]} is unknown");
        if (ihdr[11] != 0) throw new ImageFormatException(path, $"PNG filter method {ihdr[11]} is unknown");
        if (ihdr[12] > 1) throw new ImageFormatException(path, $"PNG interlace method {ihdr[12]} is unknown");
        return new PngHeader((int)width, (int)height, depth, (PngColorType)colorType, ihdr[12] == 1);
    }
}
