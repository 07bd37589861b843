using System.Diagnostics;
using LoraPS.Formats.Images;
using LoraPS.Tests.Support;

namespace LoraPS.Tests.Images;

/// <summary>
/// Truncated, corrupt and oversized JPEG/WebP files: every failure is an ImageFormatException naming the
/// file, nothing else escapes, nothing hangs, and the pixel limit stops huge declared sizes before allocation.
/// </summary>
public sealed class HostileImageTests
{
    private static readonly ImageDecodeOptions SmallLimit = new() { MaxPixels = 1 << 20 };

    /// <summary>Seed files of every kind the decoders handle, made with the reference encoders.</summary>
    private static List<(string Name, byte[] Data)> Seeds(TempFolder temp)
    {
        string ppm = temp.File("s.ppm"), pam = temp.File("s.pam");
        ReferenceImageTools.WritePnm(ReferenceImageTools.TestPattern(45, 37, seed: 9), ppm);
        ReferenceImageTools.WritePnm(ReferenceImageTools.TestPattern(45, 37, seed: 9, alpha: true), pam, withAlpha: true);
        var seeds = new List<(string, byte[])>();
        void Jpeg(string name, params string[] args)
        {
            string f = temp.File(name + ".jpg");
            ReferenceImageTools.Run("cjpeg", [.. args, "-outfile", f, ppm]);
            seeds.Add((name, File.ReadAllBytes(f)));
        }
        void WebP(string name, string source, params string[] args)
        {
            string f = temp.File(name + ".webp");
            ReferenceImageTools.Run("cwebp", [.. args, "-quiet", source, "-o", f]);
            seeds.Add((name, File.ReadAllBytes(f)));
        }
        Jpeg("baseline", "-quality", "80");
        Jpeg("progressive", "-progressive", "-quality", "80");
        Jpeg("restart", "-restart", "1", "-sample", "2x1");
        WebP("lossy", ppm, "-q", "60");
        WebP("lossy-alpha", pam, "-q", "60");
        WebP("lossless", pam, "-lossless");
        return seeds;
    }

    private static void ExpectFormatErrorOrImage(byte[] data, string label)
    {
        try
        {
            var image = ImageCodecs.Decode(data, SmallLimit, "fuzz.bin");
            Assert.True(image.Width > 0 && image.Height > 0);
        }
        catch (ImageFormatException e)
        {
            Assert.Equal("fuzz.bin", e.FilePath);
            Assert.False(string.IsNullOrWhiteSpace(e.Defect));
        }
        catch (Exception e)
        {
            Assert.Fail($"{label}: {e.GetType().Name} escaped: {e}");
        }
        try
        {
            ImageCodecs.Probe(new MemoryStream(data), "fuzz.bin");
        }
        catch (ImageFormatException) { }
        catch (Exception e)
        {
            Assert.Fail($"{label} (probe): {e.GetType().Name} escaped: {e}");
        }
    }

    [ReferenceToolFact("cjpeg", "cwebp")]
    public void Truncated_files_are_reported_as_truncated()
    {
        using var temp = new TempFolder("hostile trunc");
        foreach (var (name, data) in Seeds(temp))
        {
            // Cut anywhere before the last few bytes: the pixel data is incomplete, so decoding must fail.
            for (int length = 0; length < data.Length - 4; length += Math.Max(1, data.Length / 97))
            {
                var cut = data.AsSpan(0, length).ToArray();
                var error = Record.Exception(() => ImageCodecs.Decode(cut, SmallLimit, "cut.bin"));
                Assert.True(error is ImageFormatException, $"{name} cut to {length} of {data.Length} bytes: {error?.GetType().Name ?? "decoded without error"}");
            }
        }
    }

    [ReferenceToolFact("cjpeg", "cwebp")]
    public void Thousands_of_mutated_files_fail_only_with_format_errors()
    {
        using var temp = new TempFolder("hostile fuzz");
        var seeds = Seeds(temp);
        var random = new Random(12345);
        var clock = Stopwatch.StartNew();
        int decoded = 0, iterations = 4000;
        for (int i = 0; i < iterations; i++)
        {
            var (name, seed) = seeds[i % seeds.Count];
            var data = (byte[])seed.Clone();
            switch (random.Next(4))
            {
                case 0: // flip a few bytes anywhere
                    for (int k = random.Next(1, 6); k > 0; k--) data[random.Next(data.Length)] = (byte)random.Next(256);
                    break;
                case 1: // flip bytes in the headers, where sizes and tables live
                    for (int k = random.Next(1, 4); k > 0; k--) data[random.Next(Math.Min(data.Length, 400))] = (byte)random.Next(256);
                    break;
                case 2: // cut and flip
                    data = data.AsSpan(0, random.Next(data.Length)).ToArray();
                    if (data.Length > 0) data[random.Next(data.Length)] ^= (byte)(1 << random.Next(8));
                    break;
                default: // splice a copy of one region over another
                {
                    int from = random.Next(data.Length), to = random.Next(data.Length), n = random.Next(1, 64);
                    n = Math.Min(n, Math.Min(data.Length - from, data.Length - to));
                    Array.Copy(seed, from, data, to, n);
                    break;
                }
            }
            ExpectFormatErrorOrImage(data, $"{name} mutation {i}");
            decoded++;
        }
        Assert.Equal(iterations, decoded);
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), $"fuzzing took {clock.Elapsed}");
    }

    [ReferenceToolFact("cjpeg")]
    public void Jpeg_with_huge_declared_size_is_refused_before_decoding()
    {
        using var temp = new TempFolder("hostile size");
        string ppm = temp.File("s.ppm"), jpg = temp.File("s.jpg");
        ReferenceImageTools.WritePnm(ReferenceImageTools.TestPattern(16, 16), ppm);
        ReferenceImageTools.Run("cjpeg", "-outfile", jpg, ppm);
        var data = File.ReadAllBytes(jpg);
        int sof = data.AsSpan().IndexOf(new byte[] { 0xFF, 0xC0 });
        data[sof + 5] = 0xFF; data[sof + 6] = 0xFF; // height 65535
        data[sof + 7] = 0xFF; data[sof + 8] = 0xFF; // width 65535
        var error = Assert.Throws<ImageFormatException>(() => ImageCodecs.Decode(data, ImageDecodeOptions.Default, "huge.jpg"));
        Assert.Contains("exceeds the limit", error.Message);
        Assert.Contains("huge.jpg", error.Message);
        Assert.Equal((65535, 65535), (ImageCodecs.Probe(new MemoryStream(data), "huge.jpg").Width, ImageCodecs.Probe(new MemoryStream(data), "huge.jpg").Height));
    }

    [Fact]
    public void WebP_with_huge_declared_size_is_refused_before_decoding()
    {
        // A VP8L header declaring 16384×16384 and nothing else.
        uint bits = 16383u | (16383u << 14);
        byte[] vp8l = [0x2F, (byte)bits, (byte)(bits >> 8), (byte)(bits >> 16), (byte)(bits >> 24), 0, 0, 0];
        byte[] file = [.. "RIFF"u8, .. BitConverter.GetBytes(4 + 8 + vp8l.Length), .. "WEBP"u8, .. "VP8L"u8, .. BitConverter.GetBytes(vp8l.Length), .. vp8l];
        var error = Assert.Throws<ImageFormatException>(() => ImageCodecs.Decode(file, ImageDecodeOptions.Default, "huge.webp"));
        Assert.Contains("exceeds the limit", error.Message);
        var header = ImageCodecs.Probe(new MemoryStream(file), "huge.webp");
        Assert.Equal((16384, 16384), (header.Width, header.Height));
    }

    [Fact]
    public void Unsupported_jpeg_kinds_name_what_is_missing()
    {
        // SOI, then a lossless (SOF3) frame header.
        byte[] lossless = [0xFF, 0xD8, 0xFF, 0xC3, 0x00, 0x0B, 0x08, 0x00, 0x10, 0x00, 0x10, 0x01, 0x01, 0x11, 0x00, 0xFF, 0xD9];
        Assert.Contains("lossless", Assert.Throws<ImageFormatException>(() => ImageCodecs.Decode(lossless, null, "l.jpg")).Message);
        byte[] twelveBit = [0xFF, 0xD8, 0xFF, 0xC1, 0x00, 0x0B, 0x0C, 0x00, 0x10, 0x00, 0x10, 0x01, 0x01, 0x11, 0x00, 0xFF, 0xD9];
        Assert.Contains("12-bit", Assert.Throws<ImageFormatException>(() => ImageCodecs.Decode(twelveBit, null, "t.jpg")).Message);
        Assert.Contains("empty", Assert.Throws<ImageFormatException>(() => ImageCodecs.Decode([], null, "e.jpg")).Message);
    }
}
