using LoraPS.Hub;
using LoraPS.Models.Tagging;
using LoraPS.Onnx;

namespace LoraPS.Workflows.Tagging;

/// <summary>What to do with an existing caption file.</summary>
public enum CaptionMode
{
    /// <summary>Replace it — only with <see cref="TaggerOptions.Force"/> (nothing a user owns is overwritten without it).</summary>
    Overwrite,
    /// <summary>Keep its tags and add the new ones after them (sd-scripts --append_tags).</summary>
    Append,
    /// <summary>Leave the image alone (it is not even decoded).</summary>
    Skip,
}

/// <summary>Options of Invoke-WD14Tagger / `loraps tag`.</summary>
public sealed record TaggerOptions
{
    /// <summary>A folder holding model.onnx and selected_tags.csv; wins over <see cref="Model"/>.</summary>
    public string? ModelPath { get; init; }
    /// <summary>A known model name or hub repo id; default sd-scripts' SmilingWolf/wd-v1-4-convnext-tagger-v2.</summary>
    public string Model { get; init; } = Wd14KnownModels.Default.RepoId;
    public string Revision { get; init; } = "main";
    /// <summary>Hub endpoint, cache folder, offline switch, token.</summary>
    public HubOptions Hub { get; init; } = new();

    public TagSelectionOptions Selection { get; init; } = new();
    /// <summary>The caption file is the image's stem plus this (sd-scripts --caption_extension; default .txt).</summary>
    public string CaptionExtension { get; init; } = ".txt";
    public CaptionMode Mode { get; init; } = CaptionMode.Overwrite;
    /// <summary>Lets <see cref="CaptionMode.Overwrite"/> replace existing caption files; without it they are reported and left alone.</summary>
    public bool Force { get; init; }
    public bool Recurse { get; init; }

    /// <summary>Images per ONNX Runtime call; a model with a fixed batch (v2) runs its own size.</summary>
    public int BatchSize { get; init; } = 1;
    public OnnxDevice Device { get; init; } = OnnxDevice.Auto;
    /// <summary>ONNX Runtime intra-op threads; 0 = its default.</summary>
    public int Threads { get; init; }
    /// <summary>Threads decoding and preprocessing ahead of inference; 0 = processor count.</summary>
    public int DecodeWorkers { get; init; }
    /// <summary>Rotate JPEG/WebP by their EXIF orientation first. Off by default: sd-scripts (PIL) does not.</summary>
    public bool ApplyExifOrientation { get; init; }

    /// <summary>Validated copy with derived defaults.</summary>
    internal TaggerOptions Checked()
    {
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), $"batch size {BatchSize} must be at least 1");
        if (DecodeWorkers < 0) throw new ArgumentOutOfRangeException(nameof(DecodeWorkers));
        if (string.IsNullOrWhiteSpace(CaptionExtension) || CaptionExtension.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
            throw new ArgumentException($"caption extension '{CaptionExtension}' is not valid");
        return this with { CaptionExtension = CaptionExtension.StartsWith('.') ? CaptionExtension : "." + CaptionExtension };
    }
}

/// <summary>Per-image progress: how many of how many are done, and which file.</summary>
public sealed record TaggerProgress(int Done, int Total, string? Current, string Stage);

/// <summary>What happened to one image.</summary>
public enum TaggerOutcome { Tagged, Skipped, Failed, NotWritten }

/// <summary>One image's result; <see cref="Image"/> has Tags, Rating, Caption filled when tagged.</summary>
public sealed record TaggedImage(TrainingImage Image, TaggerOutcome Outcome, Exception? Error = null);

/// <summary>How often a tag was written.</summary>
public sealed record TagFrequency(string Tag, int Count);

/// <summary>The summary object Invoke-WD14Tagger emits at the end (sd-scripts --frequency_tags, and counts).</summary>
public sealed record TagFrequencySummary
{
    public int Images { get; init; }
    public int Tagged { get; init; }
    public int Skipped { get; init; }
    public int Failed { get; init; }
    public string Model { get; init; } = "";
    public string Device { get; init; } = "";
    public TimeSpan Elapsed { get; init; }
    /// <summary>Time spent inside ONNX Runtime's Run; Elapsed minus this is LoraPS's own per-image overhead.</summary>
    public TimeSpan InferenceTime { get; init; }
    /// <summary>Time inference waited for decoded pictures after the first (decoding slower than the model when large).</summary>
    public TimeSpan InputWait { get; init; }
    /// <summary>Time until the first picture of each run was ready (nothing to overlap with yet).</summary>
    public TimeSpan PipelineFill { get; init; }
    public double ImagesPerSecond => Elapsed.TotalSeconds > 0 ? Tagged / Elapsed.TotalSeconds : 0;
    /// <summary>Tags by how many captions got them, most frequent first.</summary>
    public IReadOnlyList<TagFrequency> Frequencies { get; init; } = Array.Empty<TagFrequency>();
}
