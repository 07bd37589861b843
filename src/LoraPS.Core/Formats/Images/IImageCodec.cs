namespace LoraPS.Formats.Images;

/// <summary>
/// One picture format: recognises its signature, probes the header without decoding pixels, and
/// decodes to <see cref="RgbaImage"/>. Codecs are listed in <see cref="ImageCodecs"/>.
/// </summary>
public interface IImageCodec
{
    ImageFormat Format { get; }

    /// <summary>File extensions (lower case, with the dot) this format uses.</summary>
    IReadOnlyList<string> Extensions { get; }

    /// <summary>True when <paramref name="head"/> (the first 32 bytes or fewer) starts like this format.</summary>
    bool Matches(ReadOnlySpan<byte> head);

    /// <summary>Reads only as much of <paramref name="stream"/> as the header needs. <paramref name="path"/> is for messages.</summary>
    ImageHeader Probe(Stream stream, string? path);

    /// <summary>Decodes a whole file held in memory, applying the options (pixel limit, orientation).</summary>
    RgbaImage Decode(ReadOnlySpan<byte> data, ImageDecodeOptions options, string? path);
}
