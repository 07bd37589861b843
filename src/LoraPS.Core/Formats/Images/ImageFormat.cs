namespace LoraPS.Formats.Images;

/// <summary>The picture formats LoraPS reads (the ones sd-scripts accepts).</summary>
public enum ImageFormat
{
    Unknown = 0,
    Png,
    Jpeg,
    WebP,
    Bmp,
}
