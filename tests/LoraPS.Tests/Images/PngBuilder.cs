using System.Buffers.Binary;
using System.IO.Compression;
using LoraPS.Formats.Images.Png;

namespace LoraPS.Tests.Images;

/// <summary>
/// Writes PNG files byte by byte for tests: any colour type, bit depth and interlacing, random
/// samples, a chosen filter per row, optional PLTE/tRNS and extra chunks. Independent of
/// <see cref="PngEncoder"/> so the decoder is checked against libpng on files our encoder never makes.
/// </summary>
internal static class PngBuilder
{
    private static readonly (int X0, int Y0, int DX, int DY)[] Adam7 =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    public static byte[] Build(int width, int height, int depth, PngColorType type, bool interlaced, int seed,
        bool transparency = false, int paletteSize = 0)
    {
        var rng = new Random(seed);
        var header = new PngHeader(width, height, depth, type, interlaced);
        using var file = new MemoryStream();
        file.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)height);
        ihdr[8] = (byte)depth;
        ihdr[9] = (byte)type;
        ihdr[12] = (byte)(interlaced ? 1 : 0);
        Chunk(file, "IHDR", ihdr);
        int maxIndex = 1 << depth;
        if (type == PngColorType.Palette)
        {
            paletteSize = paletteSize == 0 ? maxIndex : paletteSize;
            var plte = new byte[paletteSize * 3];
            rng.NextBytes(plte);
            Chunk(file, "PLTE", plte);
            if (transparency)
            {
                var trns = new byte[Math.Max(1, paletteSize / 2)];
                rng.NextBytes(trns);
                trns[0] = 0;
                Chunk(file, "tRNS", trns);
            }
        }
        // Samples: indices stay below the palette size; a colour key is made to occur.
        int sampleMax = type == PngColorType.Palette ? paletteSize - 1 : (1 << depth) - 1;
        int keyValue = rng.Next(sampleMax + 1);
        if (transparency && type == PngColorType.Grayscale)
            Chunk(file, "tRNS", [(byte)(keyValue >> 8), (byte)keyValue]);
        if (transparency && type == PngColorType.Rgb)
            Chunk(file, "tRNS", [(byte)(keyValue >> 8), (byte)keyValue, (byte)(keyValue >> 8), (byte)keyValue, (byte)(keyValue >> 8), (byte)keyValue]);
        Chunk(file, "tEXt", "Comment\0made by PngBuilder"u8.ToArray());

        using var raw = new MemoryStream();
        foreach (var (x0, y0, dx, dy) in interlaced ? Adam7 : [(0, 0, 1, 1)])
        {
            int w = width > x0 ? (width - x0 + dx - 1) / dx : 0, h = height > y0 ? (height - y0 + dy - 1) / dy : 0;
            if (w == 0 || h == 0) continue;
            int rowBytes = (int)header.RowBytes(w);
            var prior = new byte[rowBytes];
            for (int y = 0; y < h; y++)
            {
                var row = new byte[rowBytes];
                int samples = w * header.Channels;
                for (int s = 0; s < samples; s++)
                {
                    // Mostly random, sometimes the key colour, so tRNS keys are exercised.
                    int v = transparency && rng.Next(4) == 0 ? keyValue : rng.Next(sampleMax + 1);
                    if (depth == 16) { row[2 * s] = (byte)(v >> 8); row[2 * s + 1] = (byte)v; }
                    else if (depth == 8) row[s] = (byte)v;
                    else
                    {
                        int bit = s * depth;
                        row[bit >> 3] |= (byte)(v << (8 - depth - (bit & 7)));
                    }
                }
                if (transparency && type == PngColorType.Rgb && depth == 8 && rng.Next(3) == 0 && w > 0)
                    row[0] = row[1] = row[2] = (byte)keyValue; // a whole pixel on the key
                int filter = rng.Next(5);
                var filtered = new byte[rowBytes];
                PngFilters.Apply(filter, row, prior, header.FilterStride, filtered);
                raw.WriteByte((byte)filter);
                raw.Write(filtered);
                prior = row;
            }
        }
        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) z.Write(raw.ToArray());
        var data = compressed.ToArray();
        // Split the data over several IDAT chunks to exercise concatenation.
        int cut = data.Length / 3;
        Chunk(file, "IDAT", data[..cut]);
        Chunk(file, "IDAT", data[cut..]);
        Chunk(file, "IEND", []);
        return file.ToArray();
    }

    public static void Chunk(Stream s, string type, byte[] body)
    {
        var head = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(head, (uint)body.Length);
        System.Text.Encoding.ASCII.GetBytes(type, head.AsSpan(4));
        s.Write(head);
        s.Write(body);
        var crcInput = head[4..].Concat(body).ToArray();
        var tail = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(tail, Crc(crcInput));
        s.Write(tail);
    }

    /// <summary>A plain bitwise CRC-32, written separately from the decoder's table version.</summary>
    public static uint Crc(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
        }
        return ~c;
    }
}
