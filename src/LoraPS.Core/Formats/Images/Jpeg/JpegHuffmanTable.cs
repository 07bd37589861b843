namespace LoraPS.Formats.Images.Jpeg;

/// <summary>
/// One JPEG Huffman table (ITU T.81 annex C): a 9-bit lookup for the short codes that make up almost
/// every symbol, and the canonical max-code arrays for the longer ones.
/// </summary>
internal sealed class JpegHuffmanTable
{
    public const int LookupBits = 9;

    /// <summary>Indexed by the next 9 bits: (code length &lt;&lt; 8) | symbol, or 0 when the code is longer.</summary>
    public readonly ushort[] Lookup = new ushort[1 << LookupBits];

    /// <summary>For AC tables: the whole coefficient when run/size and its value bits fit in 9 bits:
    /// (value &lt;&lt; 16) | (run &lt;&lt; 8) | total bits; 0 when the slow path is needed.</summary>
    public readonly int[] FastAc = new int[1 << LookupBits];

    /// <summary>Largest code of each length (−1 when none), for lengths 1..16; [17] is a sentinel.</summary>
    public readonly int[] MaxCode = new int[18];
    public readonly int[] ValueOffset = new int[17];
    public readonly byte[] Values;

    public JpegHuffmanTable(ReadOnlySpan<byte> counts, ReadOnlySpan<byte> values, string? path)
    {
        Values = values.ToArray();
        int code = 0, k = 0;
        for (int length = 1; length <= 16; length++)
        {
            int n = counts[length - 1];
            ValueOffset[length] = k - code;
            if (n > 0)
            {
                if (code + n > 1 << length)
                    throw new ImageFormatException(path, "a Huffman table (DHT) declares more codes than its lengths allow");
                for (int i = 0; i < n; i++, k++, code++)
                {
                    if (length <= LookupBits)
                    {
                        int shift = LookupBits - length;
                        int start = code << shift;
                        ushort entry = (ushort)((length << 8) | Values[k]);
                        for (int j = 0; j < 1 << shift; j++) Lookup[start + j] = entry;
                    }
                }
                MaxCode[length] = code - 1;
            }
            else MaxCode[length] = -1;
            code <<= 1;
        }
        MaxCode[17] = int.MaxValue;
        BuildFastAc();
    }

    private void BuildFastAc()
    {
        for (int i = 0; i < Lookup.Length; i++)
        {
            int entry = Lookup[i];
            if (entry == 0) continue;
            int length = entry >> 8, rs = entry & 0xFF, run = rs >> 4, size = rs & 15;
            if (size == 0 || length + size > LookupBits) continue;
            int bits = (i >> (LookupBits - length - size)) & ((1 << size) - 1);
            int value = bits < 1 << (size - 1) ? bits - (1 << size) + 1 : bits;
            FastAc[i] = (value << 16) | (run << 8) | (length + size);
        }
    }
}
