using System.Buffers.Binary;
using LoraPS.Formats.Images;
using LoraPS.Formats.Images.Exif;
using LoraPS.Formats.Images.Png;
using LoraPS.Tests.Support;

namespace LoraPS.Tests.Images;

/// <summary>
/// <see cref="ExifReader.Read(string)"/> finding the EXIF block in each container (JPEG APP1, PNG eXIf,
/// WebP EXIF) and the date taken it gives the rename's DateTaken sort; built byte by byte, no tools needed.
/// </summary>
public sealed class ExifContainerTests
{
    /// <summary>A TIFF block: IFD0 with DateTime and a pointer to an EXIF IFD holding DateTimeOriginal.</summary>
    internal static byte[] Tiff(string? original, string? dateTime, bool little)
    {
        var t = new byte[200];
        void U16(int o, int v) { if (little) BinaryPrimitives.WriteUInt16LittleEndian(t.AsSpan(o), (ushort)v); else BinaryPrimitives.WriteUInt16BigEndian(t.AsSpan(o), (ushort)v); }
        void U32(int o, uint v) { if (little) BinaryPrimitives.WriteUInt32LittleEndian(t.AsSpan(o), v); else BinaryPrimitives.WriteUInt32BigEndian(t.AsSpan(o), v); }
        t[0] = t[1] = (byte)(little ? 'I' : 'M');
        U16(2, 42);
        U32(4, 8);
        U16(8, 2);                                   // IFD0: two entries
        U16(10, 0x0132); U16(12, 2); U32(14, 20); U32(18, 100); // DateTime at 100
        U16(22, 0x8769); U16(24, 4); U32(26, 1); U32(30, 40);   // EXIF IFD at 40
        U16(40, 1);
        U16(42, 0x9003); U16(44, 2); U32(46, 20); U32(50, 140); // DateTimeOriginal at 140
        if (dateTime != null) System.Text.Encoding.ASCII.GetBytes(dateTime, t.AsSpan(100));
        if (original != null) System.Text.Encoding.ASCII.GetBytes(original, t.AsSpan(140));
        return t;
    }

    /// <summary>The PNG with an eXIf chunk (DateTimeOriginal = <paramref name="date"/>) inserted right after IHDR.</summary>
    internal static byte[] PngWithExifDate(byte[] png, string date)
    {
        using var s = new MemoryStream();
        s.Write(png, 0, 33); // signature + IHDR
        PngBuilder.Chunk(s, "eXIf", Tiff(date, null, little: false));
        s.Write(png, 33, png.Length - 33);
        return s.ToArray();
    }

    private static byte[] SmallPng() => PngEncoder.Encode(new RgbaImage(3, 2));

    [Fact]
    public void Reads_DateTimeOriginal_from_jpeg_png_and_webp_and_falls_back_to_DateTime()
    {
        using var temp = new TempFolder("exif");
        byte[] tiff = Tiff("2019:05:06 07:08:09", "2020:01:01 00:00:00", little: true);
        byte[] app1 = [0xFF, 0xE1, (byte)((tiff.Length + 8) >> 8), (byte)(tiff.Length + 8), .. "Exif\0\0"u8.ToArray(), .. tiff];
        File.WriteAllBytes(temp.File("a.jpg"), [0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0, .. app1, 0xFF, 0xDA, 0, 2]);
        Assert.Equal(new DateTime(2019, 5, 6, 7, 8, 9), ExifReader.Read(temp.File("a.jpg")).DateTaken);

        File.WriteAllBytes(temp.File("b.png"), PngWithExifDate(SmallPng(), "2001:02:03 04:05:06"));
        Assert.Equal(new DateTime(2001, 2, 3, 4, 5, 6), ExifReader.Read(temp.File("b.png")).DateTaken);

        byte[] onlyDateTime = Tiff(null, "2018:12:31 23:59:58", little: false);
        byte[] chunk = [.. "EXIF"u8.ToArray(), 0, 0, 0, 0, .. onlyDateTime];
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(4), (uint)onlyDateTime.Length);
        byte[] webp = [.. "RIFF"u8.ToArray(), 0, 0, 0, 0, .. "WEBP"u8.ToArray(), .. chunk];
        File.WriteAllBytes(temp.File("c.webp"), webp);
        var webpExif = ExifReader.Read(temp.File("c.webp"));
        Assert.Null(webpExif.DateTimeOriginal);
        Assert.Equal(new DateTime(2018, 12, 31, 23, 59, 58), webpExif.DateTaken);

        File.WriteAllBytes(temp.File("d.jpg"), [0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 1, 2]); // length past the end
        Assert.Null(ExifReader.Read(temp.File("d.jpg")).DateTaken);
    }

    [Fact]
    public void Png_exif_is_looked_for_only_before_the_image_data_and_damage_reads_as_no_exif()
    {
        using var temp = new TempFolder("exif png ü");
        byte[] png = SmallPng();
        Assert.Equal(ExifData.Empty, ExifReader.Read(new MemoryStream(png)));

        // An eXIf chunk after IDAT (just before IEND) is not looked at.
        using (var late = new MemoryStream())
        {
            late.Write(png, 0, png.Length - 12);
            PngBuilder.Chunk(late, "eXIf", Tiff("2001:02:03 04:05:06", null, little: true));
            late.Write(png, png.Length - 12, 12);
            Assert.Null(ExifReader.Read(new MemoryStream(late.ToArray())).DateTaken);
        }

        // An eXIf chunk whose length runs past the end of the file.
        byte[] truncated = PngWithExifDate(png, "2001:02:03 04:05:06")[..60];
        File.WriteAllBytes(temp.File("cut.png"), truncated);
        Assert.Equal(ExifData.Empty, ExifReader.Read(temp.File("cut.png")));

        // A file that is not there, or a folder, reads as no EXIF rather than throwing.
        Assert.Equal(ExifData.Empty, ExifReader.Read(temp.File("missing.png")));
        Assert.Equal(ExifData.Empty, ExifReader.Read(temp.Path));
    }
}
