namespace LoraPS.Models.Text;

/// <summary>A run of prompt text with one attention weight, or a BREAK (start a new 75-token chunk).</summary>
public readonly record struct PromptSegment(string Text, double Weight, bool IsBreak = false)
{
    public static PromptSegment Break { get; } = new("BREAK", 1.0, true);

    public override string ToString() => IsBreak ? "BREAK" : $"{Text}:{Weight:0.####}";
}
