using LoraPS.Formats;
using LoraPS.Formats.SafeTensors;
using LoraPS.Models;
using LoraPS.Models.Checkpoints;
using LoraPS.Models.Lora;
using LoraPS.Torch;

namespace LoraPS.Workflows.Lora;

/// <summary>How several LoRAs become one LoRA.</summary>
public enum LoraMergeMode
{
    /// <summary>Ranks concatenated: the merged delta is exactly Σ ratio·scale·ΔW (alpha = total rank, scale 1).</summary>
    Concat,
    /// <summary>Σ ratio·scale·ΔW per module, truncated by SVD to -Rank/-ConvRank, factors clamped at a quantile (svd_merge_lora.py).</summary>
    Svd,
}

/// <summary>Options of Merge-Lora / `loraps merge`.</summary>
public sealed record MergeLoraOptions
{
    public required IReadOnlyList<string> Loras { get; init; }

    /// <summary>One ratio per LoRA (may be negative); default 1 each.</summary>
    public IReadOnlyList<double>? Ratios { get; init; }

    /// <summary>One block weight vector per LoRA (null entries: none).</summary>
    public IReadOnlyList<BlockWeights?>? BlockWeights { get; init; }

    /// <summary>A checkpoint (.safetensors or .ckpt) to merge into; null merges the LoRAs into one LoRA.</summary>
    public string? BaseModel { get; init; }
    public required string OutputPath { get; init; }

    /// <summary>Output precision; null keeps each base tensor's own (checkpoint) or the first LoRA's (LoRA).</summary>
    public LoraPrecision? Precision { get; init; }
    public LoraMergeMode Mode { get; init; } = LoraMergeMode.Concat;
    public int Rank { get; init; } = 4;

    /// <summary>Rank of 3×3 conv modules in SVD mode; default = Rank.</summary>
    public int? ConvRank { get; init; }

    /// <summary>Clamp of the SVD factors to ± this quantile of their values (sd-scripts 0.99); 1 disables.</summary>
    public double ClampQuantile { get; init; } = 0.99;
    public bool Force { get; init; }
    public bool DryRun { get; init; }
}

public sealed record MergeLoraResult(string OutputPath, bool Written, Checkpoint? Checkpoint, LoraModel? Lora,
    int MergedModules, IReadOnlyList<string> UnmatchedModules, long PeakWorkingBytes, IReadOnlyList<string> Warnings);

/// <summary>
/// Merge-Lora: LoRAs into a checkpoint (W' = W + Σ ratio·scale·blockweight·ΔW, streamed tensor by
/// tensor so memory stays near one tensor), or LoRAs into one LoRA by rank concatenation or SVD.
/// </summary>
public static class MergeLoraWorkflow
{
    public static MergeLoraResult Run(MergeLoraOptions o, IProgress<LoraProgress>? progress = null, CancellationToken cancel = default)
    {
        if (o.Loras.Count == 0) throw new ArgumentException("no LoRA to merge");
        if (o.Ratios != null && o.Ratios.Count != o.Loras.Count) throw new ArgumentException($"{o.Loras.Count} LoRAs but {o.Ratios.Count} ratios");
        if (o.BlockWeights != null && o.BlockWeights.Count != o.Loras.Count && o.BlockWeights.Count != 1)
            throw new ArgumentException($"{o.Loras.Count} LoRAs but {o.BlockWeights.Count} block weight vectors");
        string output = Path.GetFullPath(o.OutputPath);
        foreach (var input in o.Loras.Append(o.BaseModel).Where(p => p != null))
            if (string.Equals(Path.GetFullPath(input!), output, StringComparison.OrdinalIgnoreCase)) throw new ArgumentException("the output would overwrite an input");
        if (!o.DryRun && !o.Force && File.Exists(output)) throw new IOException($"{output} already exists; use -Force (or --force) to overwrite it");

        var loras = new List<LoraFile>();
        try
        {
            foreach (var p in o.Loras) loras.Add(LoraFile.Open(p));
            var inputs = loras.Select((f, i) => new Input(f, o.Ratios?[i] ?? 1.0, o.BlockWeights == null ? null : o.BlockWeights[o.BlockWeights.Count == 1 ? 0 : i])).ToList();
            return o.BaseModel != null ? IntoCheckpoint(o, output, inputs, progress, cancel) : IntoLora(o, output, inputs, progress, cancel);
        }
        finally
        {
            foreach (var f in loras) f.Dispose();
        }
    }

    private sealed record Input(LoraFile File, double Ratio, BlockWeights? Weights)
    {
        public double Coefficient(LoraModule m) => Ratio * m.Scale * (Weights?.For(m.Name) ?? 1.0);
    }

    // ------------------------------------------------------------------ LoRA → checkpoint

    private static MergeLoraResult IntoCheckpoint(MergeLoraOptions o, string output, List<Input> inputs, IProgress<LoraProgress>? progress, CancellationToken cancel)
    {
        using var baseFile = TensorFiles.Open(o.BaseModel!);
        var family = CheckpointRecognizer.DetectFamily(baseFile);
        if (family == ModelFamily.Unknown) throw new InvalidFileException(baseFile.Path, "not a Stable Diffusion checkpoint: no model.diffusion_model.* keys");
        var byModule = new Dictionary<string, List<(Input In, LoraModule M)>>(StringComparer.Ordinal);
        foreach (var input in inputs)
            foreach (var m in input.File.Modules)
            {
                if (!byModule.TryGetValue(m.Name, out var list)) byModule[m.Name] = list = new();
                list.Add((input, m));
            }
        var used = new HashSet<string>(StringComparer.Ordinal);
        var plan = new List<(string Key, List<(CheckpointTarget T, List<(Input In, LoraModule M)> C)> Targets)>();
        foreach (string key in baseFile.TensorNames)
        {
            var info = baseFile.GetInfo(key);
            var targets = new List<(CheckpointTarget, List<(Input, LoraModule)>)>();
            foreach (var (module, target) in KohyaNames.ForCheckpointKey(key, family, info.Shape.Length > 0 ? info.Shape[0] : -1))
                if (byModule.TryGetValue(module, out var contributions)) { targets.Add((target, contributions)); used.Add(module); }
            plan.Add((key, targets));
        }
        var unmatched = byModule.Keys.Where(k => !used.Contains(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        var warnings = unmatched.Select(u => $"{u}: no matching weight in the {family} checkpoint; skipped").ToList();
        SafeTensorDType? outType = o.Precision?.ToDType();
        int total = plan.Count(p => p.Targets.Count > 0), done = 0;
        long peak = 0;

        var entries = plan.Select(p =>
        {
            var info = baseFile.GetInfo(p.Key);
            var dtype = info.DType.IsFloatingPoint() && outType is { } t ? t : info.DType;
            if (p.Targets.Count == 0)
            {
                var copy = CopyEntry(baseFile, p.Key, dtype);
                return new SafeTensorEntry(p.Key, dtype, info.Shape, stream => { copy.WriteTo(stream); Release(baseFile, p.Key); });
            }
            return new SafeTensorEntry(p.Key, dtype, info.Shape, stream =>
            {
                cancel.ThrowIfCancellationRequested();
                progress?.Report(new LoraProgress("Merging LoRA into checkpoint", done, total, p.Key));
                using var scope = torch.NewDisposeScope();
                using var noGrad = torch.no_grad();
                var weight = LoraTensors.Load(baseFile, p.Key);
                Release(baseFile, p.Key);
                foreach (var (target, contributions) in p.Targets)
                {
                    long rows = target.RowCount < 0 ? info.Shape[0] : target.RowCount;
                    var slice = target.RowCount < 0 ? weight : weight.narrow(0, target.RowStart, rows);
                    foreach (var (input, module) in contributions)
                    {
                        var delta = Delta(input.File, module);
                        if (delta.numel() != slice.numel())
                            throw new InvalidFileException(input.File.Path, $"module '{module.Name}' delta has {delta.numel()} values but {p.Key} holds {slice.numel()}{(target.RowCount >= 0 ? $" (rows {target.RowStart}..{target.RowStart + rows})" : "")}");
                        slice.add_(delta.reshape(slice.shape), input.Coefficient(module));
                    }
                }
                byte[] bytes = LoraTensors.Bytes(weight, dtype);
                peak = Math.Max(peak, weight.numel() * 4 + bytes.LongLength);
                stream.Write(bytes);
                done++;
            });
        }).ToList();

        var metadata = new Dictionary<string, string>(baseFile.Metadata, StringComparer.Ordinal)
        {
            ["modelspec.merged_from"] = string.Join(", ", inputs.Select(i => $"{Path.GetFileNameWithoutExtension(i.File.Path)}:{LoraPrecisions.PythonFloat(i.Ratio)}")),
        };
        if (o.DryRun) return new MergeLoraResult(output, false, null, null, used.Count, unmatched, 0, warnings);
        SafeTensorsWriter.Write(output, entries, metadata, overwrite: o.Force, sortLikeSafetensors: false);
        using var written = TensorFiles.Open(output);
        return new MergeLoraResult(output, true, CheckpointRecognizer.Describe(written), null, used.Count, unmatched, peak, warnings);
    }

    /// <summary>The base is read once, front to back: drop each tensor's mapped pages after use.</summary>
    private static void Release(ITensorFile file, string key)
    {
        if (file is SafeTensorsFile st) st.ReleasePages(key);
    }

    /// <summary>The module's unscaled dense delta as [out, in·k·k].</summary>
    private static Tensor Delta(LoraFile file, LoraModule m) => LoraTensors.DenseDelta(file, m);

    private static SafeTensorEntry CopyEntry(ITensorFile file, string key, SafeTensorDType dtype)
    {
        var info = file.GetInfo(key);
        if (file is SafeTensorsFile st) return SafeTensorEntry.CastOf(st[key], dtype);
        if (info.DType == dtype) return new SafeTensorEntry(key, dtype, info.Shape, s => s.Write(file.ReadBytes(key)));
        return new SafeTensorEntry(key, dtype, info.Shape, s => s.Write(HalfConversions.Encode(file.ReadSingles(key), dtype)));
    }

    // ------------------------------------------------------------------ LoRAs → LoRA

    private static MergeLoraResult IntoLora(MergeLoraOptions o, string output, List<Input> inputs, IProgress<LoraProgress>? progress, CancellationToken cancel)
    {
        var order = new List<string>();
        var byModule = new Dictionary<string, List<(Input In, LoraModule M)>>(StringComparer.Ordinal);
        foreach (var input in inputs)
            foreach (var m in input.File.Modules)
            {
                if (!byModule.TryGetValue(m.Name, out var list)) { byModule[m.Name] = list = new(); order.Add(m.Name); }
                list.Add((input, m));
            }
        var first = LoraInspector.Describe(inputs[0].File);
        var dtype = o.Precision?.ToDType() ?? ResizeLoraWorkflow.PrecisionDType(first.Precision);
        var entries = new List<SafeTensorEntry>();
        var warnings = new List<string>();
        int done = 0;
        foreach (string name in order)
        {
            cancel.ThrowIfCancellationRequested();
            progress?.Report(new LoraProgress("Merging LoRAs", done++, order.Count, name));
            var contributions = byModule[name];
            var shape0 = contributions[0].M;
            foreach (var (input, m) in contributions)
                if (m.OutFeatures != shape0.OutFeatures || m.InFeatures * m.KernelHeight * m.KernelWidth != shape0.InFeatures * shape0.KernelHeight * shape0.KernelWidth)
                    throw new InvalidFileException(input.File.Path, $"module '{name}' is [{m.OutFeatures}, {m.InFeatures}×{m.KernelHeight}×{m.KernelWidth}] but [{shape0.OutFeatures}, {shape0.InFeatures}×{shape0.KernelHeight}×{shape0.KernelWidth}] in {Path.GetFileName(contributions[0].In.File.Path)}");
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            if (o.Mode == LoraMergeMode.Concat)
                entries.AddRange(Concat(name, contributions, dtype));
            else
                entries.AddRange(SvdMerge(name, contributions, o, dtype));
        }
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ss_network_module"] = "networks.lora",
            ["ss_network_dim"] = o.Mode == LoraMergeMode.Svd ? o.Rank.ToString(System.Globalization.CultureInfo.InvariantCulture) : "Dynamic",
            ["ss_network_alpha"] = o.Mode == LoraMergeMode.Svd ? o.Rank.ToString(System.Globalization.CultureInfo.InvariantCulture) : "Dynamic",
            ["ss_training_comment"] = $"merged by LoraPS ({o.Mode}) from " + string.Join(", ", inputs.Select(i => $"{Path.GetFileName(i.File.Path)}×{LoraPrecisions.PythonFloat(i.Ratio)}{(i.Weights != null ? $" [{i.Weights}]" : "")}")),
            ["modelspec.merged_from"] = string.Join(", ", inputs.Select(i => Path.GetFileNameWithoutExtension(i.File.Path))),
        };
        if (o.Mode == LoraMergeMode.Svd)
        {
            int conv = o.ConvRank ?? o.Rank;
            metadata["ss_network_args"] = $"{{\"conv_dim\": \"{conv}\", \"conv_alpha\": \"{conv}\"}}";
        }
        foreach (var key in new[] { "ss_v2", "ss_base_model_version", "ss_sd_model_name", "ss_sd_model_hash", "ss_new_sd_model_hash" })
            if (inputs.Select(i => i.File.Tensors.Metadata.TryGetValue(key, out var v) ? v : null).FirstOrDefault(v => v != null) is { } value) metadata[key] = value;
        var (modelHash, legacyHash) = SafeTensorsHashes.Compute(entries, metadata);
        metadata["sshs_model_hash"] = modelHash;
        metadata["sshs_legacy_hash"] = legacyHash;
        if (o.DryRun) return new MergeLoraResult(output, false, null, null, order.Count, Array.Empty<string>(), 0, warnings);
        SafeTensorsWriter.Write(output, entries, metadata, overwrite: o.Force);
        return new MergeLoraResult(output, true, null, ModelInfoWorkflow.InspectLora(output), order.Count, Array.Empty<string>(), 0, warnings);
    }

    /// <summary>Exact: down_i·√|c_i| and up_i·sign(c_i)·√|c_i| side by side, alpha = Σr (scale 1).</summary>
    private static IEnumerable<SafeTensorEntry> Concat(string name, List<(Input In, LoraModule M)> contributions, SafeTensorDType dtype)
    {
        var ups = new List<Tensor>();
        var downs = new List<Tensor>();
        var m0 = contributions[0].M;
        foreach (var (input, m) in contributions)
        {
            if (m.Algorithm != LoraAlgorithm.LoRA)
                throw new NotSupportedException($"{input.File.Path}: module '{name}' is {m.Algorithm}; concatenation needs up/down LoRAs (use the SVD mode, -Rank)");
            var (up, down) = LoraTensors.Factors(input.File, m);
            double c = input.Coefficient(m);
            double root = Math.Sqrt(Math.Abs(c));
            ups.Add(up.mul(Math.Sign(c) * root));
            downs.Add(down.mul(root));
        }
        var upCat = torch.cat(ups, 1);
        var downCat = torch.cat(downs, 0);
        long r = downCat.size(0);
        return FactorEntries(name, m0, upCat, downCat, r, dtype);
    }

    private static IEnumerable<SafeTensorEntry> FactorEntries(string name, LoraModule shapeOf, Tensor up, Tensor down, long rank, SafeTensorDType dtype)
    {
        bool fourD = shapeOf.IsFourDimensional;
        var upShape = fourD ? new[] { shapeOf.OutFeatures, rank, 1, 1 } : new[] { shapeOf.OutFeatures, rank };
        var downShape = fourD ? new[] { rank, shapeOf.InFeatures, shapeOf.KernelHeight, shapeOf.KernelWidth } : new[] { rank, shapeOf.InFeatures };
        return new[]
        {
            LoraTensors.Entry(name + ".lora_up.weight", up, dtype, upShape),
            LoraTensors.Entry(name + ".lora_down.weight", down, dtype, downShape),
            LoraTensors.Scalar(name + ".alpha", rank, dtype),
        };
    }

    /// <summary>Σ c_i ΔW_i truncated to the module's rank; from the stacked factors when they are low-rank LoRAs.</summary>
    private static IEnumerable<SafeTensorEntry> SvdMerge(string name, List<(Input In, LoraModule M)> contributions, MergeLoraOptions o, SafeTensorDType dtype)
    {
        var m0 = contributions[0].M;
        long rows = m0.OutFeatures, cols = m0.InFeatures * m0.KernelHeight * m0.KernelWidth;
        int want = m0.LayerKind == LoraLayerKind.Conv ? o.ConvRank ?? o.Rank : o.Rank;
        long k = Math.Min(want, Math.Min(rows, cols));
        long totalRank = contributions.Sum(c => (long)c.M.Rank);
        Tensor u, s, vh;
        if (contributions.All(c => c.M.Algorithm == LoraAlgorithm.LoRA) && LowRankSvd.Pays(rows, cols, totalRank) && k <= totalRank)
        {
            var ups = new List<Tensor>();
            var downs = new List<Tensor>();
            foreach (var (input, m) in contributions)
            {
                var (up, down) = LoraTensors.Factors(input.File, m);
                ups.Add(up.mul(input.Coefficient(m)));
                downs.Add(down);
            }
            (u, s, vh) = LowRankSvd.FromFactors(torch.cat(ups, 1), torch.cat(downs, 0));
        }
        else
        {
            var sum = torch.zeros(new[] { rows, cols });
            foreach (var (input, m) in contributions) sum.add_(LoraTensors.DenseDelta(input.File, m), input.Coefficient(m));
            (u, s, vh) = LowRankSvd.Dense(sum);
        }
        var newUp = u.narrow(1, 0, k).mul(s.narrow(0, 0, k).unsqueeze(0));
        var newDown = vh.narrow(0, 0, k);
        (newUp, newDown) = Clamp(newUp, newDown, o.ClampQuantile);
        return FactorEntries(name, m0, newUp, newDown, k, dtype);
    }

    /// <summary>sd-scripts' clamp: hi = the quantile of the signed values of up and down together; both clamped to ±hi.</summary>
    internal static (Tensor Up, Tensor Down) Clamp(Tensor up, Tensor down, double quantile)
    {
        if (quantile >= 1) return (up, down);
        var all = torch.cat(new[] { up.flatten(), down.flatten() });
        double hi = QuantileOf(all, quantile);
        return (up.clamp(-hi, hi), down.clamp(-hi, hi));
    }

    /// <summary>torch.quantile (linear interpolation); computed in managed code above libtorch's 16M-element limit.</summary>
    internal static double QuantileOf(Tensor values, double q)
    {
        if (values.numel() <= 16_000_000) return values.quantile(q).item();
        var v = values.data<float>();
        Array.Sort(v);
        double pos = q * (v.Length - 1);
        int lo = (int)Math.Floor(pos);
        int hi = Math.Min(lo + 1, v.Length - 1);
        return v[lo] + (pos - lo) * (v[hi] - v[lo]);
    }
}
