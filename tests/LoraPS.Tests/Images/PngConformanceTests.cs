using LoraPS.Formats.Images;
using LoraPS.Formats.Images.Png;
using LoraPS.Tests.Support;

namespace LoraPS.Tests.Images;

/// <summary>
/// Decoded PNG pixels equal libpng's (through Netpbm's pngtopam) exactly, at 16 bits and at 8, over
/// files made two ways at test time: by <see cref="PngBuilder"/> (every colour type, bit depth,
/// filter, interlacing and tRNS kind) and by ImageMagick's own PNG writer.
/// </summary>
public sealed class PngConformanceTests
{
    private static readonly (int W, int H)[] Sizes = [(1, 1), (17, 3), (4095, 1), (33, 35), (3, 17)];

    private static readonly (PngColorType Type, int Depth)[] Kinds =
    [
        (PngColorType.Grayscale, 1), (PngColorType.Grayscale, 2), (PngColorType.Grayscale, 4), (PngColorType.Grayscale, 8), (PngColorType.Grayscale, 16),
        (PngColorType.Rgb, 8), (PngColorType.Rgb, 16),
        (PngColorType.Palette, 1), (PngColorType.Palette, 2), (PngColorType.Palette, 4), (PngColorType.Palette, 8),
        (PngColorType.GrayscaleAlpha, 8), (PngColorType.GrayscaleAlpha, 16),
        (PngColorType.Rgba, 8), (PngColorType.Rgba, 16),
    ];

    public static TheoryData<PngColorType, int, bool, bool> Cases()
    {
        var data = new TheoryData<PngColorType, int, bool, bool>();
        foreach (var (type, depth) in Kinds)
            foreach (bool interlaced in new[] { false, true })
            {
                data.Add(type, depth, interlaced, false);
                if (type is PngColorType.Grayscale or PngColorType.Rgb or PngColorType.Palette)
                    data.Add(type, depth, interlaced, true);
            }
        return data;
    }

    [ReferenceToolTheory("pngtopam")]
    [MemberData(nameof(Cases))]
    public void Built_files_decode_exactly_as_libpng_does(PngColorType type, int depth, bool interlaced, bool transparency)
    {
        using var temp = new TempFolder("png-conf");
        int seed = 0;
        foreach (var (w, h) in Sizes)
        {
            // Palettes smaller than the index range are exercised at 8 bits.
            int paletteSize = type == PngColorType.Palette && depth == 8 && w > 10 ? 100 : 0;
            byte[] file = PngBuilder.Build(w, h, depth, type, interlaced, seed++ * 7919 + depth, transparency, paletteSize);
            // Netpbm's pngtopam ignores an RGB colour key, so those files are checked against
            // ImageMagick's reading (also libpng) instead.
            bool rgbKey = transparency && type == PngColorType.Rgb;
            if (rgbKey && ReferenceImageTools.FirstMissing(["convert"]) != null) continue;
            CheckAgainstLibpng(temp.File($"{type}-{depth}-{interlaced}-{w}x{h}.png"), file, viaMagick: rgbKey);
        }
    }

    public static TheoryData<string, string[]> MagickCases() => new()
    {
        { "grey-1", ["-colorspace", "gray", "-depth", "1", "-define", "png:bit-depth=1", "-define", "png:color-type=0"] },
        { "grey-2", ["-colorspace", "gray", "-depth", "2", "-define", "png:bit-depth=2", "-define", "png:color-type=0"] },
        { "grey-4", ["-colorspace", "gray", "-depth", "4", "-define", "png:bit-depth=4", "-define", "png:color-type=0"] },
        { "grey-8", ["-colorspace", "gray", "-define", "png:bit-depth=8", "-define", "png:color-type=0"] },
        { "grey-16", ["-colorspace", "gray", "-depth", "16", "-define", "png:bit-depth=16", "-define", "png:color-type=0"] },
        { "grey-alpha-8", ["-colorspace", "gray", "-define", "png:color-type=4"] },
        { "rgb-8", ["-alpha", "off", "-define", "png:format=png24"] },
        { "rgb-16", ["-alpha", "off", "-depth", "16", "-define", "png:format=png48"] },
        { "rgba-8", ["-define", "png:format=png32"] },
        { "rgba-16", ["-depth", "16", "-define", "png:format=png64"] },
        { "palette-tRNS", ["-colors", "60", "-define", "png:format=png8"] },
        { "palette-2", ["-alpha", "off", "-colors", "2", "-define", "png:bit-depth=1", "-define", "png:color-type=3"] },
        { "palette-16", ["-alpha", "off", "-colors", "16", "-define", "png:bit-depth=4", "-define", "png:color-type=3"] },
        { "rgba-8-interlaced", ["-interlace", "PNG", "-define", "png:format=png32"] },
        { "rgb-16-interlaced", ["-interlace", "PNG", "-alpha", "off", "-depth", "16", "-define", "png:format=png48"] },
        { "palette-interlaced", ["-interlace", "PNG", "-colors", "30", "-define", "png:format=png8"] },
        { "rgb-8-level-9", ["-alpha", "off", "-quality", "95", "-define", "png:format=png24"] },
    };

    [ReferenceToolTheory("convert", "pngtopam")]
    [MemberData(nameof(MagickCases))]
    public void ImageMagick_files_decode_exactly_as_libpng_does(string name, string[] options)
    {
        using var temp = new TempFolder("png-im");
        foreach (var (w, h) in Sizes)
        {
            string source = temp.File($"{w}x{h}.rgba");
            File.WriteAllBytes(source, SmoothRgba(w, h, seed: w * 31 + h));
            string target = temp.File($"{name} {w}x{h}.png"); // a space in the name, on purpose
            ReferenceImageTools.Run("convert", ["-size", $"{w}x{h}", "-depth", "8", "rgba:" + source, .. options, "PNG:" + target]);
            CheckAgainstLibpng(target, File.ReadAllBytes(target));
        }
    }

    private static void CheckAgainstLibpng(string path, byte[] file, bool viaMagick = false)
    {
        File.WriteAllBytes(path, file);
        var pam = Pam.Parse(ReferenceImageTools.Run("pngtopam", "-alphapam", path));
        var expected16 = viaMagick ? MagickRgba16(path) : pam.ToRgba16();

        var wide = PngDecoder.Decode16(file, path: path);
        Assert.Equal((pam.Width, pam.Height), (wide.Width, wide.Height));
        int bad = FirstDifference(expected16, wide.Pixels);
        Assert.True(bad < 0, $"{Path.GetFileName(path)}: 16-bit sample {bad} (pixel {bad / 4}) is {(bad < 0 ? 0 : wide.Pixels[bad])}, libpng says {(bad < 0 ? 0 : expected16[bad])}");

        var narrow = ImageCodecs.Decode(file, null, path);
        var expected8 = expected16.Select(v => Rgba64Image.To8(v)).ToArray();
        bad = FirstDifference(expected8, narrow.Pixels);
        Assert.True(bad < 0, $"{Path.GetFileName(path)}: 8-bit sample {bad} (pixel {bad / 4}) is {(bad < 0 ? 0 : narrow.Pixels[bad])}, libpng says {(bad < 0 ? 0 : expected8[bad])}");
    }

    private static ushort[] MagickRgba16(string path)
    {
        byte[] raw = ReferenceImageTools.Run("convert", path, "-depth", "16", "-endian", "MSB", "rgba:-");
        var samples = new ushort[raw.Length / 2];
        for (int i = 0; i < samples.Length; i++) samples[i] = (ushort)(raw[2 * i] << 8 | raw[2 * i + 1]);
        return samples;
    }

    private static int FirstDifference<T>(T[] expected, T[] actual) where T : IEquatable<T>
    {
        if (expected.Length != actual.Length) return 0;
        for (int i = 0; i < expected.Length; i++) if (!expected[i].Equals(actual[i])) return i;
        return -1;
    }

    /// <summary>Gradients plus noise plus a varying alpha: compresses like a picture, quantises to palettes sensibly.</summary>
    internal static byte[] SmoothRgba(int w, int h, int seed)
    {
        var rng = new Random(seed);
        var px = new byte[w * h * 4];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int o = (y * w + x) * 4;
                px[o] = (byte)(x * 255 / Math.Max(1, w - 1));
                px[o + 1] = (byte)(y * 255 / Math.Max(1, h - 1));
                px[o + 2] = (byte)((x * 7 + y * 13 + rng.Next(16)) & 0xFF);
                px[o + 3] = (byte)(x % 5 == 0 ? 0 : 255 - (y * 3 + x) % 200);
            }
        return px;
    }
}
