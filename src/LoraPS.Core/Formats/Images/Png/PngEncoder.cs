using System.IO.Compression;
using System.Text;

namespace LoraPS.Formats.Images.Png;

/// <summary>How <see cref="PngEncoder"/> writes a file.</summary>
public sealed record PngEncodeOptions
{
    public static PngEncodeOptions Default { get; } = new();

    /// <summary>zlib effort: Fastest for previews, Optimal (the default) for files people keep, SmallestSize for the smallest, NoCompression for speed at any size.</summary>
    public CompressionLevel CompressionLevel { get; init; } = CompressionLevel.Optimal;

    /// <summary>Text chunks to write, keyword → text (e.g. "parameters" for generation settings, as A1111 does).
    /// Latin-1 text goes into tEXt, anything else into iTXt as UTF-8. Keywords are 1–79 Latin-1 characters.</summary>
    public IReadOnlyDictionary<string, string>? Text { get; init; }

    /// <summary>When true (the default), writes the smallest colour type that holds the picture exactly:
    /// grey when R = G = B everywhere, and no alpha channel when every pixel is opaque.</summary>
    public bool ReduceColorType { get; init; } = true;
}

/// <summary>
/// Writes 8-bit PNG (grey, grey+alpha, RGB or RGBA) with zlib (System.IO.Compression.ZLibStream) and
/// a per-row adaptive filter: each row gets the filter whose output has the smallest sum of absolute
/// (signed) bytes, the heuristic the PNG specification recommends.
/// </summary>
public static class PngEncoder
{
    public static byte[] Encode(RgbaImage image, PngEncodeOptions? options = null)
    {
        using var stream = new MemoryStream();
        Encode(image, stream, options);
        return stream.ToArray();
    }

    /// <summary>Writes <paramref name="path"/> atomically (temp file + rename); refuses to replace an existing file unless <paramref name="overwrite"/>.</summary>
    public static void Save(RgbaImage image, string path, PngEncodeOptions? options = null, bool overwrite = false) =>
        AtomicFile.Write(path, s => Encode(image, s, options), overwrite);

    public static void Encode(RgbaImage image, Stream output, PngEncodeOptions? options = null)
    {
        options ??= PngEncodeOptions.Default;
        var pixels = image.Pixels;
        bool opaque = true, grey = true;
        if (options.ReduceColorType)
            for (int i = 0; i < pixels.Length && (opaque || grey); i += 4)
            {
                if (pixels[i + 3] != 255) opaque = false;
                if (pixels[i] != pixels[i + 1] || pixels[i] != pixels[i + 2]) grey = false;
            }
        else opaque = grey = false;
        var colorType = (grey, opaque) switch
        {
            (true, true) => PngColorType.Grayscale,
            (true, false) => PngColorType.GrayscaleAlpha,
            (false, true) => PngColorType.Rgb,
            _ => PngColorType.Rgba,
        };
        var header = new PngHeader(image.Width, image.Height, 8, colorType, false);

        PngChunk.WriteStart(output, image.Width, image.Height, colorType);
        if (options.Text != null)
            foreach (var (key, value) in options.Text)
                PngChunk.Write(output, TextChunkType(key, value), TextChunkBody(key, value));

        using (var idat = new IdatStream(output))
        {
            using var zlib = new ZLibStream(idat, options.CompressionLevel, leaveOpen: true);
            int rowBytes = (int)header.RowBytes(image.Width), bpp = header.FilterStride;
            var raw = new byte[rowBytes];
            var prior = new byte[rowBytes];
            var best = new byte[rowBytes + 1];
            var trial = new byte[rowBytes + 1];
            for (int y = 0; y < image.Height; y++)
            {
                Pack(image.Row(y), colorType, raw);
                if (options.CompressionLevel == CompressionLevel.NoCompression)
                {
                    best[0] = PngFilters.None;
                    raw.CopyTo(best, 1);
                }
                else ChooseFilter(raw, prior, bpp, best, trial, y == 0);
                zlib.Write(best);
                (raw, prior) = (prior, raw);
            }
        }
        PngChunk.Write(output, PngChunk.IEND, ReadOnlySpan<byte>.Empty);
    }

    private static void ChooseFilter(byte[] raw, byte[] prior, int bpp, byte[] best, byte[] trial, bool firstRow)
    {
        long bestScore = long.MaxValue;
        // On the first row Up and Paeth only repeat Sub/None (the row above is zeros).
        int last = firstRow ? PngFilters.Sub : PngFilters.Paeth;
        for (int f = PngFilters.None; f <= last; f++)
        {
            PngFilters.Apply(f, raw, prior, bpp, trial.AsSpan(1));
            long score = 0;
            for (int i = 1; i < trial.Length; i++) score += trial[i] < 128 ? trial[i] : 256 - trial[i]; // |signed byte|
            if (score < bestScore)
            {
                bestScore = score;
                trial[0] = (byte)f;
                trial.CopyTo(best, 0);
            }
        }
    }

    private static void Pack(ReadOnlySpan<byte> rgba, PngColorType type, Span<byte> raw)
    {
        switch (type)
        {
            case PngColorType.Rgba: rgba.CopyTo(raw); break;
            case PngColorType.Rgb:
                for (int i = 0, o = 0; i < rgba.Length; i += 4, o += 3) { raw[o] = rgba[i]; raw[o + 1] = rgba[i + 1]; raw[o + 2] = rgba[i + 2]; }
                break;
            case PngColorType.GrayscaleAlpha:
                for (int i = 0, o = 0; i < rgba.Length; i += 4, o += 2) { raw[o] = rgba[i]; raw[o + 1] = rgba[i + 3]; }
                break;
            default:
                for (int i = 0, o = 0; i < rgba.Length; i += 4, o++) raw[o] = rgba[i];
                break;
        }
    }

    private static uint TextChunkType(string key, string value)
    {
        if (!PngText.IsValidKeyword(key))
            throw new ArgumentException($"PNG text keyword '{key}' is not 1–79 printable Latin-1 characters without leading, trailing or double spaces");
        return value.All(c => c <= 255 && c != 0) ? PngChunk.tEXt : PngChunk.iTXt;
    }

    private static byte[] TextChunkBody(string key, string value)
    {
        var body = new MemoryStream();
        body.Write(PngText.Latin1.GetBytes(key));
        body.WriteByte(0);
        if (TextChunkType(key, value) == PngChunk.tEXt) body.Write(PngText.Latin1.GetBytes(value));
        else
        {
            body.Write([0, 0, 0, 0]); // not compressed, method 0, empty language tag, empty translated keyword
            body.Write(Encoding.UTF8.GetBytes(value));
        }
        return body.ToArray();
    }

    /// <summary>Cuts the zlib stream into IDAT chunks of up to 64 KiB as it is written.</summary>
    private sealed class IdatStream(Stream output) : Stream
    {
        private readonly byte[] _buffer = new byte[1 << 16];
        private int _count;

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> data)
        {
            while (!data.IsEmpty)
            {
                int n = Math.Min(data.Length, _buffer.Length - _count);
                data[..n].CopyTo(_buffer.AsSpan(_count));
                _count += n;
                data = data[n..];
                if (_count == _buffer.Length) Flush();
            }
        }

        public override void Flush()
        {
            if (_count == 0) return;
            PngChunk.Write(output, PngChunk.IDAT, _buffer.AsSpan(0, _count));
            _count = 0;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) Flush();
            base.Dispose(disposing);
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
