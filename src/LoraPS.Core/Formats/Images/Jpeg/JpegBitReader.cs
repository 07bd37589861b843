using System.Runtime.CompilerServices;

namespace LoraPS.Formats.Images.Jpeg;

/// <summary>
/// Reads entropy-coded JPEG data MSB first, removing 0xFF00 byte stuffing. At a marker it feeds zero
/// bits (as libjpeg does) so a damaged scan decodes to grey rather than failing; running off the end
/// of the file is remembered so that a truncated file is reported.
/// </summary>
internal sealed class JpegBitReader
{
    private readonly byte[] _data;
    private int _pos;
    private ulong _buffer;   // left-aligned: the next bit is bit 63
    private int _count;      // valid bits in _buffer
    private int _paddedBits; // zero bits fed past the end of the file
    private bool _atMarker;
    private bool _ranPastEndBefore;

    public JpegBitReader(byte[] data, int start)
    {
        _data = data;
        _pos = start;
    }

    /// <summary>Where the undecoded data continues (at most at the marker that ended the scan).</summary>
    public int Position => _pos;

    /// <summary>True when decoding has used bits that lie past the end of the file.</summary>
    public bool RanPastEnd => _ranPastEndBefore || _paddedBits > _count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void EnsureBits(int n)
    {
        if (_count < n) Fill();
    }

    private void Fill()
    {
        byte[] data = _data;
        while (_count <= 56)
        {
            uint b = 0;
            if (!_atMarker)
            {
                if (_pos < data.Length)
                {
                    b = data[_pos];
                    if (b == 0xFF)
                    {
                        int next = _pos + 1 < data.Length ? data[_pos + 1] : -1;
                        if (next == 0) _pos += 2;
                        else if (next == 0xFF) { _pos++; continue; } // fill byte before a marker
                        else { _atMarker = true; b = 0; }
                    }
                    else _pos++;
                }
                else _paddedBits += 8;
            }
            _buffer |= (ulong)b << (56 - _count);
            _count += 8;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Peek(int n) => (int)(_buffer >> (64 - n));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Skip(int n)
    {
        _buffer <<= n;
        _count -= n;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int GetBits(int n)
    {
        if (n == 0) return 0;
        EnsureBits(n);
        int v = (int)(_buffer >> (64 - n));
        _buffer <<= n;
        _count -= n;
        return v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int GetBit()
    {
        EnsureBits(1);
        int v = (int)(_buffer >> 63);
        _buffer <<= 1;
        _count--;
        return v;
    }

    /// <summary>Reads <paramref name="n"/> bits as a signed value (T.81 F.2.2.1 EXTEND).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ReceiveExtend(int n)
    {
        if (n == 0) return 0;
        EnsureBits(n);
        int v = (int)(_buffer >> (64 - n));
        _buffer <<= n;
        _count -= n;
        return v < 1 << (n - 1) ? v - (1 << n) + 1 : v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int DecodeHuffman(JpegHuffmanTable table)
    {
        EnsureBits(16);
        int entry = table.Lookup[(int)(_buffer >> (64 - JpegHuffmanTable.LookupBits))];
        if (entry != 0)
        {
            int length = entry >> 8;
            _buffer <<= length;
            _count -= length;
            return entry & 0xFF;
        }
        return DecodeSlow(table);
    }

    private int DecodeSlow(JpegHuffmanTable table)
    {
        int code = (int)(_buffer >> 48);
        for (int length = JpegHuffmanTable.LookupBits + 1; length <= 16; length++)
        {
            int c = code >> (16 - length);
            if (c <= table.MaxCode[length])
            {
                Skip(length);
                int index = table.ValueOffset[length] + c;
                return (uint)index < (uint)table.Values.Length ? table.Values[index] : 0;
            }
        }
        // Not a code of this table: corrupt data. Consume it and yield 0 like libjpeg.
        Skip(16);
        return 0;
    }

    /// <summary>FastAc entry for the next bits, or 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int PeekFastAc(JpegHuffmanTable table) => table.FastAc[(int)(_buffer >> (64 - JpegHuffmanTable.LookupBits))];

    /// <summary>Drops buffered bits and steps over the RSTn marker that should follow (any restart marker).</summary>
    public void Restart()
    {
        _ranPastEndBefore = RanPastEnd;
        _buffer = 0;
        _count = 0;
        _paddedBits = 0;
        byte[] data = _data;
        // Look for the marker: normally at _pos (at most a few stuffed/padding bytes away).
        int p = _pos;
        while (p + 1 < data.Length)
        {
            if (data[p] == 0xFF)
            {
                byte m = data[p + 1];
                if (m >= 0xD0 && m <= 0xD7) { _pos = p + 2; _atMarker = false; return; }
                if (m != 0 && m != 0xFF) { _pos = p; _atMarker = true; return; } // another marker: leave it
            }
            p++;
        }
        _pos = data.Length;
        _atMarker = false;
    }
}
