using System.Buffers.Binary;
using System.Globalization;

namespace LoraPS.Workflows.Rename;

/// <summary>
/// Reads when a photo was taken (EXIF DateTimeOriginal, else DateTime) from the first 256 KiB of a
/// JPEG (APP1 "Exif"), PNG (eXIf chunk) or WebP (EXIF chunk), for sorting by date taken. A small
/// reader of its own: anything malformed just means "no date", never an error.
/// </summary>
public static class ExifDateTaken
{
    private const int HeadBytes = 256 * 1024;

    public static DateTime? Read(string path)
    {
        byte[] head;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
            head = new byte[Math.Min(HeadBytes, stream.Length)];
            stream.ReadExactly(head);
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
        return FromTiff(FindTiff(head));
    }

    /// <summary>The TIFF structure (starting "II*\0" or "MM\0*") inside the container, or empty.</summary>
    internal static ReadOnlySpan<byte> FindTiff(ReadOnlySpan<byte> d)
    {
        if (d.Length > 4 && d[0] == 0xFF && d[1] == 0xD8)
        {
            for (int i = 2; i + 4 <= d.Length;)
            {
                if (d[i] != 0xFF) return default;
                byte marker = d[i + 1];
                if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) { i += 2; continue; }
                if (marker == 0xFF) { i++; continue; }
                if (marker == 0xDA || marker == 0xD9) return default; // image data starts: no EXIF before it
                int length = BinaryPrimitives.ReadUInt16BigEndian(d[(i + 2)..]);
                if (length < 2 || i + 2 + length > d.Length) return default;
                var body = d.Slice(i + 4, length - 2);
                if (marker == 0xE1 && body.Length > 6 && body[..6].SequenceEqual("Exif\0\0"u8)) return body[6..];
                i += 2 + length;
            }
        }
        else if (d.Length > 8 && d[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            for (int i = 8; i + 12 <= d.Length;)
            {
                uint length = BinaryPrimitives.ReadUInt32BigEndian(d[i..]);
                if (length > (uint)(d.Length - i - 12)) return default;
                if (d.Slice(i + 4, 4).SequenceEqual("eXIf"u8)) return d.Slice(i + 8, (int)length);
                if (d.Slice(i + 4, 4).SequenceEqual("IDAT"u8)) return default;
                i += 12 + (int)length;
            }
        }
        else if (d.Length > 12 && d[..4].SequenceEqual("RIFF"u8) && d.Slice(8, 4).SequenceEqual("WEBP"u8))
        {
            for (int i = 12; i + 8 <= d.Length;)
            {
                uint length = BinaryPrimitives.ReadUInt32LittleEndian(d[(i + 4)..]);
                if (length > (uint)(d.Length - i - 8)) return default;
                var body = d.Slice(i + 8, (int)length);
                if (d.Slice(i, 4).SequenceEqual("EXIF"u8))
                    return body.Length > 6 && body[..6].SequenceEqual("Exif\0\0"u8) ? body[6..] : body;
                i += 8 + (int)length + (int)(length & 1);
            }
        }
        return default;
    }

    internal static DateTime? FromTiff(ReadOnlySpan<byte> tiff)
    {
        if (tiff.Length < 8) return null;
        bool little = tiff[0] == 'I' && tiff[1] == 'I';
        if (!little && !(tiff[0] == 'M' && tiff[1] == 'M')) return null;
        uint U32(ReadOnlySpan<byte> t, int o) => little ? BinaryPrimitives.ReadUInt32LittleEndian(t[o..]) : BinaryPrimitives.ReadUInt32BigEndian(t[o..]);
        ushort U16(ReadOnlySpan<byte> t, int o) => little ? BinaryPrimitives.ReadUInt16LittleEndian(t[o..]) : BinaryPrimitives.ReadUInt16BigEndian(t[o..]);

        DateTime? dateTime = null, original = null;
        uint exifIfd = 0;
        void Scan(ReadOnlySpan<byte> t, uint offset, bool isExif)
        {
            if (offset < 8 || offset + 2 > t.Length) return;
            int count = U16(t, (int)offset);
            for (int k = 0; k < count; k++)
            {
                int e = (int)offset + 2 + k * 12;
                if (e + 12 > t.Length) return;
                ushort tag = U16(t, e), type = U16(t, e + 2);
                uint n = U32(t, e + 4), value = U32(t, e + 8);
                if (!isExif && tag == 0x8769) exifIfd = value;
                else if (type == 2 && n >= 19 && value + 19 <= t.Length && (tag == 0x0132 || tag == 0x9003))
                {
                    var parsed = Parse(t.Slice((int)value, 19));
                    if (tag == 0x9003) original = parsed; else dateTime = parsed;
                }
            }
        }
        Scan(tiff, U32(tiff, 4), isExif: false);
        if (exifIfd != 0) Scan(tiff, exifIfd, isExif: true);
        return original ?? dateTime;
    }

    private static DateTime? Parse(ReadOnlySpan<byte> text)
    {
        string s = System.Text.Encoding.ASCII.GetString(text);
        return DateTime.TryParseExact(s, "yyyy:MM:dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
    }
}
