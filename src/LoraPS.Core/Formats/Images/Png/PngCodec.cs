namespace LoraPS.Formats.Images.Png;

/// <summary>PNG in the codec registry: signature, header probe (IHDR plus a look for tRNS before the image data), decode.</summary>
public sealed class PngCodec : IImageCodec
{
    public ImageFormat Format => ImageFormat.Png;
    public IReadOnlyList<string> Extensions { get; } = [".png"];

    public bool Matches(ReadOnlySpan<byte> head) => PngChunk.HasSignature(head);

    public ImageHeader Probe(Stream stream, string? path)
    {
        Span<byte> head = stackalloc byte[33];
        int n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (n < 33) throw new ImageFormatException(path, "PNG is truncated inside its header");
        var header = PngDecoder.ReadHeader(head, path);
        bool alpha = header.ColorType is PngColorType.Rgba or PngColorType.GrayscaleAlpha
                     || (stream.CanSeek && HasTransparencyChunk(stream));
        return new ImageHeader(ImageFormat.Png, header.Width, header.Height) { BitDepth = header.BitDepth, HasAlpha = alpha };
    }

    /// <summary>Skips chunk headers up to the first IDAT looking for tRNS; gives up quietly on anything odd (the decoder reports defects).</summary>
    private static bool HasTransparencyChunk(Stream stream)
    {
        Span<byte> chunk = stackalloc byte[8];
        for (int i = 0; i < 64; i++)
        {
            if (stream.ReadAtLeast(chunk, 8, throwOnEndOfStream: false) < 8) return false;
            uint length = PngChunk.ReadUInt32(chunk), type = PngChunk.ReadUInt32(chunk[4..]);
            if (type == PngChunk.tRNS) return true;
            if (type is PngChunk.IDAT or PngChunk.IEND || length > int.MaxValue) return false;
            long next = stream.Position + length + 4;
            if (next > stream.Length) return false;
            stream.Position = next;
        }
        return false;
    }

    /// <summary>
    /// The body of the eXIf chunk before the first IDAT, or null; the stream is left where it was. Gives up
    /// quietly on anything odd, like <see cref="HasTransparencyChunk"/>: metadata never fails a picture.
    /// </summary>
    internal static byte[]? FindExif(Stream stream)
    {
        long start = stream.Position;
        try
        {
            Span<byte> chunk = stackalloc byte[8];
            if (stream.ReadAtLeast(chunk, 8, throwOnEndOfStream: false) < 8 || !PngChunk.HasSignature(chunk)) return null;
            for (int i = 0; i < 64; i++)
            {
                if (stream.ReadAtLeast(chunk, 8, throwOnEndOfStream: false) < 8) return null;
                uint length = PngChunk.ReadUInt32(chunk), type = PngChunk.ReadUInt32(chunk[4..]);
                if (type is PngChunk.IDAT or PngChunk.IEND || length > stream.Length - stream.Position) return null;
                if (type == PngChunk.eXIf)
                {
                    var body = new byte[length];
                    return stream.ReadAtLeast(body, body.Length, throwOnEndOfStream: false) == body.Length ? body : null;
                }
                stream.Position += length + 4;
            }
            return null;
        }
        finally { stream.Position = start; }
    }

    public RgbaImage Decode(ReadOnlySpan<byte> data, ImageDecodeOptions options, string? path) =>
        PngDecoder.Decode(data, options, path);
}
