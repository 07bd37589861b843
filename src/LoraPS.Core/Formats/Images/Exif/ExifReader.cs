using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace LoraPS.Formats.Images.Exif;

/// <summary>
/// Reads orientation and capture time from an EXIF block (a TIFF structure: byte-order mark, IFD0,
/// the Exif sub-IFD). Never throws: a damaged block yields the defaults, because metadata must not make
/// an otherwise good picture unreadable.
/// </summary>
public static class ExifReader
{
    private const int TagOrientation = 0x0112;
    private const int TagDateTime = 0x0132;
    private const int TagExifIfd = 0x8769;
    private const int TagDateTimeOriginal = 0x9003;
    private const int MaxEntries = 1000;

    /// <summary>Parses a TIFF-structured EXIF block (what follows "Exif\0\0" in a JPEG APP1 segment).</summary>
    public static ExifData Parse(ReadOnlySpan<byte> tiff)
    {
        if (tiff.Length >= 6 && tiff[..6].SequenceEqual("Exif\0\0"u8)) tiff = tiff[6..]; // WebP writers sometimes keep the prefix
        if (tiff.Length < 8) return ExifData.Empty;
        bool little;
        if (tiff[0] == 'I' && tiff[1] == 'I') little = true;
        else if (tiff[0] == 'M' && tiff[1] == 'M') little = false;
        else return ExifData.Empty;
        if (U16(tiff, 2, little) != 42) return ExifData.Empty;

        int orientation = 1;
        DateTime? original = null, modified = null;
        uint exifIfd = 0;
        foreach (var (tag, type, count, valueAt) in Entries(tiff, U32(tiff, 4, little), little))
        {
            if (tag == TagOrientation && type == 3 && count >= 1)
            {
                int o = U16(tiff, valueAt, little);
                if (o >= 1 && o <= 8) orientation = o;
            }
            else if (tag == TagDateTime) modified = ReadDate(tiff, type, count, valueAt, little);
            else if (tag == TagExifIfd && (type == 4 || type == 13)) exifIfd = U32(tiff, valueAt, little);
        }
        if (exifIfd != 0)
            foreach (var (tag, type, count, valueAt) in Entries(tiff, exifIfd, little))
                if (tag == TagDateTimeOriginal) original = ReadDate(tiff, type, count, valueAt, little);

        return new ExifData { Orientation = orientation, DateTimeOriginal = original, DateTime = modified };
    }

    /// <summary>
    /// Reads the EXIF block of a JPEG (APP1), PNG (eXIf chunk) or WebP (EXIF chunk) file without decoding
    /// pixels; <see cref="ExifData.Empty"/> when there is none or the file cannot be read.
    /// </summary>
    public static ExifData Read(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
            return Read(stream);
        }
        catch (IOException) { return ExifData.Empty; }
        catch (UnauthorizedAccessException) { return ExifData.Empty; }
    }

    public static ExifData Read(Stream stream)
    {
        try
        {
            if (!stream.CanSeek)
            {
                // The format probes all start at the beginning: give them something they can rewind.
                var copy = new MemoryStream();
                stream.CopyTo(copy);
                copy.Position = 0;
                stream = copy;
            }
            var block = Jpeg.JpegCodec.FindExif(stream) ?? Png.PngCodec.FindExif(stream) ?? WebP.WebPCodec.FindExif(stream);
            return block is null ? ExifData.Empty : Parse(block);
        }
        catch (IOException) { return ExifData.Empty; }
    }

    private static List<(int Tag, int Type, uint Count, int ValueAt)> Entries(ReadOnlySpan<byte> tiff, uint offset, bool little)
    {
        var list = new List<(int, int, uint, int)>();
        if (offset < 8 || offset > (uint)tiff.Length - 2) return list;
        int count = U16(tiff, (int)offset, little);
        if (count > MaxEntries) return list;
        for (int i = 0; i < count; i++)
        {
            int at = (int)offset + 2 + 12 * i;
            if (at + 12 > tiff.Length) break;
            int tag = U16(tiff, at, little), type = U16(tiff, at + 2, little);
            uint n = U32(tiff, at + 4, little);
            int size = type switch { 1 or 2 or 6 or 7 => 1, 3 or 8 => 2, 4 or 9 or 11 => 4, 5 or 10 or 12 => 8, _ => 0 };
            long bytes = (long)size * n;
            int valueAt = at + 8;
            if (bytes > 4)
            {
                uint pointer = U32(tiff, at + 8, little);
                if (pointer > (uint)tiff.Length || bytes > tiff.Length - pointer) continue;
                valueAt = (int)pointer;
            }
            list.Add((tag, type, n, valueAt));
        }
        return list;
    }

    private static DateTime? ReadDate(ReadOnlySpan<byte> tiff, int type, uint count, int at, bool little)
    {
        if (type != 2 || count < 19 || at + 19 > tiff.Length) return null;
        string text = Encoding.ASCII.GetString(tiff.Slice(at, 19));
        return System.DateTime.TryParseExact(text, "yyyy:MM:dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var value)
            ? value : null;
    }

    private static int U16(ReadOnlySpan<byte> s, int at, bool little) =>
        at < 0 || at + 2 > s.Length ? 0 : little ? BinaryPrimitives.ReadUInt16LittleEndian(s[at..]) : BinaryPrimitives.ReadUInt16BigEndian(s[at..]);

    private static uint U32(ReadOnlySpan<byte> s, int at, bool little) =>
        at < 0 || at + 4 > s.Length ? 0 : little ? BinaryPrimitives.ReadUInt32LittleEndian(s[at..]) : BinaryPrimitives.ReadUInt32BigEndian(s[at..]);
}
