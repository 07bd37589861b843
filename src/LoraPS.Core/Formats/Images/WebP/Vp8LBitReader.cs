using System.Runtime.CompilerServices;

namespace LoraPS.Formats.Images.WebP;

/// <summary>Reads a VP8L bit stream LSB first. Reading past the end yields zeros and marks the stream as overrun.</summary>
internal sealed class Vp8LBitReader
{
    private readonly byte[] _data;
    private readonly int _end;
    private int _pos;
    private ulong _buffer; // next bit is bit 0
    private int _count;
    private int _padded;

    public Vp8LBitReader(byte[] data, int start, int end)
    {
        _data = data;
        _pos = start;
        _end = end;
    }

    /// <summary>True once bits past the end of the data have been consumed.</summary>
    public bool Overrun => _padded > _count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Fill()
    {
        if (_count >= 32) return;
        FillSlow();
    }

    private void FillSlow()
    {
        while (_count <= 56)
        {
            ulong b;
            if (_pos < _end) b = _data[_pos++];
            else { b = 0; _padded += 8; if (_padded > 1 << 20) _padded = 1 << 20; }
            _buffer |= b << _count;
            _count += 8;
        }
    }

    /// <summary>The next bits without consuming them (valid after <see cref="Fill"/>; at most 32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Peek() => (uint)_buffer;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Skip(int n)
    {
        _buffer >>= n;
        _count -= n;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ReadBits(int n)
    {
        if (n == 0) return 0;
        Fill();
        int v = (int)(_buffer & ((1UL << n) - 1));
        _buffer >>= n;
        _count -= n;
        return v;
    }
}
