using LoraPS.Formats.Images;

namespace LoraPS.Workflows.Dataset;

/// <summary>Where the planner learns picture sizes. Tests inject sizes; the product probes headers.</summary>
public interface IImageSizeSource
{
    /// <summary>The stored width and height (sd-scripts ignores EXIF orientation when bucketing). Throws when the file is unreadable.</summary>
    Size2 SizeOf(string path);
}

/// <summary>Reads sizes from file headers through <see cref="ImageCodecs.Probe(string)"/> without decoding pixels.</summary>
public sealed class HeaderProbeSizeSource : IImageSizeSource
{
    public static HeaderProbeSizeSource Instance { get; } = new();

    public Size2 SizeOf(string path)
    {
        var header = ImageCodecs.Probe(path);
        return new Size2(header.Width, header.Height);
    }
}

/// <summary>Sizes from a function (tests, or sizes already known from the pipeline).</summary>
public sealed class DelegateSizeSource : IImageSizeSource
{
    private readonly Func<string, Size2> _sizeOf;
    public DelegateSizeSource(Func<string, Size2> sizeOf) => _sizeOf = sizeOf;
    public Size2 SizeOf(string path) => _sizeOf(path);
}
