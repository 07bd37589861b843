using System.Buffers.Binary;

namespace LoraPS.Tests.Images;

/// <summary>Writes BMP files byte by byte for tests (headers, palette, masks, raw or RLE pixel data).</summary>
internal static class BmpBuilder
{
    /// <summary>A BITMAPINFOHEADER file (or a 12-byte core header when <paramref name="core"/>).</summary>
    public static byte[] Build(int width, int height, int bpp, int compression, byte[] pixelData,
        byte[][]? palette = null, uint[]? masks = null, int headerSize = 40, bool core = false)
    {
        if (core) headerSize = 12;
        int paletteBytes = (palette?.Length ?? 0) * (core ? 3 : 4);
        int maskBytes = headerSize == 40 && masks != null ? masks.Length * 4 : 0;
        int offset = 14 + headerSize + maskBytes + paletteBytes;
        var file = new byte[offset + pixelData.Length];
        file[0] = (byte)'B';
        file[1] = (byte)'M';
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(2), (uint)file.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(10), (uint)offset);
        var dib = file.AsSpan(14, headerSize);
        BinaryPrimitives.WriteUInt32LittleEndian(dib, (uint)headerSize);
        if (core)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(dib[4..], (ushort)width);
            BinaryPrimitives.WriteInt16LittleEndian(dib[6..], (short)height);
            BinaryPrimitives.WriteUInt16LittleEndian(dib[8..], 1);
            BinaryPrimitives.WriteUInt16LittleEndian(dib[10..], (ushort)bpp);
        }
        else
        {
            BinaryPrimitives.WriteInt32LittleEndian(dib[4..], width);
            BinaryPrimitives.WriteInt32LittleEndian(dib[8..], height);
            BinaryPrimitives.WriteUInt16LittleEndian(dib[12..], 1);
            BinaryPrimitives.WriteUInt16LittleEndian(dib[14..], (ushort)bpp);
            BinaryPrimitives.WriteUInt32LittleEndian(dib[16..], (uint)compression);
            BinaryPrimitives.WriteUInt32LittleEndian(dib[20..], (uint)pixelData.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(dib[32..], (uint)(palette?.Length ?? 0));
            if (masks != null && headerSize >= 52)
                for (int i = 0; i < masks.Length; i++) BinaryPrimitives.WriteUInt32LittleEndian(dib[(40 + 4 * i)..], masks[i]);
        }
        int pos = 14 + headerSize;
        if (maskBytes > 0)
            foreach (uint m in masks!) { BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(pos), m); pos += 4; }
        foreach (var rgb in palette ?? [])
        {
            file[pos] = rgb[2]; file[pos + 1] = rgb[1]; file[pos + 2] = rgb[0]; // stored B, G, R
            pos += core ? 3 : 4;
        }
        pixelData.CopyTo(file, offset);
        return file;
    }

    public static byte[][] Palette(int count, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => { var c = new byte[3]; rng.NextBytes(c); return c; }).ToArray();
    }
}
