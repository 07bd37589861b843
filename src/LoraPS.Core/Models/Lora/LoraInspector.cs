using System.Globalization;
using System.Text.Json;
using LoraPS.Formats;
using LoraPS.Formats.SafeTensors;
using LoraPS.Models.Checkpoints;

namespace LoraPS.Models.Lora;

/// <summary>Builds the <see cref="LoraModel"/> description of an open <see cref="LoraFile"/>: kind, base family, ranks, metadata.</summary>
public static class LoraInspector
{
    public static LoraModel Describe(LoraFile file)
    {
        var modules = file.Modules;
        var md = file.Tensors.Metadata;
        string? Meta(string key) => md.TryGetValue(key, out var v) ? v : null;

        var linear = modules.Where(m => m.LayerKind != LoraLayerKind.Conv).ToList();
        var conv = modules.Where(m => m.LayerKind == LoraLayerKind.Conv).ToList();
        (int Rank, double Alpha)? Common(List<LoraModule> list) => list.Count == 0 ? null
            : list.GroupBy(m => (m.Rank, m.Alpha)).OrderByDescending(g => g.Count()).ThenByDescending(g => g.Key.Rank).First().Key;
        var main = Common(linear) ?? Common(conv)!.Value;
        var convCommon = Common(conv);
        bool dynamic = linear.Select(m => m.Rank).Distinct().Count() > 1 || conv.Select(m => m.Rank).Distinct().Count() > 1;

        var dtype = modules.SelectMany(m => m.TensorKeys.Where(kv => kv.Key != "alpha").Select(kv => file.Tensors.GetInfo(kv.Value).DType))
            .GroupBy(d => d).OrderByDescending(g => g.Count()).First().Key;

        return new LoraModel
        {
            Path = file.Path,
            NetworkKind = DetectKind(file),
            BaseFamily = DetectFamily(file),
            KeyLayout = file.Layout,
            Rank = main.Rank,
            Alpha = main.Alpha,
            ConvRank = convCommon?.Rank,
            ConvAlpha = convCommon?.Alpha,
            IsDynamicRank = dynamic,
            MinRank = modules.Min(m => m.Rank),
            MaxRank = modules.Max(m => m.Rank),
            Modules = modules,
            FileSize = file.Tensors.FileSize,
            Precision = CheckpointRecognizer.PrecisionName(dtype),
            NetworkModule = Meta("ss_network_module"),
            NetworkDim = Meta("ss_network_dim"),
            NetworkAlpha = Meta("ss_network_alpha"),
            NetworkArgs = Meta("ss_network_args"),
            BaseModelVersion = Meta("ss_base_model_version"),
            BaseModelName = Meta("ss_sd_model_name"),
            BaseModelHash = Meta("ss_sd_model_hash"),
            BaseModelSha256 = Meta("ss_new_sd_model_hash"),
            OutputName = Meta("ss_output_name"),
            TrainingComment = Meta("ss_training_comment"),
            Epoch = ParseInt(Meta("ss_epoch")),
            Steps = ParseInt(Meta("ss_steps")),
            TagFrequency = ParseTagFrequency(file.Path, Meta("ss_tag_frequency")),
            Metadata = md,
        };
    }

    public static LoraNetworkKind DetectKind(LoraFile file)
    {
        string module = file.Tensors.Metadata.TryGetValue("ss_network_module", out var m) ? m : "";
        string args = file.Tensors.Metadata.TryGetValue("ss_network_args", out var a) ? a : "";
        if (file.Modules.Any(x => x.Algorithm == LoraAlgorithm.LoKr)) return LoraNetworkKind.LoKr;
        if (file.Modules.Any(x => x.Algorithm == LoraAlgorithm.LoHa)) return LoraNetworkKind.LoHa;
        if (module.Contains("dylora", StringComparison.OrdinalIgnoreCase)) return LoraNetworkKind.DyLoRA;
        if (file.Modules.Any(x => x.LayerKind == LoraLayerKind.Conv)) return LoraNetworkKind.LoCon;
        if (args.Contains("\"algo\": \"locon\"", StringComparison.OrdinalIgnoreCase) || args.Contains("\"algo\":\"locon\"", StringComparison.OrdinalIgnoreCase))
            return LoraNetworkKind.LoCon;
        return LoraNetworkKind.LoRA;
    }

    /// <summary>From ss_base_model_version / modelspec.architecture, else from the module names and widths.</summary>
    public static ModelFamily DetectFamily(LoraFile file)
    {
        var md = file.Tensors.Metadata;
        if (md.TryGetValue("ss_base_model_version", out var v))
        {
            if (v.StartsWith("sdxl", StringComparison.OrdinalIgnoreCase)) return ModelFamily.SDXL;
            if (v.StartsWith("sd_v2", StringComparison.OrdinalIgnoreCase)) return ModelFamily.SD2;
            if (v.StartsWith("sd_v1", StringComparison.OrdinalIgnoreCase)) return ModelFamily.SD1;
        }
        if (md.TryGetValue("modelspec.architecture", out var arch))
        {
            if (arch.Contains("-xl-", StringComparison.OrdinalIgnoreCase)) return ModelFamily.SDXL;
            if (arch.Contains("-v2", StringComparison.OrdinalIgnoreCase)) return ModelFamily.SD2;
            if (arch.Contains("-v1", StringComparison.OrdinalIgnoreCase)) return ModelFamily.SD1;
        }
        var names = file.Modules.Select(m => m.Name).ToList();
        if (names.Any(n => n.StartsWith("lora_te1_", StringComparison.Ordinal) || n.StartsWith("lora_te2_", StringComparison.Ordinal)
            || n.StartsWith("lora_unet_input_blocks_", StringComparison.Ordinal) || n.StartsWith("lora_unet_output_blocks_", StringComparison.Ordinal)
            || n.StartsWith("lora_unet_middle_block_", StringComparison.Ordinal)))
            return ModelFamily.SDXL;
        // Cross-attention key/value inputs are the text width: 768 SD1, 1024 SD2.
        var toK = file.Modules.FirstOrDefault(m => m.Name.EndsWith("_attn2_to_k", StringComparison.Ordinal) && m.Name.StartsWith("lora_unet_", StringComparison.Ordinal));
        if (toK != null) return toK.InFeatures == 1024 ? ModelFamily.SD2 : ModelFamily.SD1;
        var te = file.Modules.FirstOrDefault(m => m.Name.StartsWith("lora_te_", StringComparison.Ordinal) && m.Name.EndsWith("_q_proj", StringComparison.Ordinal));
        if (te != null) return te.InFeatures == 1024 ? ModelFamily.SD2 : ModelFamily.SD1;
        // diffusers block names with a single text encoder are the SD1/SD2 layout; SD1 is the common one.
        return names.Any(n => n.StartsWith("lora_unet_", StringComparison.Ordinal) || n.StartsWith("lora_te_", StringComparison.Ordinal)) ? ModelFamily.SD1 : ModelFamily.Unknown;
    }

    private static int? ParseInt(string? s) => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : null;

    private static IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> ParseTagFrequency(string path, string? json)
    {
        var result = new Dictionary<string, IReadOnlyDictionary<string, int>>();
        if (string.IsNullOrWhiteSpace(json)) return result;
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return result;
            foreach (var dir in doc.RootElement.EnumerateObject())
            {
                if (dir.Value.ValueKind != JsonValueKind.Object) continue;
                var tags = new Dictionary<string, int>();
                foreach (var tag in dir.Value.EnumerateObject())
                    if (tag.Value.ValueKind == JsonValueKind.Number && tag.Value.TryGetInt32(out int n)) tags[tag.Name] = n;
                result[dir.Name] = tags;
            }
        }
        catch (JsonException e)
        {
            throw new InvalidFileException(path, $"metadata ss_tag_frequency is not valid JSON ({e.Message})", e);
        }
        return result;
    }
}
