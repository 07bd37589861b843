using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace LoraPS.Formats.Images.WebP;

/// <summary>
/// The VP8 boolean entropy decoder (RFC 6386 section 7), with a 56-bit look-ahead window. Reading past
/// the end feeds zeros once and then marks the partition as exhausted, which callers report as truncation.
/// </summary>
internal sealed class Vp8BoolDecoder
{
    private readonly byte[] _data;
    private readonly int _end;
    private int _pos;
    private ulong _value;
    private int _bits;     // number of valid bits below the current 8-bit window, minus 8 (may go negative)
    private uint _range;   // range − 1, in [126, 254]

    public bool Exhausted { get; private set; }

    public Vp8BoolDecoder(byte[] data, int start, int end)
    {
        _data = data;
        _pos = start;
        _end = end;
        _range = 255 - 1;
        _bits = -8;
        Load();
    }

    private void Load()
    {
        if (_pos + 8 <= _end)
        {
            ulong next = BinaryPrimitives.ReadUInt64BigEndian(_data.AsSpan(_pos)) >> 8;
            _pos += 7;
            _value = (_value << 56) | next;
            _bits += 56;
        }
        else if (_pos < _end)
        {
            _value = (_value << 8) | _data[_pos++];
            _bits += 8;
        }
        else if (!Exhausted)
        {
            _value <<= 8;
            _bits += 8;
            Exhausted = true;
        }
        else _bits = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int GetBit(int probability)
    {
        uint range = _range;
        if (_bits < 0) Load();
        int pos = _bits;
        uint split = (range * (uint)probability) >> 8;
        uint value = (uint)(_value >> pos);
        int bit;
        if (value > split)
        {
            range -= split;
            _value -= (ulong)(split + 1) << pos;
            bit = 1;
        }
        else
        {
            range = split + 1;
            bit = 0;
        }
        int shift = 7 ^ BitOperations.Log2(range);
        range <<= shift;
        _bits -= shift;
        _range = range - 1;
        return bit;
    }

    /// <summary>An unsigned n-bit literal, most significant bit first.</summary>
    public int GetValue(int bits)
    {
        int v = 0;
        while (bits-- > 0) v |= GetBit(0x80) << bits;
        return v;
    }

    public int GetSignedValue(int bits)
    {
        int value = GetValue(bits);
        return GetBit(0x80) != 0 ? -value : value;
    }
}
