using System.IO.Compression;
using System.Buffers.Binary;
using LoraPS.Formats.Images;
using LoraPS.Formats.Images.Png;
using LoraPS.Tests.Support;

namespace LoraPS.Tests.Images;

/// <summary>PNG encoder round trips, text chunks, header probing and hostile-input errors.</summary>
public sealed class PngCodecTests
{
    private static RgbaImage Random(int w, int h, int seed, bool opaque = false, bool grey = false)
    {
        var rng = new Random(seed);
        var image = new RgbaImage(w, h);
        rng.NextBytes(image.Pixels);
        for (int i = 0; i < image.Pixels.Length; i += 4)
        {
            if (opaque) image.Pixels[i + 3] = 255;
            if (grey) image.Pixels[i + 1] = image.Pixels[i + 2] = image.Pixels[i];
        }
        return image;
    }

    [Theory]
    [InlineData(false, false, PngColorType.Rgba)]
    [InlineData(true, false, PngColorType.Rgb)]
    [InlineData(false, true, PngColorType.GrayscaleAlpha)]
    [InlineData(true, true, PngColorType.Grayscale)]
    public void Encoder_round_trips_and_picks_the_smallest_exact_colour_type(bool opaque, bool grey, PngColorType expected)
    {
        var image = Random(37, 29, 5, opaque, grey);
        byte[] file = PngEncoder.Encode(image);
        Assert.Equal(expected, PngDecoder.ReadHeader(file).ColorType);
        Assert.Equal(image.Pixels, PngDecoder.Decode(file).Pixels);
    }

    [Fact]
    public void Compression_level_changes_the_size_not_the_pixels()
    {
        var image = new RgbaImage(256, 64);
        for (int i = 0; i < image.Pixels.Length; i++) image.Pixels[i] = (byte)(i / 4 % 256); // smooth: filters and zlib both pay
        byte[] stored = PngEncoder.Encode(image, new PngEncodeOptions { CompressionLevel = CompressionLevel.NoCompression });
        byte[] fast = PngEncoder.Encode(image, new PngEncodeOptions { CompressionLevel = CompressionLevel.Fastest });
        byte[] small = PngEncoder.Encode(image, new PngEncodeOptions { CompressionLevel = CompressionLevel.SmallestSize });
        Assert.True(stored.Length > 256 * 64 * 2, $"stored {stored.Length}"); // grey + alpha, uncompressed
        Assert.True(small.Length < stored.Length / 10, $"smallest {small.Length} vs stored {stored.Length}");
        Assert.True(small.Length <= fast.Length, $"smallest {small.Length} vs fastest {fast.Length}");
        foreach (var f in new[] { stored, fast, small }) Assert.Equal(image.Pixels, PngDecoder.Decode(f).Pixels);
    }

    [Fact]
    public void Text_chunks_round_trip_latin1_and_utf8()
    {
        var text = new Dictionary<string, string>
        {
            ["parameters"] = "masterpiece, 1girl\nSteps: 28, Sampler: Euler a, CFG scale: 7",
            ["Comment"] = "日本語のキャプション ✓",
        };
        byte[] file = PngEncoder.Encode(Random(3, 2, 1), new PngEncodeOptions { Text = text });
        var read = PngDecoder.ReadText(file);
        Assert.Equal(text["parameters"], read["parameters"]);
        Assert.Equal(text["Comment"], read["Comment"]);
        Assert.Contains("tEXt"u8.ToArray(), Chunks(file));
        Assert.Contains("iTXt"u8.ToArray(), Chunks(file));
        Assert.Throws<ArgumentException>(() => PngEncoder.Encode(Random(1, 1, 1), new PngEncodeOptions { Text = new Dictionary<string, string> { [" bad"] = "x" } }));
    }

    private static List<byte[]> Chunks(byte[] file)
    {
        var list = new List<byte[]>();
        for (int i = 8; i + 8 <= file.Length;)
        {
            int len = (int)BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(i));
            list.Add(file[(i + 4)..(i + 8)]);
            i += 12 + len;
        }
        return list;
    }

    [ReferenceToolFact("pngtopam")]
    public void Encoder_output_reads_the_same_in_libpng()
    {
        using var temp = new TempFolder("png-enc");
        foreach (var (image, name) in new[] { (Random(33, 7, 2), "rgba"), (Random(5, 40, 3, opaque: true), "rgb"), (Random(64, 3, 4, grey: true), "ga") })
        {
            string path = temp.File($"エンコード {name}.png");
            PngEncoder.Save(image, path, new PngEncodeOptions { Text = new Dictionary<string, string> { ["parameters"] = "ü" } });
            var pam = Pam.Parse(ReferenceImageTools.Run("pngtopam", "-alphapam", path));
            Assert.Equal(image.Pixels, pam.ToRgba16().Select(Rgba64Image.To8).ToArray());
        }
    }

    [Fact]
    public void Save_is_atomic_and_does_not_overwrite()
    {
        using var temp = new TempFolder("png-save");
        string path = temp.File("サンプル image.png");
        PngEncoder.Save(Random(4, 4, 1), path);
        Assert.Throws<IOException>(() => PngEncoder.Save(Random(4, 4, 2), path));
        PngEncoder.Save(Random(4, 4, 2), path, overwrite: true);
        Assert.Equal(Random(4, 4, 2).Pixels, ImageCodecs.Decode(path).Pixels);
        Assert.Single(Directory.GetFiles(temp.Path));
    }

    [Fact]
    public void Probe_reads_size_depth_and_transparency_without_decoding()
    {
        using var temp = new TempFolder("png-probe");
        string a = temp.File("a.png"), b = temp.File("b.png");
        File.WriteAllBytes(a, PngBuilder.Build(300, 7, 16, PngColorType.Rgb, false, 1));
        File.WriteAllBytes(b, PngBuilder.Build(9, 1000, 4, PngColorType.Palette, true, 1, transparency: true));
        var ha = ImageCodecs.Probe(a);
        Assert.Equal((ImageFormat.Png, 300, 7, 16, false), (ha.Format, ha.Width, ha.Height, ha.BitDepth, ha.HasAlpha));
        var hb = ImageCodecs.Probe(b);
        Assert.Equal((ImageFormat.Png, 9, 1000, 4, true), (hb.Format, hb.Width, hb.Height, hb.BitDepth, hb.HasAlpha));
    }

    private static byte[] Valid => PngEncoder.Encode(Random(20, 10, 9));

    private static string DefectOf(byte[] file, ImageDecodeOptions? options = null) =>
        Assert.Throws<ImageFormatException>(() => ImageCodecs.Decode(file, options, "bad.png")).Message;

    [Fact]
    public void Every_truncation_is_a_clear_error()
    {
        byte[] file = Valid;
        for (int n = 9; n < file.Length - 12; n++) // short of IEND: the image data is incomplete or a chunk is cut
        {
            var e = Assert.Throws<ImageFormatException>(() => ImageCodecs.Decode(file.AsSpan(0, n), null, "cut.png"));
            Assert.StartsWith("cut.png: ", e.Message);
        }
    }

    [Fact]
    public void Bad_crc_bad_length_and_bad_data_are_named()
    {
        byte[] file = Valid;
        int idat = IndexOf(file, "IDAT");
        var crc = (byte[])file.Clone();
        crc[idat + 6] ^= 0x55;
        Assert.Contains("bad CRC", DefectOf(crc));

        var length = (byte[])file.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(length.AsSpan(idat - 4), 0xFFFFFFF0);
        Assert.Contains("impossible length", DefectOf(length));
        BinaryPrimitives.WriteUInt32BigEndian(length.AsSpan(idat - 4), 1_000_000);
        Assert.Contains("truncated", DefectOf(length));

        Assert.Contains("signature", Assert.Throws<ImageFormatException>(() => PngDecoder.Decode([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0B, 0, 0, 0, 0])).Message);
    }

    [Fact]
    public void Impossible_and_huge_sizes_are_refused_before_allocation()
    {
        Assert.Contains("impossible size", DefectOf(WithSize(0, 5)));
        Assert.Contains("impossible size", DefectOf(WithSize(0x80000000, 5)));
        Assert.Contains("exceeds the limit", DefectOf(WithSize(int.MaxValue, int.MaxValue)));
        // A real decompression bomb: 20000×20000 of zeros is ~400 KB of zlib.
        byte[] bomb = Bomb(20000, 20000);
        Assert.Contains("exceeds the limit", DefectOf(bomb, new ImageDecodeOptions { MaxPixels = 100_000_000 }));
        long before = GC.GetTotalAllocatedBytes(precise: true);
        DefectOf(bomb, new ImageDecodeOptions { MaxPixels = 1_000_000 });
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 16 << 20, "refusing the bomb allocated too much");
    }

    [Fact]
    public void Unknown_filter_and_critical_chunk_and_missing_palette_are_named()
    {
        byte[] raw = new byte[1 + 3 * 2];
        raw[0] = 9; // filter type 9
        Assert.Contains("unknown filter type 9", DefectOf(Handmade(2, 1, 2, raw)));
        Assert.Contains("no PLTE", DefectOf(Handmade(2, 1, 3, new byte[2], depth: 8)));
        using var s = new MemoryStream();
        byte[] good = Valid;
        s.Write(good, 0, 33);
        PngBuilder.Chunk(s, "ABCD", [1, 2]);
        s.Write(good, 33, good.Length - 33);
        Assert.Contains("unknown critical chunk 'ABCD'", DefectOf(s.ToArray()));
        byte[] corrupt = Handmade(2, 1, 2, raw, garbleZlib: true);
        Assert.Contains("corrupt", DefectOf(corrupt));
    }

    private static byte[] Handmade(int w, int h, int colorType, byte[] raw, int depth = 8, bool garbleZlib = false)
    {
        using var s = new MemoryStream();
        s.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)w);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)h);
        ihdr[8] = (byte)depth;
        ihdr[9] = (byte)colorType;
        PngBuilder.Chunk(s, "IHDR", ihdr);
        using var z = new MemoryStream();
        using (var zl = new ZLibStream(z, CompressionLevel.Fastest, true)) zl.Write(raw);
        var data = z.ToArray();
        if (garbleZlib) data[2] = 0xFF; // an invalid deflate block type
        PngBuilder.Chunk(s, "IDAT", data);
        PngBuilder.Chunk(s, "IEND", []);
        return s.ToArray();
    }

    private static byte[] WithSize(uint w, uint h)
    {
        byte[] file = Valid;
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(16), w);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(20), h);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(29), PngBuilder.Crc(file.AsSpan(12, 17)));
        return file;
    }

    private static byte[] Bomb(int w, int h)
    {
        using var z = new MemoryStream();
        using (var zl = new ZLibStream(z, CompressionLevel.SmallestSize, true))
        {
            var row = new byte[w + 1];
            for (int y = 0; y < h; y++) zl.Write(row);
        }
        using var s = new MemoryStream();
        s.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)w);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)h);
        ihdr[8] = 8;
        PngBuilder.Chunk(s, "IHDR", ihdr);
        PngBuilder.Chunk(s, "IDAT", z.ToArray());
        PngBuilder.Chunk(s, "IEND", []);
        return s.ToArray();
    }

    private static int IndexOf(byte[] file, string type) =>
        file.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(type));
}
