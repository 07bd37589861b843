namespace LoraPS.Formats.Images;

/// <summary>How to decode. The pixel limit is checked against the header before any pixel memory is allocated.</summary>
public sealed record ImageDecodeOptions
{
    /// <summary>Default limit: 178,956,970 pixels, the same bound Pillow uses against decompression bombs (×2 of its warning).</summary>
    public const long DefaultMaxPixels = 178_956_970;

    public static ImageDecodeOptions Default { get; } = new();

    /// <summary>Files whose width × height exceeds this are refused before decoding.</summary>
    public long MaxPixels { get; init; } = DefaultMaxPixels;

    /// <summary>Rotate/flip by the EXIF orientation (JPEG, WebP) so the result is upright.</summary>
    public bool ApplyOrientation { get; init; } = true;

    /// <summary>Throws the standard error when a declared size is not positive or over the limit.</summary>
    public void CheckSize(long width, long height, string? path)
    {
        if (width <= 0 || height <= 0)
            throw new ImageFormatException(path, $"declared size {width}×{height} is not a valid picture size");
        if (width * height > MaxPixels)
            throw new ImageFormatException(path, $"declared size {width}×{height} ({width * height:N0} pixels) exceeds the limit of {MaxPixels:N0} pixels");
    }
}
