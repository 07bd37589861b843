namespace LoraPS.Formats.Images.Bmp;

/// <summary>BMP in the codec registry.</summary>
public sealed class BmpCodec : IImageCodec
{
    public ImageFormat Format => ImageFormat.Bmp;
    public IReadOnlyList<string> Extensions { get; } = [".bmp", ".dib"];

    /// <summary>'BM' plus a DIB header size BMP knows, so text files starting with "BM" are not taken for pictures.</summary>
    public bool Matches(ReadOnlySpan<byte> head) =>
        BmpHeader.HasSignature(head) && head.Length >= BmpHeader.MinimumProbe
        && BitConverter.ToUInt32(head[14..18]) is 12 or 16 or 40 or 52 or 56 or 64 or 108 or 124;

    public ImageHeader Probe(Stream stream, string? path)
    {
        Span<byte> head = stackalloc byte[14 + 124 + 16];
        int n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        var h = BmpHeader.Parse(head[..n], path);
        return new ImageHeader(ImageFormat.Bmp, h.Width, h.Height) { HasAlpha = h.AlphaMask != 0 };
    }

    public RgbaImage Decode(ReadOnlySpan<byte> data, ImageDecodeOptions options, string? path) =>
        BmpDecoder.Decode(data, options, path);
}
