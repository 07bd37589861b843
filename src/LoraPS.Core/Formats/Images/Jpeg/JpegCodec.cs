using LoraPS.Formats.Images.Exif;

namespace LoraPS.Formats.Images.Jpeg;

/// <summary>JPEG (JFIF/EXIF) reading: signature, header probe by marker scan, full decode with EXIF orientation.</summary>
public sealed class JpegCodec : IImageCodec
{
    public ImageFormat Format => ImageFormat.Jpeg;

    public IReadOnlyList<string> Extensions { get; } = new[] { ".jpg", ".jpeg", ".jpe", ".jfif" };

    public bool Matches(ReadOnlySpan<byte> head) => head.Length >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF;

    public ImageHeader Probe(Stream stream, string? path)
    {
        int orientation = 1;
        try
        {
            var reader = new MarkerReader(stream);
            if (reader.ReadByte() != 0xFF || reader.ReadByte() != 0xD8) throw new ImageFormatException(path, "not a JPEG file (no start-of-image marker)");
            while (true)
            {
                int marker = reader.NextMarker();
                if (marker < 0) throw new ImageFormatException(path, "the file ends before the frame header (truncated)");
                if (marker == 0xD9 || marker == 0xDA) throw new ImageFormatException(path, "no frame header (SOF) before the image data");
                if ((marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) continue;
                int length = reader.ReadUInt16();
                if (length < 2) throw new ImageFormatException(path, $"marker 0xFF{marker:X2} has an invalid length {length}");
                if (IsFrameMarker(marker))
                {
                    Span<byte> sof = stackalloc byte[6];
                    if (length < 8 || !reader.ReadExactly(sof)) throw new ImageFormatException(path, "the frame header (SOF) is cut short");
                    int height = (sof[1] << 8) | sof[2], width = (sof[3] << 8) | sof[4];
                    if (width == 0 || height == 0) throw new ImageFormatException(path, $"declared size {width}×{height} is not a valid picture size");
                    return new ImageHeader(ImageFormat.Jpeg, width, height) { Orientation = orientation, BitDepth = sof[0] };
                }
                if (marker == 0xE1 && orientation == 1)
                {
                    var segment = new byte[length - 2];
                    if (!reader.ReadExactly(segment)) throw new ImageFormatException(path, "an APP1 segment is cut short (truncated)");
                    if (segment.Length >= 6 && segment.AsSpan(0, 6).SequenceEqual("Exif\0\0"u8))
                        orientation = ExifReader.Parse(segment.AsSpan(6)).Orientation;
                    continue;
                }
                if (!reader.Skip(length - 2)) throw new ImageFormatException(path, $"marker 0xFF{marker:X2} segment runs past the end of the file (truncated)");
            }
        }
        catch (EndOfStreamException e)
        {
            throw new ImageFormatException(path, "the file ends inside its header (truncated)", e);
        }
    }

    public RgbaImage Decode(ReadOnlySpan<byte> data, ImageDecodeOptions options, string? path)
    {
        var decoder = new JpegDecoder(data.ToArray(), options, path);
        RgbaImage image;
        try
        {
            image = decoder.Decode();
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentException or OverflowException)
        {
            // A defensive net: every bound should be checked above, but a hostile file must never crash the caller.
            throw new ImageFormatException(path, "the JPEG data is corrupt (an internal bound was exceeded)", e);
        }
        int orientation = decoder.Exif?.Orientation ?? 1;
        return options.ApplyOrientation ? ExifOrientation.Apply(image, orientation) : image;
    }

    /// <summary>The TIFF block of a JPEG's EXIF APP1 segment, or null (the stream is left where it was).</summary>
    internal static byte[]? FindExif(Stream stream)
    {
        long start = stream.CanSeek ? stream.Position : 0;
        try
        {
            var reader = new MarkerReader(stream);
            if (reader.ReadByte() != 0xFF || reader.ReadByte() != 0xD8) return null;
            while (true)
            {
                int marker = reader.NextMarker();
                if (marker < 0 || marker == 0xD9 || marker == 0xDA) return null;
                if ((marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) continue;
                int length = reader.ReadUInt16();
                if (length < 2) return null;
                if (marker == 0xE1)
                {
                    var segment = new byte[length - 2];
                    if (!reader.ReadExactly(segment)) return null;
                    if (segment.Length >= 6 && segment.AsSpan(0, 6).SequenceEqual("Exif\0\0"u8)) return segment[6..];
                    continue;
                }
                if (!reader.Skip(length - 2)) return null;
            }
        }
        catch (EndOfStreamException) { return null; }
        finally { if (stream.CanSeek) stream.Position = start; }
    }

    private static bool IsFrameMarker(int m) => m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;

    /// <summary>Reads markers and segment headers from a stream without loading the file.</summary>
    private sealed class MarkerReader
    {
        private readonly Stream _stream;
        public MarkerReader(Stream stream) => _stream = stream;

        public int ReadByte()
        {
            int b = _stream.ReadByte();
            if (b < 0) throw new EndOfStreamException();
            return b;
        }

        public int ReadUInt16() => (ReadByte() << 8) | ReadByte();

        /// <summary>The next marker code, or −1 at the end of the stream.</summary>
        public int NextMarker()
        {
            while (true)
            {
                int b = _stream.ReadByte();
                if (b < 0) return -1;
                if (b != 0xFF) continue;
                do b = _stream.ReadByte(); while (b == 0xFF);
                if (b < 0) return -1;
                if (b != 0) return b;
            }
        }

        public bool ReadExactly(Span<byte> buffer) => _stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false) == buffer.Length;

        public bool Skip(int count)
        {
            if (_stream.CanSeek)
            {
                if (_stream.Position + count > _stream.Length) return false;
                _stream.Seek(count, SeekOrigin.Current);
                return true;
            }
            Span<byte> scratch = stackalloc byte[512];
            while (count > 0)
            {
                int n = _stream.Read(scratch[..Math.Min(count, scratch.Length)]);
                if (n <= 0) return false;
                count -= n;
            }
            return true;
        }
    }
}
