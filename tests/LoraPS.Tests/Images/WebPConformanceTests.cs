using LoraPS.Formats.Images;
using LoraPS.Tests.Support;

namespace LoraPS.Tests.Images;

/// <summary>
/// Decodes WebPs made at test time by cwebp/img2webp and compares every pixel with dwebp's RGBA output:
/// identical for lossless, at most 1 apart per channel for lossy.
/// </summary>
public sealed class WebPConformanceTests
{
    public static TheoryData<string, int, int, bool, string> Cases => new()
    {
        { "lossy default", 97, 61, false, "-q 75" },
        { "lossy low quality", 120, 80, false, "-q 5" },
        { "lossy high quality", 64, 48, false, "-q 98" },
        { "lossy simple filter", 90, 70, false, "-q 60 -nostrong -f 60" },
        { "lossy strong filter sharp", 80, 50, false, "-q 40 -strong -f 100 -sharpness 5" },
        { "lossy no filter", 70, 40, false, "-q 50 -f 0" },
        { "lossy one segment", 64, 64, false, "-q 70 -segments 1" },
        { "lossy sns", 96, 96, false, "-q 70 -sns 100 -segments 4" },
        { "lossy method 0", 100, 30, false, "-q 80 -m 0" },
        { "lossy method 6", 50, 100, false, "-q 80 -m 6" },
        { "lossy alpha", 65, 47, true, "-q 75" },
        { "lossy alpha uncompressed", 33, 21, true, "-q 75 -alpha_method 0" },
        { "lossy alpha best filter", 70, 44, true, "-q 75 -alpha_filter best" },
        { "lossy alpha no filter", 31, 41, true, "-q 75 -alpha_filter none" },
        { "lossy 1x1", 1, 1, false, "-q 75" },
        { "lossy 17x3", 17, 3, false, "-q 75" },
        { "lossy 4095x1", 4095, 1, false, "-q 75" },
        { "lossy 2x2 alpha", 2, 2, true, "-q 75" },
        { "lossless", 97, 61, false, "-lossless" },
        { "lossless alpha exact", 65, 47, true, "-lossless -exact" },
        { "lossless alpha", 40, 33, true, "-lossless" },
        { "lossless fast", 80, 50, false, "-lossless -z 0" },
        { "lossless max", 60, 40, false, "-lossless -z 9" },
        { "lossless near", 70, 30, false, "-near_lossless 40" },
        { "lossless large (meta prefix codes, colour cache)", 640, 480, true, "-lossless -z 9" },
        { "lossless large fast", 512, 384, false, "-lossless -z 1" },
        { "lossy large multi-segment", 640, 480, true, "-q 85 -m 4" },
        { "lossless 1x1", 1, 1, false, "-lossless" },
        { "lossless 17x3", 17, 3, true, "-lossless -exact" },
        { "lossless 4095x1", 4095, 1, false, "-lossless" },
    };

    [ReferenceToolTheory("cwebp", "dwebp")]
    [MemberData(nameof(Cases))]
    public void Matches_dwebp(string name, int width, int height, bool alpha, string cwebpArgs)
    {
        using var temp = new TempFolder("webp conf ü");
        string source = temp.File(alpha ? "source.pam" : "source.ppm"), webp = temp.File("image ü.webp");
        ReferenceImageTools.WritePnm(ReferenceImageTools.TestPattern(width, height, seed: width * 7 + height, alpha: alpha), source, withAlpha: alpha);
        ReferenceImageTools.Run("cwebp", [.. cwebpArgs.Split(' '), "-quiet", source, "-o", webp]);
        AssertMatchesDwebp(webp, name, exact: cwebpArgs.Contains("-lossless") || cwebpArgs.Contains("near_lossless"));
    }

    [ReferenceToolFact("cwebp", "dwebp")]
    public void Palette_image_matches_dwebp()
    {
        // Few colours make cwebp use the colour-indexing transform with packed pixels.
        using var temp = new TempFolder("webp palette");
        string source = temp.File("source.ppm"), webp = temp.File("palette.webp");
        var image = new RgbaImage(53, 29);
        for (int i = 0; i < 53 * 29; i++)
        {
            int c = (i * 7 / 5) % 3;
            image.Pixels[4 * i] = (byte)(c * 100); image.Pixels[4 * i + 1] = (byte)(255 - c * 80); image.Pixels[4 * i + 2] = 17; image.Pixels[4 * i + 3] = 255;
        }
        ReferenceImageTools.WritePnm(image, source);
        ReferenceImageTools.Run("cwebp", "-lossless", "-quiet", source, "-o", webp);
        AssertMatchesDwebp(webp, "palette", exact: true);
        var decoded = ImageCodecs.Decode(webp);
        Assert.Equal(image.Pixels, decoded.Pixels);
    }

    [ReferenceToolFact("cwebp", "img2webp", "webpmux", "dwebp")]
    public void Animated_file_gives_its_first_frame()
    {
        using var temp = new TempFolder("webp anim");
        string a = temp.File("a.ppm"), b = temp.File("b.ppm"), anim = temp.File("anim.webp"), first = temp.File("first.webp");
        ReferenceImageTools.WritePnm(ReferenceImageTools.TestPattern(40, 30, seed: 3), a);
        ReferenceImageTools.WritePnm(ReferenceImageTools.TestPattern(40, 30, seed: 4), b);
        // img2webp reads PNG/JPEG/TIFF/WebP; give it WebP frames.
        string aw = temp.File("a.webp"), bw = temp.File("b.webp");
        ReferenceImageTools.Run("cwebp", "-lossless", "-quiet", a, "-o", aw);
        ReferenceImageTools.Run("cwebp", "-q", "70", "-quiet", b, "-o", bw);
        ReferenceImageTools.Run("img2webp", "-lossy", "-q", "70", aw, "-lossless", bw, "-o", anim);
        ReferenceImageTools.Run("webpmux", "-get", "frame", "1", anim, "-o", first);
        var expected = ReferenceImageTools.ReadPnm(ReferenceImageTools.Run("dwebp", "-pam", first, "-o", "-"));
        var actual = ImageCodecs.Decode(anim);
        int diff = ReferenceImageTools.MaxDifference(expected, actual, out string where);
        Assert.True(diff <= 1, $"first frame differs from dwebp by {diff} at {where}");
        Assert.Equal(ImageFormat.WebP, ImageCodecs.Probe(anim).Format);
    }

    [ReferenceToolFact("cwebp")]
    public void Probe_reads_sizes_and_alpha()
    {
        using var temp = new TempFolder("webp probe");
        string source = temp.File("s.pam"), lossy = temp.File("lossy.webp"), lossless = temp.File("lossless.webp");
        ReferenceImageTools.WritePnm(ReferenceImageTools.TestPattern(123, 45, alpha: true), source, withAlpha: true);
        ReferenceImageTools.Run("cwebp", "-q", "80", "-quiet", source, "-o", lossy);
        ReferenceImageTools.Run("cwebp", "-lossless", "-quiet", source, "-o", lossless);
        foreach (var file in new[] { lossy, lossless })
        {
            var header = ImageCodecs.Probe(file);
            Assert.Equal((ImageFormat.WebP, 123, 45, true), (header.Format, header.Width, header.Height, header.HasAlpha));
        }
    }

    internal static void AssertMatchesDwebp(string webp, string name, bool exact)
    {
        var expected = ReferenceImageTools.ReadPnm(ReferenceImageTools.Run("dwebp", "-pam", webp, "-o", "-"));
        var actual = ImageCodecs.Decode(webp);
        int diff = ReferenceImageTools.MaxDifference(expected, actual, out string where);
        Assert.True(diff <= (exact ? 0 : 1), $"{name}: differs from dwebp by {diff} at {where}");
    }
}
