using System.Globalization;
using LoraPS.Formats.SafeTensors;

namespace LoraPS.Models.Lora;

/// <summary>Output precision of a written LoRA or checkpoint (sd-scripts' float / fp16 / bf16).</summary>
public enum LoraPrecision
{
    Float,
    FP16,
    BF16,
}

public static class LoraPrecisions
{
    public static SafeTensorDType ToDType(this LoraPrecision p) => p switch
    {
        LoraPrecision.FP16 => SafeTensorDType.F16,
        LoraPrecision.BF16 => SafeTensorDType.BF16,
        _ => SafeTensorDType.F32,
    };

    /// <summary>Python's str() of a float, as sd-scripts writes numbers into metadata ("16.0", "0.9").</summary>
    public static string PythonFloat(double v)
    {
        if (double.IsNaN(v)) return "nan";
        if (double.IsInfinity(v)) return v > 0 ? "inf" : "-inf";
        string s = v.ToString("R", CultureInfo.InvariantCulture);
        if (s.Contains('E')) return v.ToString("0.0###############e+00", CultureInfo.InvariantCulture);
        return s.Contains('.') ? s : s + ".0";
    }
}
