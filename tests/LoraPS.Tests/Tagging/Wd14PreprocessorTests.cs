using LoraPS.Formats.Images;
using LoraPS.Formats.Images.Resampling;
using LoraPS.Models.Tagging;

namespace LoraPS.Tests.Tagging;

public class Wd14PreprocessorTests
{
    /// <summary>The plain definition: composite onto white, pad with white (centred, extra right/bottom), BGR.</summary>
    private static byte[] Naive(RgbaImage image)
    {
        var square = ImageOps.PadToSquare(ImageOps.CompositeOnto(image, RgbColor.White), RgbColor.White);
        var bgr = new byte[square.Width * square.Height * 3];
        for (int i = 0, j = 0; i < square.Pixels.Length; i += 4, j += 3)
            (bgr[j], bgr[j + 1], bgr[j + 2]) = (square.Pixels[i + 2], square.Pixels[i + 1], square.Pixels[i]);
        return bgr;
    }

    [Theory]
    [InlineData(37, 37, 0)]
    [InlineData(37, 20, 1)]
    [InlineData(9, 40, 2)]
    [InlineData(1, 1, 3)]
    [InlineData(7, 5, 4)]
    public void PackingMatchesTheDefinitionForMixedAlpha(int w, int h, int seed)
    {
        var random = new Random(seed);
        var image = new RgbaImage(w, h);
        random.NextBytes(image.Pixels);
        // Runs of opaque pixels with transparent and half-transparent ones between them.
        for (int i = 3; i < image.Pixels.Length; i += 4)
            image.Pixels[i] = random.Next(4) switch { 0 => 0, 1 => (byte)random.Next(256), _ => 255 };
        int size = Math.Max(w, h);
        Assert.Equal(Naive(image), Wd14Preprocessor.ToBgr(image, size));
    }
}
