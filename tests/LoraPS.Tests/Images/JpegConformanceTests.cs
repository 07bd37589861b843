using LoraPS.Formats.Images;
using LoraPS.Formats.Images.Jpeg;
using LoraPS.Tests.Support;

namespace LoraPS.Tests.Images;

/// <summary>
/// Decodes JPEGs made at test time by cjpeg/convert and compares every pixel with djpeg's output
/// (same islow IDCT, fancy upsampling): at most 1 apart per channel.
/// </summary>
public sealed class JpegConformanceTests
{
    public static TheoryData<string, int, int, string> Cases => new()
    {
        { "baseline 4:2:0", 97, 61, "-quality 90 -sample 2x2" },
        { "baseline 4:4:4", 64, 48, "-quality 95 -sample 1x1" },
        { "baseline 4:2:2", 75, 33, "-quality 85 -sample 2x1" },
        { "baseline 4:4:0", 41, 70, "-quality 85 -sample 1x2" },
        { "baseline 4:1:1", 90, 20, "-quality 85 -sample 4x1" },
        { "grayscale", 50, 31, "-quality 80 -grayscale" },
        { "progressive 4:2:0", 123, 77, "-quality 90 -progressive -sample 2x2" },
        { "progressive 4:4:4", 66, 40, "-quality 75 -progressive -sample 1x1" },
        { "progressive 4:2:2", 70, 45, "-quality 92 -progressive -sample 2x1" },
        { "progressive grayscale", 33, 65, "-quality 70 -progressive -grayscale" },
        { "restart every 2 rows", 100, 70, "-quality 90 -restart 2 -sample 2x2" },
        { "restart every 3 blocks", 81, 19, "-quality 90 -restart 3B -sample 1x1" },
        { "progressive restarts", 90, 50, "-quality 90 -progressive -restart 1 -sample 2x2" },
        { "optimised tables", 60, 60, "-quality 50 -optimize" },
        { "low quality", 80, 64, "-quality 5 -sample 2x2" },
        { "quality 100", 48, 40, "-quality 100 -sample 1x1" },
        { "1x1", 1, 1, "-quality 90" },
        { "17x3", 17, 3, "-quality 90 -sample 2x2" },
        { "17x3 progressive", 17, 3, "-quality 90 -progressive" },
        { "4095x1", 4095, 1, "-quality 90 -sample 2x2" },
        { "1x300", 1, 300, "-quality 90 -sample 2x2" },
        { "2x2 4:2:0", 2, 2, "-quality 90 -sample 2x2" },
        { "3x5 4:2:2", 3, 5, "-quality 90 -sample 2x1" },
        { "rgb", 40, 30, "-quality 90 -rgb" },
        { "arithmetic refused", 16, 16, "-arithmetic" },
    };

    [ReferenceToolTheory("cjpeg", "djpeg")]
    [MemberData(nameof(Cases))]
    public void Matches_djpeg(string name, int width, int height, string cjpegArgs)
    {
        using var temp = new TempFolder("jpeg conf ü");
        string ppm = temp.File("source.ppm"), jpg = temp.File("image ü.jpg");
        ReferenceImageTools.WritePnm(ReferenceImageTools.TestPattern(width, height, seed: width * 31 + height), ppm);
        ReferenceImageTools.Run("cjpeg", [.. cjpegArgs.Split(' '), "-outfile", jpg, ppm]);
        if (cjpegArgs.Contains("-arithmetic"))
        {
            var error = Assert.Throws<ImageFormatException>(() => ImageCodecs.Decode(jpg));
            Assert.Contains("arithmetic", error.Message);
            return;
        }
        AssertMatchesDjpeg(jpg, name);
    }

    [ReferenceToolFact("convert", "djpeg")]
    public void Cmyk_from_convert_is_ycck_and_matches_djpeg()
    {
        using var temp = new TempFolder("jpeg cmyk");
        string ppm = temp.File("source.ppm"), jpg = temp.File("cmyk.jpg");
        ReferenceImageTools.WritePnm(ReferenceImageTools.TestPattern(45, 37), ppm);
        ReferenceImageTools.Run("convert", ppm, "-colorspace", "CMYK", "-quality", "90", jpg);
        AssertMatchesDjpeg(jpg, "CMYK");
    }

    [ReferenceToolFact("convert", "djpeg")]
    public void Plain_cmyk_matches_djpeg()
    {
        // ImageMagick stores CMYK as Adobe YCCK (transform 2); switched to transform 0 the same file is
        // read as plain (inverted) CMYK by both decoders.
        using var temp = new TempFolder("jpeg plain cmyk");
        string ppm = temp.File("source.ppm"), ycck = temp.File("ycck.jpg"), cmyk = temp.File("cmyk.jpg");
        ReferenceImageTools.WritePnm(ReferenceImageTools.TestPattern(33, 27), ppm);
        ReferenceImageTools.Run("convert", ppm, "-colorspace", "CMYK", ycck);
        var data = File.ReadAllBytes(ycck);
        int adobe = data.AsSpan().IndexOf("Adobe"u8);
        Assert.True(adobe > 0, "convert wrote no Adobe marker");
        Assert.Equal(2, data[adobe + 11]);
        data[adobe + 11] = 0;
        File.WriteAllBytes(cmyk, data);
        AssertMatchesDjpeg(cmyk, "plain CMYK");
    }

    [ReferenceToolFact("convert", "djpeg")]
    public void Progressive_cmyk_from_convert_matches_djpeg()
    {
        using var temp = new TempFolder("jpeg cmyk");
        string ppm = temp.File("source.ppm"), jpg = temp.File("cmyk.jpg");
        ReferenceImageTools.WritePnm(ReferenceImageTools.TestPattern(31, 29), ppm);
        ReferenceImageTools.Run("convert", ppm, "-colorspace", "CMYK", "-interlace", "Plane", "-sampling-factor", "2x2", jpg);
        AssertMatchesDjpeg(jpg, "progressive CMYK");
    }

    [ReferenceToolFact("cjpeg")]
    public void Probe_reads_size_without_pixels()
    {
        using var temp = new TempFolder("jpeg probe");
        string ppm = temp.File("source.ppm"), jpg = temp.File("probe.jpg");
        ReferenceImageTools.WritePnm(ReferenceImageTools.TestPattern(321, 123), ppm);
        ReferenceImageTools.Run("cjpeg", "-progressive", "-outfile", jpg, ppm);
        var header = ImageCodecs.Probe(jpg);
        Assert.Equal(ImageFormat.Jpeg, header.Format);
        Assert.Equal(321, header.Width);
        Assert.Equal(123, header.Height);
        Assert.Equal(1, header.Orientation);
    }

    internal static void AssertMatchesDjpeg(string jpg, string name)
    {
        var expected = ReferenceImageTools.ReadPnm(ReferenceImageTools.Run("djpeg", "-pnm", jpg));
        var actual = ImageCodecs.Decode(jpg);
        int diff = ReferenceImageTools.MaxDifference(expected, actual, out string where);
        Assert.True(diff <= 1, $"{name}: differs from djpeg by {diff} at {where}");
    }
}
