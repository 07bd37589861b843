using System.Buffers.Binary;
using System.Text;
using LoraPS.Formats.Images;
using LoraPS.Formats.Images.Exif;
using LoraPS.Tests.Support;

namespace LoraPS.Tests.Images;

/// <summary>EXIF orientation and capture time from JPEG APP1 and WebP EXIF chunks, applied on decode and reported by the probe.</summary>
public sealed class ExifOrientationTests
{
    /// <summary>A TIFF/EXIF block with IFD0 orientation and an Exif sub-IFD holding DateTimeOriginal.</summary>
    internal static byte[] ExifBlock(int orientation, string dateTaken = "2024:05:17 13:45:09", bool bigEndian = false)
    {
        var b = new byte[8 + 2 + 2 * 12 + 4 + 2 + 12 + 4 + 20];
        void U16(int at, int v) { if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(at), (ushort)v); else BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(at), (ushort)v); }
        void U32(int at, int v) { if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(at), (uint)v); else BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), (uint)v); }
        b[0] = b[1] = (byte)(bigEndian ? 'M' : 'I');
        U16(2, 42);
        U32(4, 8);
        int ifd0 = 8, exifIfd = ifd0 + 2 + 2 * 12 + 4, text = exifIfd + 2 + 12 + 4;
        U16(ifd0, 2);
        U16(ifd0 + 2, 0x0112); U16(ifd0 + 4, 3); U32(ifd0 + 6, 1); U16(ifd0 + 10, orientation);
        U16(ifd0 + 14, 0x8769); U16(ifd0 + 16, 4); U32(ifd0 + 18, 1); U32(ifd0 + 22, exifIfd);
        U32(ifd0 + 26, 0);
        U16(exifIfd, 1);
        U16(exifIfd + 2, 0x9003); U16(exifIfd + 4, 2); U32(exifIfd + 6, 20); U32(exifIfd + 10, text);
        U32(exifIfd + 14, 0);
        Encoding.ASCII.GetBytes(dateTaken).CopyTo(b, text);
        return b;
    }

    /// <summary>Inserts an EXIF APP1 segment right after a JPEG's SOI marker.</summary>
    internal static byte[] WithJpegExif(byte[] jpeg, byte[] tiff)
    {
        var segment = new List<byte> { 0xFF, 0xE1 };
        int length = 2 + 6 + tiff.Length;
        segment.Add((byte)(length >> 8)); segment.Add((byte)length);
        segment.AddRange("Exif\0\0"u8.ToArray());
        segment.AddRange(tiff);
        return [.. jpeg.AsSpan(0, 2), .. segment, .. jpeg.AsSpan(2)];
    }

    /// <summary>Rewraps a simple lossy WebP (RIFF + one VP8 chunk) as VP8X with an EXIF chunk.</summary>
    internal static byte[] WithWebPExif(byte[] webp, byte[] tiff, int width, int height)
    {
        var vp8 = webp.AsSpan(12).ToArray(); // the VP8 chunk, header included
        var body = new List<byte>();
        body.AddRange("WEBP"u8.ToArray());
        body.AddRange("VP8X"u8.ToArray()); body.AddRange(BitConverter.GetBytes(10));
        body.Add(0x08); body.AddRange(new byte[3]);
        body.Add((byte)(width - 1)); body.Add((byte)((width - 1) >> 8)); body.Add((byte)((width - 1) >> 16));
        body.Add((byte)(height - 1)); body.Add((byte)((height - 1) >> 8)); body.Add((byte)((height - 1) >> 16));
        body.AddRange(vp8);
        body.AddRange("EXIF"u8.ToArray()); body.AddRange(BitConverter.GetBytes(tiff.Length));
        body.AddRange(tiff);
        if ((tiff.Length & 1) != 0) body.Add(0);
        return [.. "RIFF"u8, .. BitConverter.GetBytes(body.Count), .. body];
    }

    private static readonly string[][] ConvertOperations =
    {
        [], [], ["-flop"], ["-rotate", "180"], ["-flip"], ["-transpose"], ["-rotate", "90"], ["-transverse"], ["-rotate", "270"],
    };

    [ReferenceToolTheory("cjpeg", "djpeg", "convert")]
    [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(4)]
    [InlineData(5)] [InlineData(6)] [InlineData(7)] [InlineData(8)]
    public void Jpeg_orientation_is_applied_like_convert(int orientation)
    {
        using var temp = new TempFolder("exif jpeg");
        string ppm = temp.File("s.ppm"), plain = temp.File("plain.jpg"), oriented = temp.File($"oriented {orientation}.jpg");
        ReferenceImageTools.WritePnm(ReferenceImageTools.TestPattern(37, 23), ppm);
        ReferenceImageTools.Run("cjpeg", "-quality", "95", "-outfile", plain, ppm);
        File.WriteAllBytes(oriented, WithJpegExif(File.ReadAllBytes(plain), ExifBlock(orientation, bigEndian: orientation % 2 == 0)));

        string stored = temp.File("stored.ppm"), upright = temp.File("upright.ppm");
        File.WriteAllBytes(stored, ReferenceImageTools.Run("djpeg", "-pnm", plain));
        ReferenceImageTools.Run("convert", [stored, .. ConvertOperations[orientation], upright]);
        var expected = ReferenceImageTools.ReadPnm(File.ReadAllBytes(upright));

        var actual = ImageCodecs.Decode(oriented);
        Assert.True(ReferenceImageTools.MaxDifference(expected, actual, out string where) <= 1, where);

        var header = ImageCodecs.Probe(oriented);
        Assert.Equal(orientation, header.Orientation);
        Assert.Equal((expected.Width, expected.Height), (header.DisplayWidth, header.DisplayHeight));

        var asStored = ImageCodecs.Decode(oriented, new ImageDecodeOptions { ApplyOrientation = false });
        Assert.Equal((37, 23), (asStored.Width, asStored.Height));
    }

    [ReferenceToolTheory("cwebp", "dwebp", "convert")]
    [InlineData(3)] [InlineData(6)] [InlineData(8)]
    public void WebP_orientation_is_applied_like_convert(int orientation)
    {
        using var temp = new TempFolder("exif webp");
        string ppm = temp.File("s.ppm"), plain = temp.File("plain.webp"), oriented = temp.File("oriented.webp");
        ReferenceImageTools.WritePnm(ReferenceImageTools.TestPattern(30, 20), ppm);
        ReferenceImageTools.Run("cwebp", "-q", "90", "-quiet", ppm, "-o", plain);
        File.WriteAllBytes(oriented, WithWebPExif(File.ReadAllBytes(plain), ExifBlock(orientation), 30, 20));

        string stored = temp.File("stored.pam"), upright = temp.File("upright.ppm");
        // dwebp itself must accept the rewrapped file.
        File.WriteAllBytes(stored, ReferenceImageTools.Run("dwebp", "-ppm", oriented, "-o", "-"));
        ReferenceImageTools.Run("convert", [stored, .. ConvertOperations[orientation], upright]);
        var expected = ReferenceImageTools.ReadPnm(File.ReadAllBytes(upright));

        var actual = ImageCodecs.Decode(oriented);
        Assert.True(ReferenceImageTools.MaxDifference(expected, actual, out string where) <= 1, where);
        Assert.Equal(orientation, ImageCodecs.Probe(oriented).Orientation);
        Assert.Equal(orientation, ExifReader.Read(oriented).Orientation);
    }

    /// <summary>A stream that cannot seek, like a network or pipe stream.</summary>
    private sealed class ForwardOnlyStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
        public override long Position { get => base.Position; set => throw new NotSupportedException(); }
        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();
    }

    [ReferenceToolFact("cjpeg", "cwebp")]
    public void Exif_reader_and_probe_work_on_forward_only_streams()
    {
        using var temp = new TempFolder("exif stream");
        string ppm = temp.File("s.ppm"), jpg = temp.File("s.jpg"), webp = temp.File("s.webp");
        ReferenceImageTools.WritePnm(ReferenceImageTools.TestPattern(10, 6), ppm);
        ReferenceImageTools.Run("cjpeg", "-outfile", jpg, ppm);
        ReferenceImageTools.Run("cwebp", "-quiet", ppm, "-o", webp);
        var jpeg = WithJpegExif(File.ReadAllBytes(jpg), ExifBlock(8));
        Assert.Equal(8, ExifReader.Read(new ForwardOnlyStream(jpeg)).Orientation);
        Assert.Equal(8, new LoraPS.Formats.Images.Jpeg.JpegCodec().Probe(new ForwardOnlyStream(jpeg), "s.jpg").Orientation);
        var wrapped = WithWebPExif(File.ReadAllBytes(webp), ExifBlock(8), 10, 6);
        Assert.Equal((10, 6), (new LoraPS.Formats.Images.WebP.WebPCodec().Probe(new ForwardOnlyStream(wrapped), "s.webp") is var h ? (h.Width, h.Height) : default));
        Assert.Equal(8, ExifReader.Read(new ForwardOnlyStream(wrapped)).Orientation);
    }

    [Fact]
    public void Reads_orientation_and_date_taken_in_both_byte_orders()
    {
        foreach (bool bigEndian in new[] { false, true })
        {
            var exif = ExifReader.Parse(ExifBlock(6, "2021:12:31 23:59:58", bigEndian));
            Assert.Equal(6, exif.Orientation);
            Assert.Equal(new DateTime(2021, 12, 31, 23, 59, 58), exif.DateTimeOriginal);
        }
    }

    [Fact]
    public void Damaged_exif_reads_as_defaults()
    {
        var block = ExifBlock(6);
        Assert.Equal(ExifData.Empty, ExifReader.Parse(block.AsSpan(0, 7)));
        var badOffset = (byte[])block.Clone();
        badOffset[4] = 0xFF; badOffset[5] = 0xFF;
        Assert.Equal(1, ExifReader.Parse(badOffset).Orientation);
        var badValue = (byte[])block.Clone();
        badValue[8 + 2 + 8] = 9; // orientation 9 does not exist
        Assert.Equal(1, ExifReader.Parse(badValue).Orientation);
        var random = new Random(5);
        for (int i = 0; i < 2000; i++)
        {
            var mutated = (byte[])block.Clone();
            for (int k = 0; k < 4; k++) mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            var result = ExifReader.Parse(mutated); // must not throw
            Assert.InRange(result.Orientation, 1, 8);
        }
    }

    [ReferenceToolFact("cjpeg")]
    public void Exif_reader_finds_the_date_in_a_jpeg_file()
    {
        using var temp = new TempFolder("exif date");
        string ppm = temp.File("s.ppm"), plain = temp.File("plain.jpg"), dated = temp.File("dated ü.jpg");
        ReferenceImageTools.WritePnm(ReferenceImageTools.TestPattern(8, 8), ppm);
        ReferenceImageTools.Run("cjpeg", "-outfile", plain, ppm);
        File.WriteAllBytes(dated, WithJpegExif(File.ReadAllBytes(plain), ExifBlock(1, "2019:02:03 04:05:06")));
        Assert.Equal(new DateTime(2019, 2, 3, 4, 5, 6), ExifReader.Read(dated).DateTimeOriginal);
        Assert.Null(ExifReader.Read(plain).DateTimeOriginal);
    }
}
