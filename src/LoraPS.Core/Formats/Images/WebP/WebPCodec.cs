using System.Buffers.Binary;
using LoraPS.Formats.Images.Exif;

namespace LoraPS.Formats.Images.WebP;

/// <summary>
/// WebP reading: the RIFF container (simple lossy, simple lossless, extended VP8X with ALPH and EXIF,
/// animations give their first frame), header probing from chunk headers, decode with EXIF orientation.
/// </summary>
public sealed class WebPCodec : IImageCodec
{
    public ImageFormat Format => ImageFormat.WebP;

    public IReadOnlyList<string> Extensions { get; } = new[] { ".webp" };

    public bool Matches(ReadOnlySpan<byte> head) =>
        head.Length >= 12 && head[..4].SequenceEqual("RIFF"u8) && head.Slice(8, 4).SequenceEqual("WEBP"u8);

    public ImageHeader Probe(Stream stream, string? path)
    {
        long start = stream.CanSeek ? stream.Position : 0;
        Span<byte> head = stackalloc byte[30];
        int n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (n < 12 || !Matches(head)) throw new ImageFormatException(path, "not a WebP file (no RIFF/WEBP header)");
        if (n < 25) throw new ImageFormatException(path, "the WebP header is cut short (truncated file)");
        var fourCc = head.Slice(12, 4);
        var payload = head[20..n];
        if (!fourCc.SequenceEqual("VP8L"u8) && payload.Length < 10) throw new ImageFormatException(path, "the WebP header is cut short (truncated file)");
        ImageHeader header;
        if (fourCc.SequenceEqual("VP8 "u8))
        {
            var (w, h) = Vp8Decoder.ReadSize(payload, path);
            header = new ImageHeader(ImageFormat.WebP, w, h);
        }
        else if (fourCc.SequenceEqual("VP8L"u8))
        {
            var (w, h, alpha) = Vp8LDecoder.ReadHeader(payload, path);
            header = new ImageHeader(ImageFormat.WebP, w, h) { HasAlpha = alpha };
        }
        else if (fourCc.SequenceEqual("VP8X"u8))
        {
            int flags = payload[0];
            int w = 1 + (payload[4] | (payload[5] << 8) | (payload[6] << 16));
            int h = 1 + (payload[7] | (payload[8] << 8) | (payload[9] << 16));
            int orientation = 1;
            if ((flags & 0x08) != 0 && stream.CanSeek)
            {
                stream.Position = start;
                var exif = FindExif(stream);
                if (exif is not null) orientation = ExifReader.Parse(exif).Orientation;
            }
            header = new ImageHeader(ImageFormat.WebP, w, h) { HasAlpha = (flags & 0x10) != 0, Orientation = orientation };
        }
        else throw new ImageFormatException(path, $"WebP: unknown first chunk '{System.Text.Encoding.ASCII.GetString(fourCc)}'");
        if (header.Width <= 0 || header.Height <= 0) throw new ImageFormatException(path, $"declared size {header.Width}×{header.Height} is not a valid picture size");
        return header;
    }

    /// <summary>The payload of the EXIF chunk, or null (the stream is left where it was).</summary>
    internal static byte[]? FindExif(Stream stream)
    {
        long start = stream.CanSeek ? stream.Position : 0;
        try
        {
            Span<byte> chunk = stackalloc byte[12];
            if (stream.ReadAtLeast(chunk, 12, throwOnEndOfStream: false) < 12) return null;
            if (!chunk[..4].SequenceEqual("RIFF"u8) || !chunk.Slice(8, 4).SequenceEqual("WEBP"u8)) return null;
            for (int i = 0; i < 10_000; i++)
            {
                if (stream.ReadAtLeast(chunk[..8], 8, throwOnEndOfStream: false) < 8) return null;
                uint size = BinaryPrimitives.ReadUInt32LittleEndian(chunk.Slice(4, 4));
                if (chunk[..4].SequenceEqual("EXIF"u8))
                {
                    if (size > 16 << 20) return null;
                    var exif = new byte[size];
                    return stream.ReadAtLeast(exif, exif.Length, throwOnEndOfStream: false) == exif.Length ? exif : null;
                }
                long skip = size + (size & 1);
                if (stream.CanSeek)
                {
                    if (stream.Position + skip > stream.Length) return null;
                    stream.Seek(skip, SeekOrigin.Current);
                }
                else
                {
                    var scratch = new byte[4096];
                    while (skip > 0)
                    {
                        int r = stream.Read(scratch, 0, (int)Math.Min(skip, scratch.Length));
                        if (r <= 0) return null;
                        skip -= r;
                    }
                }
            }
            return null;
        }
        finally { if (stream.CanSeek) stream.Position = start; }
    }

    private readonly record struct Chunk(string FourCc, int Start, int End);

    /// <summary>Lists the chunks in [start, end); a chunk running past the end is an error.</summary>
    private static List<Chunk> ReadChunks(byte[] data, int start, int end, string? path)
    {
        var chunks = new List<Chunk>();
        int pos = start;
        while (pos + 8 <= end)
        {
            string fourCc = System.Text.Encoding.ASCII.GetString(data, pos, 4);
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(pos + 4));
            if (size > (uint)(end - pos - 8)) throw new ImageFormatException(path, $"WebP: the '{fourCc}' chunk runs past the end of the file (truncated)");
            chunks.Add(new Chunk(fourCc, pos + 8, pos + 8 + (int)size));
            pos += 8 + (int)size + (int)(size & 1);
        }
        return chunks;
    }

    public RgbaImage Decode(ReadOnlySpan<byte> span, ImageDecodeOptions options, string? path)
    {
        byte[] data = span.ToArray();
        try
        {
            var (image, exif) = DecodeContainer(data, options, path);
            int orientation = exif is null ? 1 : ExifReader.Parse(exif).Orientation;
            return options.ApplyOrientation ? ExifOrientation.Apply(image, orientation) : image;
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentException or OverflowException)
        {
            throw new ImageFormatException(path, "the WebP data is corrupt (an internal bound was exceeded)", e);
        }
    }

    private static (RgbaImage Image, byte[]? Exif) DecodeContainer(byte[] data, ImageDecodeOptions options, string? path)
    {
        if (data.Length < 12 || !data.AsSpan(0, 4).SequenceEqual("RIFF"u8) || !data.AsSpan(8, 4).SequenceEqual("WEBP"u8))
            throw new ImageFormatException(path, "not a WebP file (no RIFF/WEBP header)");
        uint riffSize = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(4));
        if (riffSize < 4 || riffSize > (uint)(data.Length - 8)) throw new ImageFormatException(path, $"WebP: the RIFF size {riffSize} does not fit the {data.Length}-byte file (truncated)");
        var chunks = ReadChunks(data, 12, 8 + (int)riffSize, path);
        if (chunks.Count == 0) throw new ImageFormatException(path, "WebP: the file has no chunks");

        var first = chunks[0];
        if (first.FourCc != "VP8X") return (DecodeFrameChunks(data, chunks, 0, options, path, null), null);

        if (first.End - first.Start < 10) throw new ImageFormatException(path, "WebP: the VP8X chunk is too short");
        int flags = data[first.Start];
        int canvasWidth = 1 + (data[first.Start + 4] | (data[first.Start + 5] << 8) | (data[first.Start + 6] << 16));
        int canvasHeight = 1 + (data[first.Start + 7] | (data[first.Start + 8] << 8) | (data[first.Start + 9] << 16));
        options.CheckSize(canvasWidth, canvasHeight, path);
        byte[]? exif = null;
        var exifChunk = chunks.FirstOrDefault(c => c.FourCc == "EXIF");
        if (exifChunk.FourCc is not null) exif = data[exifChunk.Start..exifChunk.End];

        if ((flags & 0x02) != 0)
        {
            var frame = chunks.FirstOrDefault(c => c.FourCc == "ANMF");
            if (frame.FourCc is null) throw new ImageFormatException(path, "WebP: an animated file without frames");
            if (frame.End - frame.Start < 16) throw new ImageFormatException(path, "WebP: an ANMF chunk is too short");
            int s = frame.Start;
            int x = 2 * (data[s] | (data[s + 1] << 8) | (data[s + 2] << 16));
            int y = 2 * (data[s + 3] | (data[s + 4] << 8) | (data[s + 5] << 16));
            int w = 1 + (data[s + 6] | (data[s + 7] << 8) | (data[s + 8] << 16));
            int h = 1 + (data[s + 9] | (data[s + 10] << 8) | (data[s + 11] << 16));
            if ((long)x + w > canvasWidth || (long)y + h > canvasHeight) throw new ImageFormatException(path, "WebP: the first frame lies outside the canvas");
            var frameChunks = ReadChunks(data, s + 16, frame.End, path);
            var frameImage = DecodeFrameChunks(data, frameChunks, 0, options, path, (w, h));
            var canvas = new RgbaImage(canvasWidth, canvasHeight); // transparent black
            for (int row = 0; row < h; row++)
                frameImage.Row(row).CopyTo(canvas.Pixels.AsSpan(((y + row) * canvasWidth + x) * 4, w * 4));
            return (canvas, exif);
        }

        int imageIndex = chunks.FindIndex(c => c.FourCc is "VP8 " or "VP8L");
        if (imageIndex < 0) throw new ImageFormatException(path, "WebP: the extended file has no image data (VP8 or VP8L chunk)");
        return (DecodeFrameChunks(data, chunks, 0, options, path, (canvasWidth, canvasHeight)), exif);
    }

    /// <summary>Decodes the image of a chunk list: an optional ALPH chunk, then VP8 or VP8L.</summary>
    private static RgbaImage DecodeFrameChunks(byte[] data, List<Chunk> chunks, int from, ImageDecodeOptions options, string? path, (int W, int H)? expected)
    {
        Chunk? alpha = null;
        for (int i = from; i < chunks.Count; i++)
        {
            var c = chunks[i];
            if (c.FourCc == "ALPH") { alpha ??= c; continue; }
            if (c.FourCc == "VP8L")
            {
                uint[] argb = Vp8LDecoder.Decode(data, c.Start, c.End, options, path, out int w, out int h);
                CheckExpected(w, h, expected, path);
                var image = new RgbaImage(w, h);
                var px = image.Pixels;
                for (int p = 0; p < argb.Length; p++)
                {
                    uint v = argb[p];
                    px[4 * p] = (byte)(v >> 16); px[4 * p + 1] = (byte)(v >> 8); px[4 * p + 2] = (byte)v; px[4 * p + 3] = (byte)(v >> 24);
                }
                return image;
            }
            if (c.FourCc == "VP8 ")
            {
                var frame = Vp8Decoder.Decode(data, c.Start, c.End, options, path);
                CheckExpected(frame.Width, frame.Height, expected, path);
                // The converter writes every byte, alpha included.
                var image = new RgbaImage(frame.Width, frame.Height, GC.AllocateUninitializedArray<byte>(frame.Width * frame.Height * 4));
                Vp8YuvConverter.Convert(frame, image);
                if (alpha is { } a)
                {
                    byte[] plane = WebPAlpha.Decode(data, a.Start, a.End, frame.Width, frame.Height, path);
                    for (int p = 0; p < plane.Length; p++) image.Pixels[4 * p + 3] = plane[p];
                }
                return image;
            }
        }
        throw new ImageFormatException(path, "WebP: no image data (VP8 or VP8L chunk)");
    }

    private static void CheckExpected(int w, int h, (int W, int H)? expected, string? path)
    {
        if (expected is { } e && (e.W != w || e.H != h))
            throw new ImageFormatException(path, $"WebP: the image is {w}×{h} but the container declares {e.W}×{e.H}");
    }
}
