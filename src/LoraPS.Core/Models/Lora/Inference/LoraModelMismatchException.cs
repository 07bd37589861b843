namespace LoraPS.Models.Lora.Inference;

/// <summary>A LoRA module whose factors do not fit the layer of the same name.</summary>
public sealed record LoraModuleMismatch(string Module, long[] LoraShape, string Layer, long[] LayerShape, string? Reason = null)
{
    public override string ToString() =>
        $"{Module}: the LoRA's weight is {AdaptedLayer.Format(LoraShape)}, the model's {Layer} has {AdaptedLayer.Format(LayerShape)}" + (Reason is null ? "" : $" ({Reason})");
}

/// <summary>
/// A LoRA that does not fit the model it was applied to (an SD2 LoRA on an SD1 model, or the
/// reverse): nothing was applied. The message names the file, the first modules and their shapes.
/// </summary>
public sealed class LoraModelMismatchException : InvalidOperationException
{
    public string LoraPath { get; }
    public IReadOnlyList<LoraModuleMismatch> Mismatches { get; }

    public LoraModelMismatchException(string loraPath, IReadOnlyList<LoraModuleMismatch> mismatches)
        : base(Describe(loraPath, mismatches))
    {
        LoraPath = loraPath;
        Mismatches = mismatches;
    }

    private static string Describe(string path, IReadOnlyList<LoraModuleMismatch> mismatches)
    {
        const int shown = 3;
        string list = string.Join("; ", mismatches.Take(shown));
        string more = mismatches.Count > shown ? $"; and {mismatches.Count - shown} more" : "";
        return $"{path} does not fit this model: {mismatches.Count} module(s) have other shapes than the model's layers: {list}{more}. "
            + "Was the LoRA trained for another base model (SD1 vs SD2 vs SDXL)?";
    }
}
