using LoraPS.Formats.Images;
using LoraPS.Formats.Images.Resampling;

namespace LoraPS.Tests.Resampling;

public class ResamplingTests
{
    private static RgbaImage Random(int w, int h, int seed, bool opaque = true)
    {
        var image = new RgbaImage(w, h);
        new Random(seed).NextBytes(image.Pixels);
        if (opaque) for (int i = 3; i < image.Pixels.Length; i += 4) image.Pixels[i] = 255;
        return image;
    }

    private static RgbaImage Solid(int w, int h, byte r, byte g, byte b, byte a = 255)
    {
        var image = new RgbaImage(w, h);
        for (int i = 0; i < image.Pixels.Length; i += 4) (image.Pixels[i], image.Pixels[i + 1], image.Pixels[i + 2], image.Pixels[i + 3]) = (r, g, b, a);
        return image;
    }

    [Fact]
    public void AreaWithAnIntegerFactorIsTheRoundedBlockMean()
    {
        var src = Random(12, 9, 1);
        var dst = AreaResampler.Resize(src, 4, 3); // 3×3 blocks
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 4; x++)
                for (int c = 0; c < 4; c++)
                {
                    int sum = 0;
                    for (int dy = 0; dy < 3; dy++)
                        for (int dx = 0; dx < 3; dx++) sum += src.Pixels[((y * 3 + dy) * 12 + x * 3 + dx) * 4 + c];
                    Assert.Equal((int)Math.Round(sum / 9.0, MidpointRounding.ToEven), dst.Pixels[(y * 4 + x) * 4 + c]);
                }
    }

    [Fact]
    public void AreaWithAFractionalFactorWeighsPartialPixels()
    {
        // 3 → 2 pixels: out0 = (p0 + 0.5·p1) / 1.5, out1 = (0.5·p1 + p2) / 1.5.
        var src = new RgbaImage(3, 1, new byte[] { 30, 0, 0, 255, 60, 0, 0, 255, 90, 0, 0, 255 });
        var dst = AreaResampler.Resize(src, 2, 1);
        Assert.Equal(40, dst.Pixels[0]);
        Assert.Equal(80, dst.Pixels[4]);
        Assert.Throws<ArgumentException>(() => AreaResampler.Resize(src, 4, 1));
    }

    [Theory]
    [InlineData(ResizeMethod.Area, 7, 5)]
    [InlineData(ResizeMethod.Lanczos, 31, 40)]
    [InlineData(ResizeMethod.Lanczos, 9, 6)]
    [InlineData(ResizeMethod.Bicubic, 25, 13)]
    [InlineData(ResizeMethod.Bilinear, 30, 30)]
    public void SolidColourStaysSolid(ResizeMethod method, int w, int h)
    {
        var dst = ImageOps.Resize(Solid(20, 15, 200, 100, 7), w, h, method);
        Assert.Equal((w, h), (dst.Width, dst.Height));
        for (int i = 0; i < dst.Pixels.Length; i += 4)
            Assert.Equal((200, 100, 7, 255), (dst.Pixels[i], dst.Pixels[i + 1], dst.Pixels[i + 2], dst.Pixels[i + 3]));
    }

    [Fact]
    public void LanczosAtTheSameSizeIsIdentityAndEnlargingInterpolates()
    {
        var src = Random(17, 11, 2);
        Assert.Equal(src.Pixels, ConvolutionResampler.Resize(src, 17, 11).Pixels);
        // A horizontal ramp enlarged stays monotonic in the middle and keeps its mean.
        var ramp = new RgbaImage(8, 1);
        for (int x = 0; x < 8; x++) (ramp.Pixels[x * 4], ramp.Pixels[x * 4 + 3]) = ((byte)(x * 30), 255);
        var big = ConvolutionResampler.Resize(ramp, 32, 1, ConvolutionFilter.Lanczos);
        for (int x = 6; x < 26; x++) Assert.True(big.Pixels[(x + 1) * 4] >= big.Pixels[x * 4], $"not monotonic at {x}");
        Assert.InRange(big.Pixels.Where((_, i) => i % 4 == 0).Average(b => b), 100, 110);
    }

    [Fact]
    public void AutoShrinksWithAreaAndEnlargesWithLanczos()
    {
        var src = Random(40, 30, 3);
        Assert.Equal(AreaResampler.Resize(src, 20, 10).Pixels, ImageOps.Resize(src, 20, 10).Pixels);
        Assert.Equal(ConvolutionResampler.Resize(src, 50, 20).Pixels, ImageOps.Resize(src, 50, 20).Pixels);
    }

    [Fact]
    public void CropsAndFlip()
    {
        var src = Random(10, 8, 4);
        var crop = ImageOps.Crop(src, 3, 2, 4, 5);
        Assert.Equal(src.Pixels[((2 + 1) * 10 + 3 + 2) * 4 + 1], crop.Pixels[(1 * 4 + 2) * 4 + 1]);
        var center = ImageOps.CenterCrop(src, 5, 4);
        Assert.Equal(ImageOps.Crop(src, 2, 2, 5, 4).Pixels, center.Pixels);
        var random = ImageOps.RandomCrop(src, 6, 6, new Random(5));
        Assert.Equal((6, 6), (random.Width, random.Height));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageOps.Crop(src, 8, 0, 4, 4));
        var flipped = ImageOps.FlipHorizontal(src);
        Assert.Equal(src.Pixels.AsSpan(0, 4).ToArray(), flipped.Pixels.AsSpan(9 * 4, 4).ToArray());
        Assert.Equal(src.Pixels, ImageOps.FlipHorizontal(flipped).Pixels);
    }

    [Fact]
    public void CompositeUsesPillowRounding()
    {
        var src = new RgbaImage(2, 1, new byte[] { 0, 100, 255, 128, 10, 20, 30, 0 });
        var dst = ImageOps.CompositeOnto(src, RgbColor.White);
        // round((255·127 + v·128) / 255)
        Assert.Equal(new byte[] { 127, 177, 255, 255, 255, 255, 255, 255 }, dst.Pixels);
        for (int v = 0; v < 256; v++)
            for (int a = 0; a < 256; a += 5)
                Assert.Equal((int)Math.Round((255.0 * (255 - a) + v * a) / 255.0, MidpointRounding.AwayFromZero), ImageOps.Blend(255, v, a));
    }

    [Fact]
    public void PadToSquareCentresWithTheExtraPixelRightAndBottom()
    {
        var src = Solid(3, 6, 0, 0, 0);
        var sq = ImageOps.PadToSquare(src, RgbColor.White);
        Assert.Equal(6, sq.Width);
        int Px(int x, int y) => sq.Pixels[(y * 6 + x) * 4];
        Assert.Equal(255, Px(0, 0));
        Assert.Equal(0, Px(1, 0));
        Assert.Equal(0, Px(3, 5));
        Assert.Equal(255, Px(4, 0));
        Assert.Equal(255, Px(5, 0));
    }

    [Fact]
    public void HueShiftRotatesColoursAndKeepsGrey()
    {
        var red = Solid(1, 1, 255, 0, 0, 77);
        Assert.Equal(new byte[] { 0, 255, 0, 77 }, ImageOps.HueShift(red, 120).Pixels);
        Assert.Equal(new byte[] { 0, 0, 255, 77 }, ImageOps.HueShift(red, -120).Pixels);
        var grey = Solid(1, 1, 90, 90, 90);
        Assert.Equal(grey.Pixels, ImageOps.HueShift(grey, 45).Pixels);
        var src = Random(16, 16, 6);
        var back = ImageOps.HueShift(ImageOps.HueShift(src, 33), -33);
        for (int i = 0; i < src.Pixels.Length; i++) Assert.InRange(back.Pixels[i] - src.Pixels[i], -2, 2);
        Assert.Equal(src.Pixels, ImageOps.HueShift(src, 360).Pixels);
    }
}
