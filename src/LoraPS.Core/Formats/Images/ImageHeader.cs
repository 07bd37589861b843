namespace LoraPS.Formats.Images;

/// <summary>
/// What a header probe learns without decoding pixels. Width and Height are as stored; use
/// <see cref="DisplayWidth"/>/<see cref="DisplayHeight"/> for the size after EXIF orientation.
/// </summary>
public sealed record ImageHeader(ImageFormat Format, int Width, int Height)
{
    /// <summary>EXIF orientation 1–8 (1 = as stored).</summary>
    public int Orientation { get; init; } = 1;

    /// <summary>Bits per channel as stored (8 for most files, 16 for some PNGs).</summary>
    public int BitDepth { get; init; } = 8;

    public bool HasAlpha { get; init; }

    /// <summary>Orientations 5–8 swap width and height.</summary>
    public int DisplayWidth => Orientation >= 5 ? Height : Width;
    public int DisplayHeight => Orientation >= 5 ? Width : Height;
}
