namespace LoraPS.Formats.Images.WebP;

public sealed class WebPCodec : IImageCodec
{
    public ImageFormat Format => ImageFormat.WebP;
    public IReadOnlyList<string> Extensions { get; } = new[] { ".webp" };
    public bool Matches(ReadOnlySpan<byte> head) => head.Length >= 12 && head[..4].SequenceEqual("RIFF"u8) && head.Slice(8, 4).SequenceEqual("WEBP"u8);
    public ImageHeader Probe(Stream stream, string? path) => throw new ImageFormatException(path, "WebP is not implemented yet");
    public RgbaImage Decode(ReadOnlySpan<byte> data, ImageDecodeOptions options, string? path) => throw new ImageFormatException(path, "WebP is not implemented yet");
    internal static byte[]? FindExif(Stream stream) => null;
}
