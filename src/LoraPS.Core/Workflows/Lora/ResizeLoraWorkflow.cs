using LoraPS.Formats;
using LoraPS.Formats.SafeTensors;
using LoraPS.Models;
using LoraPS.Models.Lora;
using LoraPS.Torch;

namespace LoraPS.Workflows.Lora;

/// <summary>Options of Resize-Lora / `loraps resize` (sd-scripts resize_lora.py's flags).</summary>
public sealed record ResizeLoraOptions
{
    public required string Path { get; init; }

    /// <summary>Output file; default &lt;stem&gt;-&lt;suffix&gt;.safetensors beside the input.</summary>
    public string? OutputPath { get; init; }

    /// <summary>The new rank, and the cap of the dynamic methods (sd-scripts --new_rank, default 4).</summary>
    public int Rank { get; init; } = 4;

    /// <summary>Rank (cap) of 4-D modules (3×3 and 1×1 convs); default = <see cref="Rank"/>.</summary>
    public int? ConvRank { get; init; }
    public ResizeMethod Method { get; init; } = ResizeMethod.Fixed;

    /// <summary>The dynamic method's parameter (ratio for sv_ratio, fraction for sv_fro / sv_cumulative).</summary>
    public double Parameter { get; init; }

    /// <summary>Output precision; null keeps the input's precision.</summary>
    public LoraPrecision? Precision { get; init; }
    public bool Force { get; init; }

    /// <summary>Decompose each module's dense delta instead of its factors (the slow reference path).</summary>
    public bool DenseSvd { get; init; }

    /// <summary>Compute everything but write nothing (-WhatIf).</summary>
    public bool DryRun { get; init; }

    /// <summary>The default output name suffix, e.g. "r16" or "SvR16".</summary>
    public string DefaultSuffix() => Method switch
    {
        ResizeMethod.SvRatio => $"SvR{Fmt(Parameter)}",
        ResizeMethod.SvFro => $"SvFro{Fmt(Parameter)}",
        ResizeMethod.SvCumulative => $"SvCum{Fmt(Parameter)}",
        _ => $"r{Rank}" + (ConvRank is { } c && c != Rank ? $"c{c}" : ""),
    };

    private static string Fmt(double v) => v.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);

    public string ResolveOutputPath()
    {
        if (OutputPath != null) return System.IO.Path.GetFullPath(OutputPath);
        string full = System.IO.Path.GetFullPath(Path);
        return System.IO.Path.Combine(System.IO.Path.GetDirectoryName(full)!, $"{System.IO.Path.GetFileNameWithoutExtension(full)}-{DefaultSuffix()}.safetensors");
    }
}

/// <summary>One module's resize: new rank and alpha, and how much of the spectrum survived.</summary>
public sealed record ModuleResizeReport(string Module, int OldRank, int NewRank, double OldAlpha, double NewAlpha,
    double SumRetained, double FroRetained, double MaxRatio)
{
    /// <summary>True when this module was decomposed densely (asked for, a rank at least the layer's smaller side, or a tie).</summary>
    public bool DenseSvd { get; init; }

    /// <summary>True when a tie at the cut or threshold made the dense SVD decide, as in sd-scripts.</summary>
    public bool Tie { get; init; }

    /// <summary>sd-scripts' --verbose line.</summary>
    public string ToVerboseLine(bool dynamic) =>
        $"{Module,-75} | sum(S) retained: {SumRetained:P1}, fro retained: {FroRetained:P1}, max(S) ratio: {MaxRatio:0.0}"
        + (dynamic ? $", dynamic | dim: {NewRank}, alpha: {NewAlpha}" : "");
}

public sealed record ResizeLoraResult(string InputPath, string OutputPath, bool Written, LoraModel? Output,
    IReadOnlyList<ModuleResizeReport> Modules, long SizeBefore, long SizeAfter, double AverageFroRetained, double FroRetainedStd,
    IReadOnlyList<string> Warnings);

/// <summary>
/// Resize-Lora: lowers every up/down module to a fixed rank or to the rank a dynamic rule picks,
/// from the exact SVD of up @ down computed on its factors (see <see cref="LowRankSvd"/>). The new
/// alpha is old scale × new rank, so the kept delta is the truncated SVD of the old one. LoHa/LoKr
/// modules and non-LoRA keys are copied through, as sd-scripts does.
/// </summary>
public static class ResizeLoraWorkflow
{
    public static ResizeLoraResult Run(ResizeLoraOptions options, IProgress<LoraProgress>? progress = null, CancellationToken cancel = default)
    {
        if (options.Rank < 1) throw new ArgumentException("Rank must be at least 1");
        if (options.ConvRank is < 1) throw new ArgumentException("ConvRank must be at least 1");
        if (options.Method != ResizeMethod.Fixed && !(options.Parameter > 0))
            throw new ArgumentException($"{options.Method} needs a positive parameter");
        if (options.Method is ResizeMethod.SvFro or ResizeMethod.SvCumulative && options.Parameter > 1)
            throw new ArgumentException($"{options.Method} takes a fraction in (0, 1], not {options.Parameter}");
        string output = options.ResolveOutputPath();
        string input = System.IO.Path.GetFullPath(options.Path);
        if (string.Equals(output, input, StringComparison.OrdinalIgnoreCase)) throw new ArgumentException("the output would overwrite the input LoRA");
        if (!options.DryRun && !options.Force && File.Exists(output)) throw new IOException($"{output} already exists; use -Force (or --force) to overwrite it");

        using var file = LoraFile.Open(input);
        var inputModel = LoraInspector.Describe(file);
        var dtype = options.Precision?.ToDType() ?? PrecisionDType(inputModel.Precision);
        int convCap = options.ConvRank ?? options.Rank;
        bool dynamic = options.Method != ResizeMethod.Fixed;
        var entries = new List<SafeTensorEntry>();
        var reports = new List<ModuleResizeReport>();
        var warnings = new List<string>();
        var consumed = new HashSet<string>(StringComparer.Ordinal);
        double lastAlpha = 0;
        var loraModules = file.Modules.Where(m => m.Algorithm == LoraAlgorithm.LoRA).ToList();
        int done = 0;
        foreach (var module in loraModules)
        {
            cancel.ThrowIfCancellationRequested();
            progress?.Report(new LoraProgress("Resizing LoRA", done, loraModules.Count, module.Name));
            int cap = module.IsFourDimensional ? convCap : options.Rank;
            var (report, moduleEntries) = ResizeModule(file, module, options.Method, options.Parameter, cap, dtype, options.DenseSvd);
            reports.Add(report);
            entries.AddRange(moduleEntries);
            foreach (var k in module.TensorKeys.Values) consumed.Add(k);
            lastAlpha = report.NewAlpha;
            done++;
        }
        foreach (var m in file.Modules.Where(m => m.Algorithm != LoraAlgorithm.LoRA))
            warnings.Add($"{m.Name} is {m.Algorithm}: copied unchanged (only up/down LoRA modules are resized)");
        foreach (string key in file.Tensors.TensorNames.Where(k => !consumed.Contains(k)))
        {
            var info = file.Tensors.GetInfo(key);
            var target = info.DType.IsFloatingPoint() ? dtype : info.DType;
            entries.Add(CopyEntry(file.Tensors, key, target));
        }
        progress?.Report(new LoraProgress("Resizing LoRA", done, loraModules.Count, "writing"));

        var metadata = UpdatedMetadata(file.Tensors.Metadata, options, inputModel, reports, lastAlpha, convCap);
        var (modelHash, legacyHash) = SafeTensorsHashes.Compute(entries, metadata);
        metadata["sshs_model_hash"] = modelHash;
        metadata["sshs_legacy_hash"] = legacyHash;

        var fros = reports.Select(r => r.FroRetained).Where(v => !double.IsNaN(v)).ToList();
        double mean = fros.Count > 0 ? fros.Average() : double.NaN;
        double std = fros.Count > 0 ? Math.Sqrt(fros.Sum(v => (v - mean) * (v - mean)) / fros.Count) : double.NaN;

        if (options.DryRun)
            return new ResizeLoraResult(input, output, false, null, reports, file.Tensors.FileSize, 0, mean, std, warnings);
        SafeTensorsWriter.Write(output, entries, metadata, overwrite: options.Force);
        var written = ModelInfoWorkflow.InspectLora(output);
        written.SourceFileSize = file.Tensors.FileSize;
        return new ResizeLoraResult(input, output, true, written, reports, file.Tensors.FileSize, written.FileSize, mean, std, warnings);
    }

    internal static SafeTensorDType PrecisionDType(string precision) => precision switch
    {
        "fp16" => SafeTensorDType.F16,
        "bf16" => SafeTensorDType.BF16,
        _ => SafeTensorDType.F32,
    };

    /// <summary>The truncated SVD of one module as new factors and its report.</summary>
    public static (ModuleResizeReport Report, List<SafeTensorEntry> Entries) ResizeModule(LoraFile file, LoraModule module,
        ResizeMethod method, double param, int cap, SafeTensorDType dtype, bool dense)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var (up, down) = LoraTensors.Factors(file, module);
        long rows = up.size(0), cols = down.size(1);
        bool useDense = dense || !LowRankSvd.Pays(rows, cols, module.Rank);
        var (u, s, vh) = useDense ? LowRankSvd.Dense(up.matmul(down)) : LowRankSvd.FromFactors(up, down);

        // The spectrum sd-scripts sees has min(rows, cols) values; past our k they are exact zeros.
        long full = Math.Min(rows, cols);
        double[] spectrum = Spectrum(s, full);
        int cap0 = (int)Math.Min(RankRule.NewRank(spectrum, method, param, cap), full);
        bool tie = false;
        if (!useDense && RankRule.IsAmbiguous(spectrum, method, param, cap0))
        {
            // A tie at the threshold or inside the kept cluster: break it as the dense SVD does.
            tie = useDense = true;
            (u, s, vh) = LowRankSvd.Dense(up.matmul(down));
            spectrum = Spectrum(s, full);
        }
        var sv = s.data<float>();

        double scale = module.HasAlpha ? module.Alpha / module.Rank : 1.0;
        int newRank = (int)Math.Min(RankRule.NewRank(spectrum, method, param, cap), full); // never more ranks than the layer has
        double newAlpha = scale * newRank;
        var (sumKept, froKept, maxRatio) = RankRule.Stats(spectrum, newRank);

        long k = Math.Min(newRank, sv.Length);
        var newUp = u.narrow(1, 0, k).mul(s.narrow(0, 0, k).unsqueeze(0));
        var newDown = vh.narrow(0, 0, k);
        if (k < newRank)
        {
            // Ranks past the LoRA's own carry zero singular values: zero columns/rows keep up@down exact.
            newUp = torch.cat(new[] { newUp, torch.zeros(new[] { rows, newRank - k }) }, 1);
            newDown = torch.cat(new[] { newDown, torch.zeros(new[] { newRank - k, cols }) }, 0);
        }
        var upShape = module.IsFourDimensional ? new long[] { rows, newRank, 1, 1 } : new long[] { rows, newRank };
        var downShape = module.IsFourDimensional ? new long[] { newRank, module.InFeatures, module.KernelHeight, module.KernelWidth } : new long[] { newRank, cols };
        var entries = new List<SafeTensorEntry>
        {
            LoraTensors.Entry(module.Name + ".lora_up.weight", newUp, dtype, upShape),
            LoraTensors.Entry(module.Name + ".lora_down.weight", newDown, dtype, downShape),
            LoraTensors.Scalar(module.Name + ".alpha", newAlpha, dtype),
        };
        return (new ModuleResizeReport(module.Name, module.Rank, newRank, module.Alpha, newAlpha, sumKept, froKept, maxRatio) { DenseSvd = useDense, Tie = tie }, entries);
    }

    private static double[] Spectrum(Tensor s, long full)
    {
        var spectrum = new double[full];
        var sv = s.data<float>();
        for (int i = 0; i < sv.Length && i < full; i++) spectrum[i] = sv[i];
        return spectrum;
    }

    private static SafeTensorEntry CopyEntry(ITensorFile file, string key, SafeTensorDType dtype)
    {
        var info = file.GetInfo(key);
        if (file is SafeTensorsFile st) return SafeTensorEntry.CastOf(st[key], dtype);
        if (info.DType == dtype) return SafeTensorEntry.FromBytes(key, dtype, info.Shape, file.ReadBytes(key));
        return SafeTensorEntry.FromSingles(key, dtype, info.Shape, file.ReadSingles(key));
    }

    private static Dictionary<string, string> UpdatedMetadata(IReadOnlyDictionary<string, string> old, ResizeLoraOptions o, LoraModel input,
        List<ModuleResizeReport> reports, double lastAlpha, int convCap)
    {
        var md = new Dictionary<string, string>(old, StringComparer.Ordinal);
        string comment = old.TryGetValue("ss_training_comment", out var c) ? c : "";
        int oldRank = input.MaxRank;
        if (o.Method == ResizeMethod.Fixed)
        {
            md["ss_training_comment"] = $"dimension is resized from {oldRank} to {o.Rank}{(convCap != o.Rank ? $" (conv: {convCap})" : "")}; {comment}";
            md["ss_network_dim"] = o.Rank.ToString(System.Globalization.CultureInfo.InvariantCulture);
            md["ss_network_alpha"] = LoraPrecisions.PythonFloat(lastAlpha);
        }
        else
        {
            string method = o.Method switch { ResizeMethod.SvRatio => "sv_ratio", ResizeMethod.SvFro => "sv_fro", _ => "sv_cumulative" };
            md["ss_training_comment"] = $"Dynamic resize with {method}: {LoraPrecisions.PythonFloat(o.Parameter)} from {oldRank}; {comment}";
            md["ss_network_dim"] = "Dynamic";
            md["ss_network_alpha"] = "Dynamic";
        }
        return md;
    }
}
