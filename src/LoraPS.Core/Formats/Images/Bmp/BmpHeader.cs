using System.Buffers.Binary;

namespace LoraPS.Formats.Images.Bmp;

/// <summary>BMP compression methods (biCompression).</summary>
public enum BmpCompression
{
    Rgb = 0,
    Rle8 = 1,
    Rle4 = 2,
    Bitfields = 3,
    Jpeg = 4,
    Png = 5,
    AlphaBitfields = 6,
}

/// <summary>
/// The file header and DIB header of a BMP (core 12-byte, OS/2 v2, and BITMAPINFOHEADER with its V2–V5
/// extensions), validated: size, bit depth, compression, palette and channel masks.
/// </summary>
public sealed record BmpHeader
{
    public int Width { get; init; }
    /// <summary>Always positive; <see cref="TopDown"/> says which way rows are stored.</summary>
    public int Height { get; init; }
    public bool TopDown { get; init; }
    public int BitsPerPixel { get; init; }
    public BmpCompression Compression { get; init; }
    public long PixelOffset { get; init; }
    public int HeaderSize { get; init; }
    public uint RedMask { get; init; }
    public uint GreenMask { get; init; }
    public uint BlueMask { get; init; }
    public uint AlphaMask { get; init; }
    /// <summary>Where the palette starts, its entry count and entry size (3 for core headers, else 4).</summary>
    public long PaletteOffset { get; init; }
    public int PaletteCount { get; init; }
    public int PaletteEntrySize { get; init; }

    /// <summary>Bytes per stored row of uncompressed data (rows are padded to 4 bytes).</summary>
    public long Stride => ((long)Width * BitsPerPixel + 31) / 32 * 4;

    /// <summary>Bytes needed to parse the header (file header + DIB header size field).</summary>
    public const int MinimumProbe = 18;

    public static bool HasSignature(ReadOnlySpan<byte> head) => head.Length >= 2 && head[0] == 'B' && head[1] == 'M';

    /// <summary>Parses the headers from <paramref name="data"/>, which must hold at least the file and DIB headers (and the masks that follow a 40-byte header).</summary>
    public static BmpHeader Parse(ReadOnlySpan<byte> data, string? path)
    {
        if (!HasSignature(data)) throw new ImageFormatException(path, "not a BMP: it does not start with 'BM'");
        if (data.Length < MinimumProbe) throw new ImageFormatException(path, "BMP is truncated inside its file header");
        long pixelOffset = BinaryPrimitives.ReadUInt32LittleEndian(data[10..]);
        int headerSize = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(data[14..]), int.MaxValue);
        if (headerSize is not (12 or 16 or 40 or 52 or 56 or 64 or 108 or 124))
            throw new ImageFormatException(path, $"BMP header size {headerSize} is not a known BMP version");
        if (data.Length < 14 + headerSize) throw new ImageFormatException(path, $"BMP is truncated inside its {headerSize}-byte header");
        var dib = data.Slice(14, headerSize);

        int width, height, planes, bpp;
        var compression = BmpCompression.Rgb;
        uint colorsUsed = 0;
        if (headerSize == 12)
        {
            width = BinaryPrimitives.ReadUInt16LittleEndian(dib[4..]);
            height = BinaryPrimitives.ReadInt16LittleEndian(dib[6..]);
            planes = BinaryPrimitives.ReadUInt16LittleEndian(dib[8..]);
            bpp = BinaryPrimitives.ReadUInt16LittleEndian(dib[10..]);
        }
        else
        {
            width = BinaryPrimitives.ReadInt32LittleEndian(dib[4..]);
            height = BinaryPrimitives.ReadInt32LittleEndian(dib[8..]);
            planes = BinaryPrimitives.ReadUInt16LittleEndian(dib[12..]);
            bpp = BinaryPrimitives.ReadUInt16LittleEndian(dib[14..]);
            if (headerSize >= 20) compression = (BmpCompression)BinaryPrimitives.ReadUInt32LittleEndian(dib[16..]);
            if (headerSize >= 36) colorsUsed = BinaryPrimitives.ReadUInt32LittleEndian(dib[32..]);
        }
        if (planes != 1) throw new ImageFormatException(path, $"BMP declares {planes} colour planes; only 1 exists");
        if (width <= 0 || height == 0 || height == int.MinValue)
            throw new ImageFormatException(path, $"BMP declares an impossible size {width}×{height}");
        bool topDown = height < 0;
        height = Math.Abs(height);
        if (bpp is not (1 or 2 or 4 or 8 or 16 or 24 or 32))
            throw new ImageFormatException(path, $"BMP bit depth {bpp} is not supported (1, 2, 4, 8, 16, 24 and 32 are)");
        if (headerSize is 16 or 64 && compression != BmpCompression.Rgb && (int)compression is not (1 or 2))
            throw new ImageFormatException(path, $"OS/2 BMP compression {(int)compression} is not supported");
        switch (compression)
        {
            case BmpCompression.Rgb: break;
            case BmpCompression.Rle8 when bpp == 8 && !topDown: break;
            case BmpCompression.Rle4 when bpp == 4 && !topDown: break;
            case BmpCompression.Bitfields or BmpCompression.AlphaBitfields when bpp is 16 or 32: break;
            case BmpCompression.Jpeg or BmpCompression.Png:
                throw new ImageFormatException(path, $"BMP with embedded {compression.ToString().ToUpperInvariant()} data is not supported");
            default:
                throw new ImageFormatException(path, $"BMP compression {(int)compression} is not valid for {bpp}-bit{(topDown ? " top-down" : "")} pictures");
        }

        uint r = 0, g = 0, b = 0, a = 0;
        long afterHeader = 14 + headerSize;
        if (compression is BmpCompression.Bitfields or BmpCompression.AlphaBitfields)
        {
            ReadOnlySpan<byte> masks;
            if (headerSize >= 52) masks = dib[40..];
            else
            {
                int maskBytes = compression == BmpCompression.AlphaBitfields ? 16 : 12;
                if (data.Length < afterHeader + maskBytes) throw new ImageFormatException(path, "BMP is truncated inside its colour masks");
                masks = data.Slice((int)afterHeader, maskBytes);
                afterHeader += maskBytes;
            }
            r = BinaryPrimitives.ReadUInt32LittleEndian(masks);
            g = BinaryPrimitives.ReadUInt32LittleEndian(masks[4..]);
            b = BinaryPrimitives.ReadUInt32LittleEndian(masks[8..]);
            if (masks.Length >= 16 && (headerSize >= 56 || compression == BmpCompression.AlphaBitfields))
                a = BinaryPrimitives.ReadUInt32LittleEndian(masks[12..]);
            if (r == 0 && g == 0 && b == 0) throw new ImageFormatException(path, "BMP colour masks are all zero");
        }
        else if (bpp == 16) { r = 0x7C00; g = 0x03E0; b = 0x001F; }
        else if (bpp is 24 or 32) { r = 0xFF0000; g = 0xFF00; b = 0xFF; } // BI_RGB 32-bit: the fourth byte is padding (as Pillow reads it)

        int paletteCount = 0, entrySize = headerSize == 12 ? 3 : 4;
        if (bpp <= 8)
        {
            paletteCount = colorsUsed == 0 || colorsUsed > (1u << bpp) ? 1 << bpp : (int)colorsUsed;
            // Some writers declare more entries than fit before the pixels; keep those that fit.
            long room = (pixelOffset - afterHeader) / entrySize;
            if (room >= 1 && room < paletteCount) paletteCount = (int)room;
        }
        return new BmpHeader
        {
            Width = width, Height = height, TopDown = topDown, BitsPerPixel = bpp, Compression = compression,
            PixelOffset = pixelOffset, HeaderSize = headerSize, RedMask = r, GreenMask = g, BlueMask = b, AlphaMask = a,
            PaletteOffset = afterHeader, PaletteCount = paletteCount, PaletteEntrySize = entrySize,
        };
    }
}
