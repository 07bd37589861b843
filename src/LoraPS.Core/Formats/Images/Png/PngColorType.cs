namespace LoraPS.Formats.Images.Png;

/// <summary>PNG colour types (IHDR byte 9).</summary>
public enum PngColorType : byte
{
    Grayscale = 0,
    Rgb = 2,
    Palette = 3,
    GrayscaleAlpha = 4,
    Rgba = 6,
}
