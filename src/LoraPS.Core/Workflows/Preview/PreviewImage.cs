namespace LoraPS.Workflows.Preview;

/// <summary>One picture New-LoraPreview wrote: a cell of the comparison, or the grid of them all.</summary>
public sealed record PreviewImage
{
    public required string Path { get; init; }
    public string Name => System.IO.Path.GetFileName(Path);

    /// <summary>False for a single picture, true for the labelled grid.</summary>
    public bool IsGrid { get; init; }

    /// <summary>The LoRA under preview (its file name without extension), or empty for the base model alone.</summary>
    public string Lora { get; init; } = "";
    public double Strength { get; init; }
    public string Prompt { get; init; } = "";
    public string NegativePrompt { get; init; } = "";
    public long Seed { get; init; }
    public int Width { get; init; }
    public int Height { get; init; }
    public int Steps { get; init; }
    public string Sampler { get; init; } = "";
    public double CfgScale { get; init; }
    public int Row { get; init; }
    public int Column { get; init; }
}

/// <summary>Where a preview run is: pictures finished of all, and the sampling step of the current one.</summary>
public sealed record PreviewProgress(int ImagesDone, int ImageCount, int Step, int Steps, string Current);
