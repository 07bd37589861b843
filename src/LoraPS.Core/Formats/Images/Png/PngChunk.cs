using System.Buffers.Binary;
using System.Text;

namespace LoraPS.Formats.Images.Png;

/// <summary>Walks the chunks of a PNG held in memory, checking lengths, names and CRCs as it goes.</summary>
internal ref struct PngChunkReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly string? _path;
    private int _position;

    public PngChunkReader(ReadOnlySpan<byte> data, string? path)
    {
        _data = data;
        _path = path;
        if (!PngChunk.HasSignature(data))
            throw new ImageFormatException(path, data.Length < 8 ? "file is too short to be a PNG" : "not a PNG: the 8-byte signature is wrong");
        _position = 8;
    }

    public bool AtEnd => _position >= _data.Length;

    /// <summary>The next chunk. A chunk whose CRC is wrong is an error when it is critical and skipped (Ok = false) when ancillary.</summary>
    public bool Next(out uint type, out ReadOnlySpan<byte> body, out bool crcOk)
    {
        if (_data.Length - _position < 8)
            throw new ImageFormatException(_path, $"PNG is truncated: a chunk header at byte {_position} is cut off");
        uint length = PngChunk.ReadUInt32(_data[_position..]);
        type = PngChunk.ReadUInt32(_data[(_position + 4)..]);
        if (!PngChunk.IsValidType(type))
            throw new ImageFormatException(_path, $"PNG chunk at byte {_position} has an invalid name {PngChunk.Name(type)}");
        if (length > int.MaxValue)
            throw new ImageFormatException(_path, $"PNG chunk {PngChunk.Name(type)} at byte {_position} declares an impossible length {length}");
        long remaining = _data.Length - _position - 12L;
        if (length > remaining)
            throw new ImageFormatException(_path, $"PNG is truncated: chunk {PngChunk.Name(type)} at byte {_position} declares {length} bytes but only {Math.Max(0, remaining)} remain");
        var typeAndBody = _data.Slice(_position + 4, 4 + (int)length);
        uint stored = PngChunk.ReadUInt32(_data[(_position + 8 + (int)length)..]);
        crcOk = Crc32.Compute(typeAndBody) == stored;
        if (!crcOk && PngChunk.IsCritical(type))
            throw new ImageFormatException(_path, $"PNG chunk {PngChunk.Name(type)} at byte {_position} has a bad CRC (file is corrupt)");
        body = typeAndBody[4..];
        _position += 12 + (int)length;
        return true;
    }
}

/// <summary>Chunk names and byte helpers.</summary>
internal static class PngChunk
{
    public static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public const uint IHDR = 0x49484452, PLTE = 0x504C5445, IDAT = 0x49444154, IEND = 0x49454E44,
        tRNS = 0x74524E53, eXIf = 0x65584966, tEXt = 0x74455874, zTXt = 0x7A545874, iTXt = 0x69545874;

    public static bool HasSignature(ReadOnlySpan<byte> data) => data.Length >= 8 && data[..8].SequenceEqual(Signature);

    public static uint ReadUInt32(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadUInt32BigEndian(b);

    /// <summary>Writes one chunk: length, type, body, CRC over type and body.</summary>
    public static void Write(Stream output, uint type, ReadOnlySpan<byte> body)
    {
        Span<byte> head = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(head, (uint)body.Length);
        BinaryPrimitives.WriteUInt32BigEndian(head[4..], type);
        output.Write(head);
        output.Write(body);
        uint crc = Crc32.Update(Crc32.Update(0xFFFFFFFFu, head[4..]), body) ^ 0xFFFFFFFFu;
        Span<byte> tail = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(tail, crc);
        output.Write(tail);
    }

    /// <summary>Writes the signature and the IHDR of an 8-bit, non-interlaced picture: how every PNG we make starts.</summary>
    public static void WriteStart(Stream output, int width, int height, PngColorType colorType)
    {
        output.Write(Signature);
        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr[4..], (uint)height);
        ihdr[8] = 8;
        ihdr[9] = (byte)colorType;
        Write(output, IHDR, ihdr);
    }

    /// <summary>Critical chunks have an upper-case first letter (bit 5 of the first byte clear).</summary>
    public static bool IsCritical(uint type) => (type & 0x20000000) == 0;

    public static bool IsValidType(uint type)
    {
        for (int s = 0; s < 32; s += 8)
        {
            int c = (int)(type >> s) & 0xFF;
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
        }
        return true;
    }

    public static string Name(uint type)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, type);
        var sb = new StringBuilder(4);
        foreach (byte c in b) sb.Append(c is >= 0x20 and < 0x7F ? (char)c : '?');
        return $"'{sb}'";
    }
}
