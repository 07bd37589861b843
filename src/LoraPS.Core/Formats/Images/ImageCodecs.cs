namespace LoraPS.Formats.Images;

/// <summary>
/// The registry of picture formats and the front door for reading pictures: recognises a file by its
/// signature (not its extension), then probes or decodes it with the matching codec.
/// </summary>
public static class ImageCodecs
{
    /// <summary>Every supported codec. Add a codec here to make the whole product read its format.</summary>
    public static IReadOnlyList<IImageCodec> All { get; } = new List<IImageCodec>
    {
        new Png.PngCodec(),
        new Bmp.BmpCodec(),
        new Jpeg.JpegCodec(),
        new WebP.WebPCodec(),
    };

    /// <summary>The codec whose signature <paramref name="head"/> matches, or null.</summary>
    public static IImageCodec? Find(ReadOnlySpan<byte> head)
    {
        foreach (var codec in All)
            if (codec.Matches(head)) return codec;
        return null;
    }

    /// <summary>True when the extension is one of a supported format's (used to pick files out of folders).</summary>
    public static bool IsImageExtension(string path)
    {
        string ext = Path.GetExtension(path).ToLowerInvariant();
        return All.Any(c => c.Extensions.Contains(ext));
    }

    /// <summary>Reads the header of <paramref name="path"/> without decoding pixels.</summary>
    public static ImageHeader Probe(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
        return Probe(stream, path);
    }

    public static ImageHeader Probe(Stream stream, string? path)
    {
        Span<byte> head = stackalloc byte[32];
        long start = stream.Position;
        int n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        stream.Position = start;
        var codec = Find(head[..n]) ?? throw Unsupported(path, head[..n]);
        return codec.Probe(stream, path);
    }

    /// <summary>Decodes <paramref name="path"/> to RGBA.</summary>
    public static RgbaImage Decode(string path, ImageDecodeOptions? options = null) =>
        Decode(File.ReadAllBytes(path), options, path);

    public static RgbaImage Decode(ReadOnlySpan<byte> data, ImageDecodeOptions? options, string? path)
    {
        var codec = Find(data[..Math.Min(32, data.Length)]) ?? throw Unsupported(path, data[..Math.Min(32, data.Length)]);
        return codec.Decode(data, options ?? ImageDecodeOptions.Default, path);
    }

    private static ImageFormatException Unsupported(string? path, ReadOnlySpan<byte> head) =>
        new(path, head.Length == 0
            ? "the file is empty"
            : $"not a picture LoraPS reads (PNG, JPEG, WebP, BMP); it starts with {Convert.ToHexString(head[..Math.Min(8, head.Length)])}");
}
