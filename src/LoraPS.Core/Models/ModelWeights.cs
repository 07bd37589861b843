using LoraPS.Formats;
using LoraPS.Formats.SafeTensors;
using LoraPS.Torch;

namespace LoraPS.Models;

/// <summary>
/// What every model loader (text encoders, UNet, VAE, LoRA tools) shares: reading a stored float
/// weight into an engine tensor, and wording a load that found missing or mis-shaped keys.
/// </summary>
public static class ModelWeights
{
    /// <summary>The engine type of a stored float dtype, or null for integer and other types.</summary>
    public static ScalarType? ScalarTypeOf(SafeTensorDType dtype) => dtype switch
    {
        SafeTensorDType.F32 => ScalarType.Float32,
        SafeTensorDType.F16 => ScalarType.Float16,
        SafeTensorDType.BF16 => ScalarType.BFloat16,
        SafeTensorDType.F64 => ScalarType.Float64,
        _ => null,
    };

    /// <summary>
    /// The tensor <paramref name="key"/> of <paramref name="file"/> in its stored float type; anything
    /// else is refused naming the key (<paramref name="what"/>: "a UNet weight", …).
    /// </summary>
    public static Tensor ReadFloat(ITensorFile file, string key, string what)
    {
        var info = file.GetInfo(key);
        ScalarType type = ScalarTypeOf(info.DType)
            ?? throw new InvalidFileException(file.Path, $"{key} is stored as {info.DType}; {what} must be a float type");
        // A safetensors file is memory-mapped: hand libtorch the mapped bytes, without a managed copy.
        if (file is SafeTensorsFile mapped && info.ByteLength <= int.MaxValue)
            return torch.from_bytes(mapped[key].Bytes, type, info.Shape);
        return torch.from_bytes(file.ReadBytes(key), type, info.Shape);
    }

    /// <summary>"3 UNet weight(s) missing: a, b, c; …" — each list cut after 12 names. Empty when nothing is wrong.</summary>
    public static string DescribeProblems(string model, IReadOnlyList<string> missing, IReadOnlyList<string> wrongShape,
        IReadOnlyList<string>? unexpected = null)
    {
        var parts = new List<string>();
        if (missing.Count > 0) parts.Add($"{missing.Count} {model} weight(s) missing: {List(missing)}");
        if (wrongShape.Count > 0) parts.Add($"{wrongShape.Count} {model} weight(s) of the wrong shape: {List(wrongShape)}");
        if (unexpected is { Count: > 0 }) parts.Add($"{unexpected.Count} unexpected {model} key(s): {List(unexpected)}");
        return string.Join("; ", parts);
    }

    private static string List(IReadOnlyList<string> items) =>
        string.Join(", ", items.Take(12)) + (items.Count > 12 ? $" and {items.Count - 12} more" : "");
}
