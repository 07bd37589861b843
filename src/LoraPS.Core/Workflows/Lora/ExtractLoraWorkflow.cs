using System.Text.RegularExpressions;
using LoraPS.Formats;
using LoraPS.Formats.SafeTensors;
using LoraPS.Models;
using LoraPS.Models.Checkpoints;
using LoraPS.Models.Lora;
using LoraPS.Torch;

namespace LoraPS.Workflows.Lora;

/// <summary>Options of the checkpoint-difference extraction (sd-scripts extract_lora_from_models.py).</summary>
public sealed record ExtractLoraOptions
{
    public required string BaseModel { get; init; }
    public required string TunedModel { get; init; }
    public required string OutputPath { get; init; }
    public int Rank { get; init; } = 4;

    /// <summary>Rank of 3×3 convs (and the resnet linears / 1×1 shortcuts); null targets attention layers only.</summary>
    public int? ConvRank { get; init; }
    public double ClampQuantile { get; init; } = 0.99;

    /// <summary>The text encoder is extracted only if some module differs by more than this (largest |diff|).</summary>
    public double MinDiff { get; init; } = 0.01;
    public LoraPrecision Precision { get; init; } = LoraPrecision.Float;
    public bool Force { get; init; }
    public bool DryRun { get; init; }
}

public sealed record ExtractLoraResult(string OutputPath, bool Written, LoraModel? Lora, int UNetModules, int TextEncoderModules, bool TextEncoderSkipped);

/// <summary>
/// Extract-Lora: per adapted layer, the SVD of W_tuned − W_base truncated to the rank, factors
/// clamped at a quantile, alpha = rank. Reads both checkpoints one tensor at a time.
/// </summary>
public static partial class ExtractLoraWorkflow
{
    public static ExtractLoraResult Run(ExtractLoraOptions o, IProgress<LoraProgress>? progress = null, CancellationToken cancel = default)
    {
        string output = Path.GetFullPath(o.OutputPath);
        if (!o.DryRun && !o.Force && File.Exists(output)) throw new IOException($"{output} already exists; use -Force (or --force) to overwrite it");
        using var baseFile = TensorFiles.Open(o.BaseModel);
        using var tuned = TensorFiles.Open(o.TunedModel);
        var family = CheckpointRecognizer.DetectFamily(baseFile);
        if (family == ModelFamily.Unknown) throw new InvalidFileException(baseFile.Path, "not a Stable Diffusion checkpoint");
        var tunedFamily = CheckpointRecognizer.DetectFamily(tuned);
        if (tunedFamily != family) throw new InvalidFileException(tuned.Path, $"is {tunedFamily} but the base is {family}");
        var dtype = o.Precision.ToDType();

        var jobs = new List<(string Module, string Key, CheckpointTarget Target, long[] Shape)>();
        foreach (string key in baseFile.TensorNames)
        {
            var info = baseFile.GetInfo(key);
            if (info.Shape.Length is not (2 or 4)) continue;
            foreach (var (module, target) in KohyaNames.ForCheckpointKey(key, family, info.Shape[0]))
            {
                bool conv3 = info.Shape.Length == 4 && info.Shape[2] * info.Shape[3] > 1;
                bool inTransformer = module.StartsWith("lora_te", StringComparison.Ordinal) || TransformerRegex().IsMatch(module);
                if (!inTransformer && o.ConvRank is null) continue;
                if (!inTransformer && !ResnetOrSamplerRegex().IsMatch(module)) continue;
                if (inTransformer && conv3) continue;
                if (!tuned.Contains(key)) throw new InvalidFileException(tuned.Path, $"has no '{key}', which the base has");
                jobs.Add((module, key, target, info.Shape));
            }
        }

        var entries = new List<SafeTensorEntry>();
        var teEntries = new List<SafeTensorEntry>();
        bool teDiffers = false;
        int unet = 0, te = 0, done = 0;
        string? lastKey = null;
        Tensor? diff = null;
        try
        {
            foreach (var (module, key, target, shape) in jobs)
            {
                cancel.ThrowIfCancellationRequested();
                progress?.Report(new LoraProgress("Extracting LoRA", done++, jobs.Count, module));
                if (key != lastKey)
                {
                    diff?.Dispose();
                    using var w0 = LoraTensors.Load(baseFile, key);
                    using var w1 = LoraTensors.Load(tuned, key);
                    if (!w0.shape.SequenceEqual(w1.shape)) throw new InvalidFileException(tuned.Path, $"'{key}' is [{string.Join(", ", w1.shape)}] but [{string.Join(", ", w0.shape)}] in the base");
                    diff = w1.sub(w0);
                    lastKey = key;
                }
                using var scope = torch.NewDisposeScope();
                using var noGrad = torch.no_grad();
                var part = target.RowCount < 0 ? diff! : diff!.narrow(0, target.RowStart, target.RowCount);
                long rows = part.size(0);
                var matrix = part.reshape(rows, -1);
                long cols = matrix.size(1);
                bool conv3 = shape.Length == 4 && shape[2] * shape[3] > 1;
                long k = Math.Min(conv3 ? o.ConvRank!.Value : o.Rank, Math.Min(rows, cols));
                bool isTe = module.StartsWith("lora_te", StringComparison.Ordinal);
                if (isTe && matrix.abs().max().item() > o.MinDiff) teDiffers = true;
                var (u, s, vh) = LowRankSvd.Dense(matrix);
                var up = u.narrow(1, 0, k).mul(s.narrow(0, 0, k).unsqueeze(0));
                var down = vh.narrow(0, 0, k);
                (up, down) = MergeLoraWorkflow.Clamp(up, down, o.ClampQuantile);
                var upShape = shape.Length == 4 ? new[] { rows, k, 1, 1 } : new[] { rows, k };
                var downShape = shape.Length == 4 ? new[] { k, shape[1], shape[2], shape[3] } : new[] { k, cols };
                var target_ = isTe ? teEntries : entries;
                target_.Add(LoraTensors.Entry(module + ".lora_up.weight", up, dtype, upShape));
                target_.Add(LoraTensors.Entry(module + ".lora_down.weight", down, dtype, downShape));
                target_.Add(LoraTensors.Scalar(module + ".alpha", k, dtype));
                if (isTe) te++; else unet++;
            }
        }
        finally
        {
            diff?.Dispose();
        }
        if (teDiffers) entries.AddRange(teEntries);
        var metadata = new Dictionary<string, string>
        {
            ["ss_v2"] = family == ModelFamily.SD2 ? "True" : "False",
            ["ss_base_model_version"] = family switch { ModelFamily.SDXL => "sdxl_base_v1-0", ModelFamily.SD2 => "sd_v2", _ => "sd_v1" },
            ["ss_network_module"] = "networks.lora",
            ["ss_network_dim"] = o.Rank.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ss_network_alpha"] = LoraPrecisions.PythonFloat(o.Rank),
            ["ss_network_args"] = o.ConvRank is { } c ? $"{{\"conv_dim\": \"{c}\", \"conv_alpha\": \"{LoraPrecisions.PythonFloat(c)}\"}}" : "{}",
        };
        if (entries.Count == 0) throw new InvalidOperationException("nothing to extract: the models have no LoRA-targetable layers in common");
        if (o.DryRun) return new ExtractLoraResult(output, false, null, unet, teDiffers ? te : 0, !teDiffers);
        SafeTensorsWriter.Write(output, entries, metadata, overwrite: o.Force);
        return new ExtractLoraResult(output, true, ModelInfoWorkflow.InspectLora(output), unet, teDiffers ? te : 0, !teDiffers);
    }

    [GeneratedRegex(@"^lora_unet_(.*_attentions_\d+_|(input_blocks_\d+|middle_block|output_blocks_\d+)_1_)")]
    private static partial Regex TransformerRegex();
    [GeneratedRegex(@"_(resnets_\d+_|downsamplers_0_conv$|upsamplers_0_conv$|(input_blocks|output_blocks)_\d+_0_|middle_block_[02]_|_op$|\d+_2_conv$|\d+_1_conv$)")]
    private static partial Regex ResnetOrSamplerRegex();
}
