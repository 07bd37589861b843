using System.Buffers.Binary;
using LoraPS.Formats.Images;
using LoraPS.Formats.Images.Png;
using LoraPS.Tests.Support;

namespace LoraPS.Tests.Images;

/// <summary>
/// Thousands of mutated files through <see cref="ImageCodecs.Decode(ReadOnlySpan{byte}, ImageDecodeOptions?, string?)"/>
/// and <see cref="ImageCodecs.Probe(Stream, string?)"/>: each either decodes or throws
/// <see cref="ImageFormatException"/> naming the file — never another exception, never a hang. Seeds
/// cover every format the registry reads (PNG and BMP made here; JPEG and WebP from ImageMagick where it
/// is installed), so every codec added to <see cref="ImageCodecs.All"/> gets fuzzed.
/// </summary>
public sealed class DecoderFuzzTests
{
    private const int MutationsPerSeed = 400;

    private static List<(string Name, byte[] Data)> Seeds()
    {
        var seeds = new List<(string, byte[])>
        {
            ("png rgba interlaced", PngBuilder.Build(19, 13, 8, PngColorType.Rgba, true, 1)),
            ("png palette tRNS 4-bit", PngBuilder.Build(23, 9, 4, PngColorType.Palette, false, 2, transparency: true)),
            ("png grey 16", PngBuilder.Build(7, 11, 16, PngColorType.Grayscale, true, 3, transparency: true)),
            ("png rgb 1x1", PngBuilder.Build(1, 1, 8, PngColorType.Rgb, false, 4)),
            ("png grey 1-bit", PngBuilder.Build(31, 5, 1, PngColorType.Grayscale, false, 5)),
            ("png encoder", PngEncoder.Encode(new RgbaImage(16, 16, Enumerable.Range(0, 1024).Select(i => (byte)(i * 37)).ToArray()))),
            ("bmp 24", BmpBuilder.Build(5, 4, 24, 0, Enumerable.Range(0, 64).Select(i => (byte)i).ToArray())),
            ("bmp rle8", BmpBuilder.Build(6, 3, 8, 1, [3, 7, 0, 3, 1, 2, 9, 0, 0, 0, 0, 2, 2, 1, 0, 3, 4, 5, 6, 0, 0, 1], BmpBuilder.Palette(10, 4))),
            ("bmp rle4", BmpBuilder.Build(6, 3, 4, 2, [5, 0x12, 0, 3, 0x34, 0x50, 0, 0, 0, 2, 2, 1, 0, 3, 0x45, 0x60, 0, 1], BmpBuilder.Palette(16, 3))),
            ("bmp 1-bit top-down", BmpBuilder.Build(9, -3, 1, 0, new byte[12] { 0xAA, 0x80, 0, 0, 0x55, 0, 0, 0, 0xFF, 0x80, 0, 0 }, BmpBuilder.Palette(2, 5))),
            ("bmp 32 alpha", BmpBuilder.Build(2, 2, 32, 3, Enumerable.Range(0, 16).Select(i => (byte)(i * 17)).ToArray(), masks: [0xFF0000, 0xFF00, 0xFF, 0xFF000000], headerSize: 56)),
        };
        if (ReferenceImageTools.FirstMissing(["convert"]) == null)
        {
            using var temp = new TempFolder("fuzz-seeds");
            string source = temp.File("s.rgba");
            File.WriteAllBytes(source, PngConformanceTests.SmoothRgba(24, 17, 9));
            foreach (var (name, target) in new[] { ("jpeg baseline", "JPEG:b.jpg"), ("jpeg progressive", "JPEG:p.jpg"), ("webp lossy", "WEBP:l.webp"), ("webp lossless", "WEBP:x.webp") })
            {
                string file = temp.File(target[(target.IndexOf(':') + 1)..]);
                var args = new List<string> { "-size", "24x17", "-depth", "8", "rgba:" + source };
                if (name.Contains("progressive")) args.AddRange(["-interlace", "JPEG"]);
                if (name.Contains("lossless")) args.AddRange(["-define", "webp:lossless=true"]);
                args.Add(target[..(target.IndexOf(':') + 1)] + file);
                try { ReferenceImageTools.Run("convert", [.. args]); seeds.Add((name, File.ReadAllBytes(file))); }
                catch (InvalidOperationException) { /* this ImageMagick lacks the delegate: no seed */ }
            }
        }
        return seeds;
    }

    [Fact]
    public async Task Mutated_files_decode_or_fail_with_a_named_defect()
    {
        var options = new ImageDecodeOptions { MaxPixels = 4_000_000 }; // bounds memory whatever a mutation declares
        var failures = new List<string>();
        int decoded = 0, refused = 0;
        foreach (var (name, seed) in Seeds())
        {
            Assert.True(TryDecode(seed, options, out var error) || ImageCodecs.Find(seed) == null, $"seed {name} does not decode: {error}");
            var rng = new Random(name.GetHashCode(StringComparison.Ordinal) ^ 0x5EED);
            for (int m = 0; m < MutationsPerSeed && failures.Count < 10; m++)
            {
                byte[] mutant = Mutate(seed, rng, out string how);
                var task = Task.Run(() =>
                {
                    bool ok = TryDecode(mutant, options, out var e);
                    if (!ok && e is not ImageFormatException) return $"{name} / {how}: {e!.GetType().Name}: {e.Message}";
                    try { using var s = new MemoryStream(mutant); ImageCodecs.Probe(s, "fuzz.bin"); }
                    catch (ImageFormatException) { }
                    catch (Exception pe) { return $"{name} / {how}: probe threw {pe.GetType().Name}: {pe.Message}"; }
                    if (ok) Interlocked.Increment(ref decoded); else Interlocked.Increment(ref refused);
                    if (!ok && !e!.Message.StartsWith("fuzz.bin: ", StringComparison.Ordinal)) return $"{name} / {how}: message does not name the file: {e.Message}";
                    return null;
                });
                if (await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(20))) != task) { failures.Add($"{name} / {how}: still running after 20 s"); break; }
                string? failure = await task;
                if (failure != null) failures.Add(failure);
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(decoded + refused >= 11 * MutationsPerSeed, $"only {decoded + refused} mutants ran");
        Assert.True(refused > 0 && decoded > 0, $"decoded {decoded}, refused {refused}: the mutations do not reach both outcomes");
    }

    private static bool TryDecode(byte[] data, ImageDecodeOptions options, out Exception? error)
    {
        try { ImageCodecs.Decode(data, options, "fuzz.bin"); error = null; return true; }
        catch (Exception e) { error = e; return false; }
    }

    /// <summary>One random mutation; PNG chunks then get their CRC fixed half the time so the mutation reaches the decoder's deeper checks.</summary>
    private static byte[] Mutate(byte[] seed, Random rng, out string how)
    {
        byte[] data = (byte[])seed.Clone();
        switch (rng.Next(6))
        {
            case 0:
                int n = rng.Next(1, 9);
                for (int i = 0; i < n; i++) data[rng.Next(data.Length)] ^= (byte)(1 << rng.Next(8));
                how = $"{n} bit flips";
                break;
            case 1:
                int cut = rng.Next(data.Length);
                data = data[..cut];
                how = $"truncated to {cut}";
                break;
            case 2:
                int at = rng.Next(Math.Max(1, data.Length - 4));
                uint v = rng.Next(4) switch { 0 => 0xFFFFFFFF, 1 => 0x7FFFFFFF, 2 => 0, _ => (uint)rng.Next() };
                for (int i = 0; i < 4 && at + i < data.Length; i++) data[at + i] = (byte)(v >> (24 - 8 * i));
                how = $"0x{v:X8} written at {at}";
                break;
            case 3:
                int from = rng.Next(data.Length), len = rng.Next(1, Math.Min(64, data.Length - from) + 1), to = rng.Next(data.Length);
                data = [.. data[..to], .. data.AsSpan(from, len).ToArray(), .. data[to..]];
                how = $"{len} bytes from {from} inserted at {to}";
                break;
            case 4:
                int start = rng.Next(data.Length), count = rng.Next(1, Math.Min(32, data.Length - start) + 1);
                for (int i = start; i < start + count; i++) data[i] = (byte)rng.Next(256);
                how = $"{count} random bytes at {start}";
                break;
            default:
                int pos = rng.Next(data.Length), del = rng.Next(1, Math.Min(16, data.Length - pos) + 1);
                data = [.. data[..pos], .. data[(pos + del)..]];
                how = $"{del} bytes deleted at {pos}";
                break;
        }
        if (PngChunkCrcFix(data, rng)) how += ", CRCs fixed";
        return data;
    }

    private static bool PngChunkCrcFix(byte[] data, Random rng)
    {
        if (data.Length < 8 || data[0] != 0x89 || data[1] != (byte)'P' || rng.Next(2) == 0) return false;
        for (int i = 8; i + 12 <= data.Length;)
        {
            uint len = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(i));
            if (len > data.Length - i - 12) break;
            BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(i + 8 + (int)len), PngBuilder.Crc(data.AsSpan(i + 4, 4 + (int)len)));
            i += 12 + (int)len;
        }
        return true;
    }
}
