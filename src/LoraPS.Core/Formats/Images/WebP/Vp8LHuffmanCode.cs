using System.Runtime.CompilerServices;

namespace LoraPS.Formats.Images.WebP;

/// <summary>
/// A canonical prefix code of VP8L, read LSB first: an 8-bit root table with second-level tables for
/// longer codes. Entries are (length &lt;&lt; 16) | symbol; root entries for long codes hold
/// 0x80000000 | (sub-table bits &lt;&lt; 24) | sub-table offset.
/// </summary>
internal sealed class Vp8LHuffmanCode
{
    private const int RootBits = 8;
    private const int LinkFlag = unchecked((int)0x80000000);
    private readonly int[] _table;

    /// <summary>The only symbol when the code has exactly one (it then takes zero bits), else −1.</summary>
    public int SingleSymbol { get; }

    private Vp8LHuffmanCode(int[] table, int single)
    {
        _table = table;
        SingleSymbol = single;
    }

    /// <summary>Builds the code from code lengths; null when they do not form a valid complete code.</summary>
    public static Vp8LHuffmanCode? Build(ReadOnlySpan<byte> lengths)
    {
        Span<int> counts = stackalloc int[16];
        int symbols = 0, last = -1;
        for (int s = 0; s < lengths.Length; s++)
        {
            int l = lengths[s];
            if (l > 15) return null;
            if (l > 0) { counts[l]++; symbols++; last = s; }
        }
        if (symbols == 0) return null;
        if (symbols == 1) return new Vp8LHuffmanCode(new[] { last }, last);

        // Kraft: the code must be complete.
        long kraft = 0;
        for (int l = 1; l < 16; l++) kraft += (long)counts[l] << (15 - l);
        if (kraft != 1 << 15) return null;

        Span<int> next = stackalloc int[16];
        int code = 0;
        for (int l = 1; l < 16; l++) { code = (code + counts[l - 1]) << 1; next[l] = code; }
        // next[l] = first canonical code of length l (counts[0] is 0).

        // Sub-table sizes: for each root prefix, the longest code beneath it.
        Span<int> maxLenUnder = stackalloc int[1 << RootBits];
        var codes = new int[lengths.Length];
        var nextCopy = next.ToArray();
        for (int s = 0; s < lengths.Length; s++)
        {
            int l = lengths[s];
            if (l == 0) continue;
            int reversed = Reverse(nextCopy[l]++, l);
            codes[s] = reversed;
            if (l > RootBits)
            {
                int prefix = reversed & ((1 << RootBits) - 1);
                if (l > maxLenUnder[prefix]) maxLenUnder[prefix] = l;
            }
        }
        int size = 1 << RootBits;
        Span<int> subOffset = stackalloc int[1 << RootBits];
        for (int p = 0; p < 1 << RootBits; p++)
            if (maxLenUnder[p] > 0) { subOffset[p] = size; size += 1 << (maxLenUnder[p] - RootBits); }
        var table = new int[size];
        for (int p = 0; p < 1 << RootBits; p++)
            if (maxLenUnder[p] > 0) table[p] = LinkFlag | ((maxLenUnder[p] - RootBits) << 24) | subOffset[p];

        for (int s = 0; s < lengths.Length; s++)
        {
            int l = lengths[s];
            if (l == 0) continue;
            int reversed = codes[s];
            if (l <= RootBits)
            {
                for (int i = reversed; i < 1 << RootBits; i += 1 << l) table[i] = (l << 16) | s;
            }
            else
            {
                int prefix = reversed & ((1 << RootBits) - 1);
                int subBits = maxLenUnder[prefix] - RootBits;
                int baseAt = subOffset[prefix];
                int high = reversed >> RootBits;
                int step = 1 << (l - RootBits);
                for (int i = high; i < 1 << subBits; i += step) table[baseAt + i] = (l << 16) | s;
            }
        }
        return new Vp8LHuffmanCode(table, -1);
    }

    private static int Reverse(int code, int length)
    {
        int r = 0;
        for (int i = 0; i < length; i++) { r = (r << 1) | (code & 1); code >>= 1; }
        return r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Read(Vp8LBitReader reader)
    {
        if (SingleSymbol >= 0) return SingleSymbol;
        reader.Fill();
        uint bits = reader.Peek();
        int entry = _table[bits & ((1 << RootBits) - 1)];
        if (entry >= 0)
        {
            reader.Skip(entry >> 16);
            return entry & 0xFFFF;
        }
        int subBits = (entry >> 24) & 0x7F;
        int sub = _table[(entry & 0xFFFFFF) + (int)((bits >> RootBits) & ((1u << subBits) - 1))];
        reader.Skip(sub >> 16);
        return sub & 0xFFFF;
    }
}
