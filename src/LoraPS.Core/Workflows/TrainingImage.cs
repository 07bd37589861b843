using LoraPS.Formats.Images;

namespace LoraPS.Workflows;

/// <summary>
/// One training picture as it flows down the pipeline: Rename-TrainingImages makes it, the tagger
/// fills <see cref="Tags"/>, <see cref="Rating"/> and <see cref="Caption"/>, New-LoraDataset takes it.
/// Cmdlets bind <see cref="Path"/> by property name, so FileInfo objects work too.
/// </summary>
public sealed record TrainingImage
{
    public required string Path { get; init; }
    public string Name => System.IO.Path.GetFileName(Path);
    public int Width { get; init; }
    public int Height { get; init; }
    public ImageFormat Format { get; init; }

    /// <summary>The caption file beside the picture (same stem), whether or not it exists yet.</summary>
    public string? CaptionPath { get; init; }

    /// <summary>The caption text, when known.</summary>
    public string? Caption { get; init; }

    /// <summary>Tags from a tagger, most confident first.</summary>
    public IReadOnlyList<TagScore> Tags { get; init; } = Array.Empty<TagScore>();

    /// <summary>The tagger's rating tag (general, sensitive, questionable, explicit), when asked for.</summary>
    public string? Rating { get; init; }
}

/// <summary>The kind of a tagger tag, as in the WD14 selected_tags.csv categories.</summary>
public enum TagCategory
{
    General = 0,
    Character = 4,
    Rating = 9,
}

/// <summary>One tag with the tagger's confidence.</summary>
public sealed record TagScore(string Name, float Confidence, TagCategory Category);
