using System.Buffers;
using System.IO.Compression;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Text;

namespace LoraPS.Formats.Images.Png;

/// <summary>
/// Decodes PNG: every colour type and bit depth, palettes with tRNS transparency, Adam7 interlacing.
/// Gamma and colour-space chunks are ignored, as browsers do for untagged pictures. 16-bit files
/// decode to 8 bits by rounding (<see cref="Decode"/>) or keep their precision (<see cref="Decode16"/>).
/// Every defect (truncation, bad CRC or chunk length, corrupt zlib data, impossible size) is an
/// <see cref="ImageFormatException"/>; the pixel limit is checked before pixel memory is allocated.
/// </summary>
public static class PngDecoder
{
    /// <summary>Decodes to 8-bit RGBA.</summary>
    public static RgbaImage Decode(ReadOnlySpan<byte> data, ImageDecodeOptions? options = null, string? path = null)
    {
        var png = PngFile.Parse(data, path, options ?? ImageDecodeOptions.Default);
        var image = new RgbaImage(png.Header.Width, png.Header.Height);
        var pixels = image.Pixels;
        if (png.Header.BitDepth == 16)
        {
            var wide = new ushort[png.Header.Width * 4];
            var narrow = new byte[png.Header.Width * 4];
            DecodeRows(png, path, (raw, width, place) =>
            {
                PngPixels.Expand16(png, raw, width, wide);
                Rgba64Image.Reduce(wide.AsSpan(0, width * 4), narrow);
                place.Put(pixels, narrow.AsSpan(0, width * 4), png.Header.Width);
            });
        }
        else
        {
            var temp = new byte[png.Header.Width * 4];
            DecodeRows(png, path, (raw, width, place) =>
            {
                if (place.IsWholeRow)
                    PngPixels.Expand8(png, raw, width, pixels.AsSpan(place.Y * png.Header.Width * 4, width * 4));
                else
                {
                    PngPixels.Expand8(png, raw, width, temp);
                    place.Put(pixels, temp.AsSpan(0, width * 4), png.Header.Width);
                }
            });
        }
        return image;
    }

    /// <summary>Decodes to 16-bit RGBA; files of 8 bits or fewer are scaled up exactly (v × 65535 / max).</summary>
    public static Rgba64Image Decode16(ReadOnlySpan<byte> data, ImageDecodeOptions? options = null, string? path = null)
    {
        var png = PngFile.Parse(data, path, options ?? ImageDecodeOptions.Default);
        var image = new Rgba64Image(png.Header.Width, png.Header.Height);
        var pixels = image.Pixels;
        var wide = new ushort[png.Header.Width * 4];
        var narrow = new byte[png.Header.Width * 4];
        DecodeRows(png, path, (raw, width, place) =>
        {
            if (png.Header.BitDepth == 16) PngPixels.Expand16(png, raw, width, wide);
            else
            {
                PngPixels.Expand8(png, raw, width, narrow);
                for (int i = 0; i < width * 4; i++) wide[i] = (ushort)(narrow[i] * 257);
            }
            place.Put(pixels, wide.AsSpan(0, width * 4), png.Header.Width);
        });
        return image;
    }

    /// <summary>The validated IHDR without decoding pixels.</summary>
    public static PngHeader ReadHeader(ReadOnlySpan<byte> data, string? path = null)
    {
        var reader = new PngChunkReader(data, path);
        reader.Next(out uint type, out var body, out _);
        if (type != PngChunk.IHDR) throw new ImageFormatException(path, $"PNG does not start with an IHDR chunk (found {PngChunk.Name(type)})");
        return PngHeader.Parse(body, path);
    }

    /// <summary>The text chunks (tEXt, zTXt, iTXt) by keyword; later chunks win over earlier ones of the same keyword.</summary>
    public static IReadOnlyDictionary<string, string> ReadText(ReadOnlySpan<byte> data, string? path = null)
    {
        var text = new Dictionary<string, string>(StringComparer.Ordinal);
        var reader = new PngChunkReader(data, path);
        while (!reader.AtEnd)
        {
            reader.Next(out uint type, out var body, out bool crcOk);
            if (type == PngChunk.IEND) break;
            if (!crcOk) continue;
            if (PngText.TryParse(type, body, out string? key, out string? value)) text[key!] = value!;
        }
        return text;
    }

    /// <summary>Where a decoded row (or, interlaced, a pass's row) lands in the output.</summary>
    internal readonly struct RowPlace(int y, int x0, int xStep)
    {
        public int Y { get; } = y;
        public bool IsWholeRow => xStep == 1;

        public void Put<T>(T[] image, ReadOnlySpan<T> rgba, int imageWidth)
        {
            int rowStart = Y * imageWidth * 4;
            if (xStep == 1) { rgba.CopyTo(image.AsSpan(rowStart, rgba.Length)); return; }
            for (int i = 0, x = x0; i < rgba.Length; i += 4, x += xStep)
            {
                int o = rowStart + x * 4;
                image[o] = rgba[i]; image[o + 1] = rgba[i + 1]; image[o + 2] = rgba[i + 2]; image[o + 3] = rgba[i + 3];
            }
        }
    }

    internal delegate void RowSink(ReadOnlySpan<byte> raw, int width, RowPlace place);

    private static readonly (int X0, int Y0, int DX, int DY)[] Adam7 =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    /// <summary>Inflates the image data and hands each unfiltered scanline to <paramref name="sink"/>.</summary>
    private static void DecodeRows(PngFile png, string? path, RowSink sink)
    {
        var h = png.Header;
        var passes = h.Interlaced ? Adam7 : [(0, 0, 1, 1)];
        int maxRow = (int)h.RowBytes(h.Width);
        byte[] a = ArrayPool<byte>.Shared.Rent(maxRow + 1), b = ArrayPool<byte>.Shared.Rent(maxRow + 1);
        try
        {
            using var zlib = new ZLibStream(new MemoryStream(png.ImageData, 0, png.ImageDataLength, writable: false), CompressionMode.Decompress);
            int bpp = h.FilterStride;
            for (int p = 0; p < passes.Length; p++)
            {
                var (x0, y0, dx, dy) = passes[p];
                int width = h.Width > x0 ? (h.Width - x0 + dx - 1) / dx : 0;
                int height = h.Height > y0 ? (h.Height - y0 + dy - 1) / dy : 0;
                if (width == 0 || height == 0) continue;
                int rowBytes = (int)h.RowBytes(width);
                Span<byte> cur = a.AsSpan(0, rowBytes + 1), prior = b.AsSpan(0, rowBytes + 1);
                prior.Clear();
                for (int r = 0; r < height; r++)
                {
                    ReadFully(zlib, cur, path, p, r, h.Interlaced);
                    int filter = cur[0];
                    if (!PngFilters.Unfilter(filter, cur[1..], prior[1..], bpp))
                        throw new ImageFormatException(path, $"PNG row {r}{(h.Interlaced ? $" of interlace pass {p + 1}" : "")} uses unknown filter type {filter}");
                    sink(cur[1..], width, new RowPlace(y0 + r * dy, x0, dx));
                    var swap = cur; cur = prior; prior = swap;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(a);
            ArrayPool<byte>.Shared.Return(b);
        }
    }

    private static void ReadFully(Stream zlib, Span<byte> row, string? path, int pass, int r, bool interlaced)
    {
        int done = 0;
        try
        {
            while (done < row.Length)
            {
                int n = zlib.Read(row[done..]);
                if (n == 0)
                    throw new ImageFormatException(path, $"PNG image data ends early: row {r}{(interlaced ? $" of interlace pass {pass + 1}" : "")} is missing (file truncated?)");
                done += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw new ImageFormatException(path, $"PNG image data is corrupt (zlib: {e.Message})", e);
        }
    }
}

/// <summary>A parsed PNG: header, palette, transparency and the concatenated IDAT data.</summary>
internal sealed class PngFile
{
    public required PngHeader Header { get; init; }

    /// <summary>Palette as RGBA bytes (256 entries × 4), alpha from tRNS; entries past <see cref="PaletteCount"/> are opaque black.</summary>
    public byte[] Palette { get; } = NewPalette();
    public int PaletteCount { get; set; }

    /// <summary>The tRNS colour key for grey (KeyR) or RGB files, as stored (not scaled).</summary>
    public bool HasKey { get; set; }
    public ushort KeyR { get; set; }
    public ushort KeyG { get; set; }
    public ushort KeyB { get; set; }

    public byte[] ImageData { get; set; } = [];
    public int ImageDataLength { get; set; }

    private static byte[] NewPalette()
    {
        var p = new byte[1024];
        for (int i = 3; i < 1024; i += 4) p[i] = 255;
        return p;
    }

    public static PngFile Parse(ReadOnlySpan<byte> data, string? path, ImageDecodeOptions options)
    {
        var reader = new PngChunkReader(data, path);
        reader.Next(out uint type, out var body, out _);
        if (type != PngChunk.IHDR) throw new ImageFormatException(path, $"PNG does not start with an IHDR chunk (found {PngChunk.Name(type)})");
        var header = PngHeader.Parse(body, path);
        options.CheckSize(header.Width, header.Height, path);
        if ((long)header.Width * 4 > Array.MaxLength / 2 || header.RowBytes(header.Width) + 1 > Array.MaxLength)
            throw new ImageFormatException(path, $"PNG width {header.Width} is too large");
        var png = new PngFile { Header = header };
        var idat = new ArrayBufferWriter<byte>(Math.Min(data.Length, 1 << 20));
        bool seenIdat = false, seenPlte = false;
        while (true)
        {
            if (reader.AtEnd)
            {
                if (seenIdat) break; // tolerate a missing IEND when the image data is complete
                throw new ImageFormatException(path, "PNG is truncated: it ends before any image data (IDAT)");
            }
            reader.Next(out type, out body, out bool crcOk);
            if (type == PngChunk.IEND) break;
            if (!crcOk) continue; // ancillary chunk with a bad CRC: ignored, as libpng does
            switch (type)
            {
                case PngChunk.IDAT:
                    idat.Write(body);
                    seenIdat = true;
                    break;
                case PngChunk.PLTE:
                    if (seenPlte) throw new ImageFormatException(path, "PNG has two PLTE chunks");
                    if (body.Length % 3 != 0 || body.Length == 0 || body.Length > 768)
                        throw new ImageFormatException(path, $"PNG palette (PLTE) is {body.Length} bytes long; it must be 3 to 768 bytes, a multiple of 3");
                    seenPlte = true;
                    png.PaletteCount = body.Length / 3;
                    for (int i = 0; i < png.PaletteCount; i++)
                    {
                        png.Palette[i * 4] = body[i * 3];
                        png.Palette[i * 4 + 1] = body[i * 3 + 1];
                        png.Palette[i * 4 + 2] = body[i * 3 + 2];
                    }
                    break;
                case PngChunk.tRNS:
                    png.ReadTransparency(body, path);
                    break;
                case PngChunk.IHDR:
                    throw new ImageFormatException(path, "PNG has a second IHDR chunk");
                default:
                    if (PngChunk.IsCritical(type))
                        throw new ImageFormatException(path, $"PNG has an unknown critical chunk {PngChunk.Name(type)}");
                    break;
            }
        }
        if (!seenIdat) throw new ImageFormatException(path, "PNG has no image data (IDAT chunk)");
        if (header.ColorType == PngColorType.Palette && !seenPlte)
            throw new ImageFormatException(path, "PNG uses a palette but has no PLTE chunk");
        png.ImageData = idat.WrittenMemory.ToArray();
        png.ImageDataLength = idat.WrittenCount;
        return png;
    }

    private void ReadTransparency(ReadOnlySpan<byte> body, string? path)
    {
        switch (Header.ColorType)
        {
            case PngColorType.Palette:
                if (body.Length > 256) throw new ImageFormatException(path, $"PNG tRNS chunk has {body.Length} entries, more than a palette can hold");
                for (int i = 0; i < body.Length; i++) Palette[i * 4 + 3] = body[i];
                break;
            case PngColorType.Grayscale when body.Length >= 2:
                HasKey = true;
                KeyR = (ushort)(body[0] << 8 | body[1]);
                break;
            case PngColorType.Rgb when body.Length >= 6:
                HasKey = true;
                KeyR = (ushort)(body[0] << 8 | body[1]);
                KeyG = (ushort)(body[2] << 8 | body[3]);
                KeyB = (ushort)(body[4] << 8 | body[5]);
                break;
            // tRNS is not allowed with an alpha channel; like libpng, ignore it there.
        }
    }
}

/// <summary>Turns unfiltered scanlines of each colour type and depth into RGBA rows.</summary>
internal static unsafe class PngPixels
{
    /// <summary>Bit depths 1–8 to 8-bit RGBA.</summary>
    public static void Expand8(PngFile png, ReadOnlySpan<byte> raw, int width, Span<byte> rgba)
    {
        var h = png.Header;
        fixed (byte* src = raw)
        fixed (byte* dst = rgba)
        {
            switch (h.ColorType)
            {
                case PngColorType.Rgba:
                    Buffer.MemoryCopy(src, dst, width * 4, width * 4);
                    break;
                case PngColorType.Rgb:
                    if (png.HasKey) RgbWithKey(png, src, dst, width);
                    else RgbToRgba(src, dst, width, raw.Length);
                    break;
                case PngColorType.GrayscaleAlpha:
                    for (int x = 0; x < width; x++)
                    {
                        byte g = src[x * 2];
                        *(uint*)(dst + x * 4) = (uint)(g | g << 8 | g << 16 | src[x * 2 + 1] << 24);
                    }
                    break;
                case PngColorType.Grayscale:
                {
                    int depth = h.BitDepth, mask = (1 << depth) - 1, scale = 255 / mask;
                    int key = png.HasKey ? png.KeyR : -1;
                    for (int x = 0; x < width; x++)
                    {
                        int v = depth == 8 ? src[x] : Sample(src, x, depth, mask);
                        int g = v * scale;
                        *(uint*)(dst + x * 4) = (uint)(g | g << 8 | g << 16) | (v == key ? 0u : 0xFF000000u);
                    }
                    break;
                }
                case PngColorType.Palette:
                {
                    int depth = h.BitDepth, mask = (1 << depth) - 1;
                    fixed (byte* pal = png.Palette)
                    {
                        uint* palette = (uint*)pal;
                        for (int x = 0; x < width; x++)
                            ((uint*)dst)[x] = palette[depth == 8 ? src[x] : Sample(src, x, depth, mask)];
                    }
                    break;
                }
            }
        }
    }

    /// <summary>Sample <paramref name="x"/> of a row packed at 1, 2 or 4 bits, most significant bits first.</summary>
    private static int Sample(byte* src, int x, int depth, int mask)
    {
        int bit = x * depth;
        return (src[bit >> 3] >> (8 - depth - (bit & 7))) & mask;
    }

    private static void RgbWithKey(PngFile png, byte* src, byte* dst, int width)
    {
        int kr = png.KeyR, kg = png.KeyG, kb = png.KeyB;
        for (int x = 0; x < width; x++)
        {
            byte r = src[x * 3], g = src[x * 3 + 1], b = src[x * 3 + 2];
            bool clear = r == kr && g == kg && b == kb;
            *(uint*)(dst + x * 4) = (uint)(r | g << 8 | b << 16) | (clear ? 0u : 0xFF000000u);
        }
    }

    private static void RgbToRgba(byte* src, byte* dst, int width, int rawLength)
    {
        int x = 0;
        if (Ssse3.IsSupported)
        {
            var shuffle = Vector128.Create((byte)0, 1, 2, 0x80, 3, 4, 5, 0x80, 6, 7, 8, 0x80, 9, 10, 11, 0x80);
            var alpha = Vector128.Create(0xFF000000u).AsByte();
            // Each step reads 16 bytes and uses 12, so stop while 16 remain readable.
            for (; x + 4 <= width && x * 3 + 16 <= rawLength; x += 4)
                Sse2.Store(dst + x * 4, Sse2.Or(Ssse3.Shuffle(Sse2.LoadVector128(src + x * 3), shuffle), alpha));
        }
        for (; x < width; x++)
            *(uint*)(dst + x * 4) = (uint)(src[x * 3] | src[x * 3 + 1] << 8 | src[x * 3 + 2] << 16) | 0xFF000000u;
    }

    /// <summary>Bit depth 16 to 16-bit RGBA.</summary>
    public static void Expand16(PngFile png, ReadOnlySpan<byte> raw, int width, Span<ushort> rgba)
    {
        int channels = png.Header.Channels;
        for (int x = 0; x < width; x++)
        {
            int s = x * channels * 2, o = x * 4;
            ushort c0 = (ushort)(raw[s] << 8 | raw[s + 1]);
            switch (png.Header.ColorType)
            {
                case PngColorType.Grayscale:
                    rgba[o] = rgba[o + 1] = rgba[o + 2] = c0;
                    rgba[o + 3] = png.HasKey && c0 == png.KeyR ? (ushort)0 : ushort.MaxValue;
                    break;
                case PngColorType.GrayscaleAlpha:
                    rgba[o] = rgba[o + 1] = rgba[o + 2] = c0;
                    rgba[o + 3] = (ushort)(raw[s + 2] << 8 | raw[s + 3]);
                    break;
                default:
                {
                    ushort c1 = (ushort)(raw[s + 2] << 8 | raw[s + 3]), c2 = (ushort)(raw[s + 4] << 8 | raw[s + 5]);
                    rgba[o] = c0; rgba[o + 1] = c1; rgba[o + 2] = c2;
                    rgba[o + 3] = channels == 4 ? (ushort)(raw[s + 6] << 8 | raw[s + 7])
                        : png.HasKey && c0 == png.KeyR && c1 == png.KeyG && c2 == png.KeyB ? (ushort)0 : ushort.MaxValue;
                    break;
                }
            }
        }
    }
}
