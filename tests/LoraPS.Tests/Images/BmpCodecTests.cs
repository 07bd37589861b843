using System.Buffers.Binary;
using LoraPS.Formats.Images;
using LoraPS.Tests.Support;

namespace LoraPS.Tests.Images;

/// <summary>BMP decoding: files from ImageMagick's writer checked against ImageMagick's reader, hand-made files
/// (top-down, RLE4/RLE8 with deltas and literal runs, core headers, bitfields) against known pixels, and defects.</summary>
public sealed class BmpCodecTests
{
    public static TheoryData<string, string[]> MagickCases() => new()
    {
        { "24-bit", ["-alpha", "off", "BMP3:"] },
        { "8-bit palette", ["-alpha", "off", "-colors", "200", "-type", "Palette", "BMP3:"] },
        { "4-bit palette", ["-alpha", "off", "-colors", "16", "-type", "Palette", "BMP3:"] },
        { "1-bit", ["-alpha", "off", "-monochrome", "BMP3:"] },
        { "RLE8", ["-alpha", "off", "-colors", "100", "-type", "Palette", "-compress", "RLE", "BMP3:"] },
        { "32-bit alpha bitfields", ["-type", "TrueColorAlpha", "BMP:"] },
        { "16-bit 565", ["-alpha", "off", "-define", "bmp:subtype=RGB565", "BMP:"] },
        { "V4 header 24-bit", ["-alpha", "off", "-type", "TrueColor", "BMP:"] },
    };

    [ReferenceToolTheory("convert")]
    [MemberData(nameof(MagickCases))]
    public void ImageMagick_files_decode_as_ImageMagick_reads_them(string name, string[] options)
    {
        using var temp = new TempFolder("bmp-im");
        foreach (var (w, h) in new[] { (1, 1), (17, 3), (4095, 1), (33, 35) })
        {
            string source = temp.File($"{w}x{h}.rgba");
            File.WriteAllBytes(source, PngConformanceTests.SmoothRgba(w, h, seed: w + h));
            string target = temp.File($"{name} {w}x{h}.bmp");
            var args = new List<string> { "-size", $"{w}x{h}", "-depth", "8", "rgba:" + source };
            args.AddRange(options[..^1]);
            args.Add(options[^1] + target);
            ReferenceImageTools.Run("convert", [.. args]);
            byte[] expected = ReferenceImageTools.Run("convert", target, "-depth", "8", "rgba:-");
            var image = ImageCodecs.Decode(target);
            Assert.Equal((w, h), (image.Width, image.Height));
            Assert.Equal(expected.Length, image.Pixels.Length);
            int bad = -1;
            for (int i = 0; i < expected.Length && bad < 0; i++) if (expected[i] != image.Pixels[i]) bad = i;
            Assert.True(bad < 0, $"{name} {w}x{h}: sample {bad} is {(bad < 0 ? 0 : image.Pixels[bad])}, ImageMagick says {(bad < 0 ? 0 : expected[bad])}");
        }
    }

    [Fact]
    public void Top_down_and_bottom_up_24_bit_give_the_same_picture()
    {
        // 3×2: row 0 (top) red, green, blue; row 1 white, black, grey. Rows padded to 12 bytes.
        byte[] top = [0, 0, 255, 0, 255, 0, 255, 0, 0, 0, 0, 0];
        byte[] bottom = [255, 255, 255, 0, 0, 0, 128, 128, 128, 0, 0, 0];
        var up = ImageCodecs.Decode(BmpBuilder.Build(3, 2, 24, 0, [.. bottom, .. top]), null, "up.bmp");
        var down = ImageCodecs.Decode(BmpBuilder.Build(3, -2, 24, 0, [.. top, .. bottom]), null, "down.bmp");
        byte[] expected = [255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 255, 0, 0, 0, 255, 128, 128, 128, 255];
        Assert.Equal(expected, up.Pixels);
        Assert.Equal(expected, down.Pixels);
    }

    [Fact]
    public void Rle4_and_rle8_runs_literals_deltas_and_end_markers()
    {
        var palette = BmpBuilder.Palette(16, 3);
        uint Color(int i) => (uint)(palette[i][0] | palette[i][1] << 8 | palette[i][2] << 16) | 0xFF000000u;
        // 6×3, bottom-up. Row 0 (bottom): run of 5 alternating 1,2 then literal [3]; row 1: delta (2,1) skips to row 2 x=2;
        // row 2: literal 4,5,6 then end of bitmap. Row 1 and the start of row 2 stay transparent.
        byte[] rle4 = [5, 0x12, 0, 3, 0x34, 0x50, 0, 0, 0, 2, 2, 1, 0, 3, 0x45, 0x60, 0, 1];
        var image4 = ImageCodecs.Decode(BmpBuilder.Build(6, 3, 4, 2, rle4, palette), null, "rle4.bmp");
        uint[] expected4 =
        [
            0, 0, Color(4), Color(5), Color(6), 0,            // top row = row 2
            0, 0, 0, 0, 0, 0,                                 // row 1: skipped
            Color(1), Color(2), Color(1), Color(2), Color(1), Color(3),
        ];
        Assert.Equal(expected4, Packed(image4));

        byte[] rle8 = [3, 7, 0, 3, 1, 2, 9, 0, 0, 0, 0, 2, 2, 1, 0, 3, 4, 5, 6, 0, 0, 1];
        var palette8 = BmpBuilder.Palette(10, 4);
        uint Color8(int i) => (uint)(palette8[i][0] | palette8[i][1] << 8 | palette8[i][2] << 16) | 0xFF000000u;
        var image8 = ImageCodecs.Decode(BmpBuilder.Build(6, 3, 8, 1, rle8, palette8), null, "rle8.bmp");
        uint[] expected8 =
        [
            0, 0, Color8(4), Color8(5), Color8(6), 0,
            0, 0, 0, 0, 0, 0,
            Color8(7), Color8(7), Color8(7), Color8(1), Color8(2), Color8(9),
        ];
        Assert.Equal(expected8, Packed(image8));
    }

    [Fact]
    public void Core_header_palette_and_bitfield_masks()
    {
        var palette = BmpBuilder.Palette(4, 8);
        // 2-bit? Core headers take 1/4/8 bits; use 8-bit, 3 pixels + 1 pad byte.
        var core = ImageCodecs.Decode(BmpBuilder.Build(3, 1, 8, 0, [2, 0, 3, 0], palette, core: true), null, "core.bmp");
        Assert.Equal(new[] { palette[2][0], palette[2][1], palette[2][2], (byte)255 }, core.Pixels[..4]);
        Assert.Equal(new[] { palette[3][0], palette[3][1], palette[3][2], (byte)255 }, core.Pixels[8..12]);

        // 32-bit BITFIELDS with the masks after a 40-byte header, alpha from an ALPHABITFIELDS file.
        byte[] px = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(px, 0x80_10_20_30); // A=0x80 in the top byte
        var masked = ImageCodecs.Decode(BmpBuilder.Build(1, 1, 32, 6, px, masks: [0x0000FF00, 0x00FF0000, 0x000000FF, 0xFF000000]), null, "m.bmp");
        Assert.Equal(new byte[] { 0x20, 0x10, 0x30, 0x80 }, masked.Pixels);
        // BI_RGB 32-bit: the fourth byte is padding, the pixel is opaque.
        var plain = ImageCodecs.Decode(BmpBuilder.Build(1, 1, 32, 0, px), null, "p.bmp");
        Assert.Equal(new byte[] { 0x10, 0x20, 0x30, 255 }, plain.Pixels);
        // 16-bit default 5-5-5: full red.
        var five = ImageCodecs.Decode(BmpBuilder.Build(1, 1, 16, 0, [0x00, 0x7C, 0, 0]), null, "555.bmp");
        Assert.Equal(new byte[] { 255, 0, 0, 255 }, five.Pixels);
    }

    [Fact]
    public void Probe_reads_size_and_alpha()
    {
        using var temp = new TempFolder("bmp-probe");
        string path = temp.File("ファイル 1.bmp");
        File.WriteAllBytes(path, BmpBuilder.Build(5, -7, 32, 3, new byte[5 * 7 * 4], masks: [0xFF0000, 0xFF00, 0xFF], headerSize: 40));
        var h = ImageCodecs.Probe(path);
        Assert.Equal((ImageFormat.Bmp, 5, 7, false), (h.Format, h.Width, h.Height, h.HasAlpha));
    }

    [Fact]
    public void Defects_are_named()
    {
        string Defect(byte[] f, ImageDecodeOptions? o = null) => Assert.Throws<ImageFormatException>(() => ImageCodecs.Decode(f, o, "x.bmp")).Message;
        byte[] good = BmpBuilder.Build(4, 4, 24, 0, new byte[48]);
        Assert.Contains("truncated", Defect(good[..^5]));
        for (int n = 18; n < good.Length; n += 3) Assert.Throws<ImageFormatException>(() => ImageCodecs.Decode(good.AsSpan(0, n), null, "cut.bmp"));
        Assert.Contains("impossible size", Defect(BmpBuilder.Build(0, 4, 24, 0, new byte[48])));
        Assert.Contains("exceeds the limit", Defect(BmpBuilder.Build(100_000, 100_000, 24, 0, new byte[48])));
        Assert.Contains("bit depth 7", Defect(BmpBuilder.Build(4, 4, 7, 0, new byte[48])));
        Assert.Contains("JPEG", Defect(BmpBuilder.Build(4, 4, 24, 4, new byte[48])));
        Assert.Contains("not valid", Defect(BmpBuilder.Build(4, -4, 8, 1, new byte[48], BmpBuilder.Palette(2, 1)))); // top-down RLE
        Assert.Contains("RLE8 data is truncated", Defect(BmpBuilder.Build(4, 4, 8, 1, [2, 1, 0, 0], BmpBuilder.Palette(2, 1))));
    }

    private static uint[] Packed(RgbaImage image)
    {
        var result = new uint[image.Width * image.Height];
        for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadUInt32LittleEndian(image.Pixels.AsSpan(i * 4));
        return result;
    }
}
