namespace LoraPS.Models.Lora.Inference;

/// <summary>One &lt;lora:name:te:unet&gt; tag of a prompt: the LoRA's name (its file name without extension) and its two strengths.</summary>
public sealed record LoraPromptReference(string Name, double TextEncoderStrength, double UNetStrength);

/// <summary>A &lt;lora:…&gt; or &lt;lyco:…&gt; tag that is meant as one but cannot be read; names the tag and where it is.</summary>
public sealed class LoraPromptSyntaxException : FormatException
{
    public string Tag { get; }

    /// <summary>Zero-based index of the tag in the prompt.</summary>
    public int Index { get; }

    public LoraPromptSyntaxException(string tag, int index, string defect)
        : base($"prompt tag '{tag}' at character {index + 1}: {defect}")
    {
        Tag = tag;
        Index = index;
    }
}
