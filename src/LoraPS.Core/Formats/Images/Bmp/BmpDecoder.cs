using System.Buffers.Binary;
using System.Numerics;

namespace LoraPS.Formats.Images.Bmp;

/// <summary>
/// Decodes BMP: 1/2/4/8-bit palettes, 16-bit (5-5-5 or bitfields), 24-bit, 32-bit (BGRX, or bitfields
/// with an alpha mask), RLE8 and RLE4, bottom-up and top-down. Pixels an RLE picture skips with a
/// delta or an early end stay transparent black. Defects are <see cref="ImageFormatException"/>s.
/// </summary>
public static class BmpDecoder
{
    public static RgbaImage Decode(ReadOnlySpan<byte> data, ImageDecodeOptions? options = null, string? path = null)
    {
        options ??= ImageDecodeOptions.Default;
        var h = BmpHeader.Parse(data, path);
        options.CheckSize(h.Width, h.Height, path);
        if (h.PixelOffset >= data.Length || h.PixelOffset < h.PaletteOffset)
            throw new ImageFormatException(path, $"BMP pixel data offset {h.PixelOffset} is outside the file ({data.Length} bytes)");
        var palette = ReadPalette(data, h, path);
        var pixels = data[(int)h.PixelOffset..];
        var image = new RgbaImage(h.Width, h.Height);
        switch (h.Compression)
        {
            case BmpCompression.Rle8:
            case BmpCompression.Rle4:
                DecodeRle(pixels, h, palette, image, path);
                break;
            default:
                if (h.Stride * h.Height > pixels.Length)
                    throw new ImageFormatException(path, $"BMP is truncated: {h.Height} rows of {h.Stride} bytes need {h.Stride * h.Height} bytes but {pixels.Length} remain");
                for (int row = 0; row < h.Height; row++)
                {
                    var src = pixels.Slice((int)(row * h.Stride), (int)h.Stride);
                    var dst = image.Row(h.TopDown ? row : h.Height - 1 - row);
                    if (h.BitsPerPixel <= 8) Indexed(src, h, palette, dst);
                    else if (h.BitsPerPixel == 24) Bgr24(src, dst);
                    else Masked(src, h, dst);
                }
                break;
        }
        return image;
    }

    /// <summary>Palette as packed RGBA (little-endian uint: R in the low byte); entries past the stored ones are opaque black.</summary>
    private static uint[] ReadPalette(ReadOnlySpan<byte> data, BmpHeader h, string? path)
    {
        var palette = new uint[256];
        Array.Fill(palette, 0xFF000000u);
        if (h.BitsPerPixel > 8) return palette;
        long end = h.PaletteOffset + (long)h.PaletteCount * h.PaletteEntrySize;
        if (end > data.Length) throw new ImageFormatException(path, "BMP is truncated inside its palette");
        for (int i = 0; i < h.PaletteCount; i++)
        {
            int o = (int)h.PaletteOffset + i * h.PaletteEntrySize;
            palette[i] = (uint)(data[o + 2] | data[o + 1] << 8 | data[o] << 16) | 0xFF000000u;
        }
        return palette;
    }

    private static void Indexed(ReadOnlySpan<byte> src, BmpHeader h, uint[] palette, Span<byte> dst)
    {
        int bpp = h.BitsPerPixel, mask = (1 << bpp) - 1;
        for (int x = 0; x < h.Width; x++)
        {
            int bit = x * bpp;
            int index = bpp == 8 ? src[x] : (src[bit >> 3] >> (8 - bpp - (bit & 7))) & mask;
            BinaryPrimitives.WriteUInt32LittleEndian(dst[(x * 4)..], palette[index]);
        }
    }

    private static void Bgr24(ReadOnlySpan<byte> src, Span<byte> dst)
    {
        for (int i = 0, o = 0; o < dst.Length; i += 3, o += 4)
        {
            dst[o] = src[i + 2];
            dst[o + 1] = src[i + 1];
            dst[o + 2] = src[i];
            dst[o + 3] = 255;
        }
    }

    private static void Masked(ReadOnlySpan<byte> src, BmpHeader h, Span<byte> dst)
    {
        var r = new Channel(h.RedMask);
        var g = new Channel(h.GreenMask);
        var b = new Channel(h.BlueMask);
        var a = new Channel(h.AlphaMask);
        bool wide = h.BitsPerPixel == 32;
        for (int x = 0; x < h.Width; x++)
        {
            uint v = wide ? BinaryPrimitives.ReadUInt32LittleEndian(src[(x * 4)..]) : BinaryPrimitives.ReadUInt16LittleEndian(src[(x * 2)..]);
            dst[x * 4] = r.Extract(v);
            dst[x * 4 + 1] = g.Extract(v);
            dst[x * 4 + 2] = b.Extract(v);
            dst[x * 4 + 3] = h.AlphaMask == 0 ? (byte)255 : a.Extract(v);
        }
    }

    /// <summary>One colour mask: shift to the low bits, then widen to 8 bits by repeating the bit pattern
    /// (5-bit 31 → 255, as ImageMagick and Pillow do); masks wider than 8 bits keep their top 8.</summary>
    private readonly struct Channel
    {
        private readonly uint _mask;
        private readonly int _shift, _bits;

        public Channel(uint mask)
        {
            _mask = mask;
            _shift = mask == 0 ? 0 : BitOperations.TrailingZeroCount(mask);
            _bits = mask == 0 ? 0 : 32 - BitOperations.LeadingZeroCount(mask >> _shift);
        }

        public byte Extract(uint v)
        {
            if (_bits == 0) return 0;
            uint c = (v & _mask) >> _shift;
            if (_bits >= 8) return (byte)(c >> (_bits - 8));
            uint wide = c << (8 - _bits);
            for (int s = _bits; s < 8; s *= 2) wide |= wide >> s;
            return (byte)wide;
        }
    }

    private static void DecodeRle(ReadOnlySpan<byte> src, BmpHeader h, uint[] palette, RgbaImage image, string? path)
    {
        bool four = h.Compression == BmpCompression.Rle4;
        int x = 0, y = 0, i = 0; // y counts up from the bottom row
        var pixels = image.Pixels;
        void Put(int px, int py, int index)
        {
            if (px >= h.Width || py >= h.Height) return; // runs past the edge are clipped, as Windows does
            int o = ((h.Height - 1 - py) * h.Width + px) * 4;
            BinaryPrimitives.WriteUInt32LittleEndian(pixels.AsSpan(o), palette[index]);
        }
        while (y < h.Height)
        {
            if (i + 2 > src.Length) throw new ImageFormatException(path, $"BMP {(four ? "RLE4" : "RLE8")} data is truncated at row {y} (no end-of-bitmap marker)");
            int count = src[i], value = src[i + 1];
            i += 2;
            if (count > 0)
            {
                for (int k = 0; k < count; k++, x++)
                    Put(x, y, four ? (k % 2 == 0 ? value >> 4 : value & 0xF) : value);
                continue;
            }
            switch (value)
            {
                case 0: x = 0; y++; break; // end of line
                case 1: return;            // end of bitmap
                case 2:
                    if (i + 2 > src.Length) throw new ImageFormatException(path, "BMP RLE delta is truncated");
                    x += src[i];
                    y += src[i + 1];
                    i += 2;
                    break;
                default:
                {
                    int n = value, bytes = four ? (n + 1) / 2 : n;
                    if (i + bytes > src.Length) throw new ImageFormatException(path, $"BMP RLE literal run at byte {i} is truncated");
                    for (int k = 0; k < n; k++, x++)
                        Put(x, y, four ? (k % 2 == 0 ? src[i + k / 2] >> 4 : src[i + k / 2] & 0xF) : src[i + k]);
                    i += bytes + (bytes & 1); // literal runs are padded to 16 bits
                    break;
                }
            }
        }
    }
}
