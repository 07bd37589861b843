using LoraPS.Formats;
using LoraPS.Formats.Images;
using LoraPS.Formats.Images.Png;

namespace LoraPS.Workflows.Preview;

/// <summary>
/// Preview images and grids as PNG files carrying their <see cref="InfoText"/> under the "parameters"
/// keyword (tEXt when the text is Latin-1, iTXt UTF-8 otherwise, as Pillow does for A1111).
/// </summary>
public static class PreviewPng
{
    /// <summary>Encoder options that store <paramref name="parameters"/>; none when it is null or empty.</summary>
    public static PngEncodeOptions Options(string? parameters, PngEncodeOptions? baseOptions = null)
    {
        baseOptions ??= PngEncodeOptions.Default;
        if (string.IsNullOrEmpty(parameters)) return baseOptions;
        var text = new Dictionary<string, string>(baseOptions.Text ?? new Dictionary<string, string>()) { [InfoText.PngKeyword] = parameters };
        return baseOptions with { Text = text };
    }

    public static byte[] Encode(RgbaImage image, string? parameters, PngEncodeOptions? options = null) =>
        PngEncoder.Encode(image, Options(parameters, options));

    /// <summary>Writes <paramref name="path"/> atomically; refuses to replace an existing file unless <paramref name="overwrite"/>.</summary>
    public static void Save(RgbaImage image, string path, string? parameters, bool overwrite = false, PngEncodeOptions? options = null) =>
        AtomicFile.Write(path, s => PngEncoder.Encode(image, s, Options(parameters, options)), overwrite);

    /// <summary>The "parameters" text of a PNG file's bytes, or null when it has none.</summary>
    public static string? ReadParameters(ReadOnlySpan<byte> png, string? path = null) =>
        PngDecoder.ReadText(png, path).TryGetValue(InfoText.PngKeyword, out var text) ? text : null;
}
