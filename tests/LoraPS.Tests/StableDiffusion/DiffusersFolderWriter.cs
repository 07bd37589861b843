using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LoraPS.Formats.SafeTensors;
using LoraPS.Models.StableDiffusion.UNet;
using LoraPS.Torch.Modules;

namespace LoraPS.Tests.StableDiffusion;

/// <summary>
/// Writes a diffusers pipeline folder from a tiny single-file checkpoint, the way diffusers' converter lays one out:
/// config.json files in diffusers/transformers keys, UNet weights under diffusers names, the text encoder as a
/// transformers CLIPTextModel (SD2: OpenCLIP's fused q/k/v split, and only the 23-of-24-style layers the pipeline uses),
/// the VAE under diffusers names with Linear attention weights. The VAE and text-encoder renames here are written from
/// the architecture facts independently of the loader's own mapping, so a mistake in either shows.
/// </summary>
internal static class DiffusersFolderWriter
{
    public sealed record Options
    {
        /// <summary>Name the weight files as the fp16 variant (<c>*.fp16.safetensors</c>).</summary>
        public bool Fp16Variant { get; init; }

        /// <summary>The VAE's mid attention with the names of diffusers before 0.17 (query/key/value/proj_attn).</summary>
        public bool LegacyAttentionNames { get; init; }

        public string Prediction { get; init; } = "epsilon";
    }

    public static void Write(string family, string root, Options? options = null)
    {
        options ??= new Options();
        var json = JsonNode.Parse(File.ReadAllText(TinyModels.Json(family)))!.AsObject();
        var unet = json["unet"]!.AsObject();
        var text = json["text"]!.AsObject();
        var vae = json["vae"]!.AsObject();
        string variant = options.Fp16Variant ? ".fp16" : "";
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "model_index.json"), TinyModels.ToJson(new Dictionary<string, object>
        {
            ["_class_name"] = "StableDiffusionPipeline",
            ["_diffusers_version"] = "0.25.0",
            ["scheduler"] = new[] { "diffusers", "PNDMScheduler" },
            ["text_encoder"] = new[] { "transformers", "CLIPTextModel" },
            ["tokenizer"] = new[] { "transformers", "CLIPTokenizer" },
            ["unet"] = new[] { "diffusers", "UNet2DConditionModel" },
            ["vae"] = new[] { "diffusers", "AutoencoderKL" },
        }));
        Directory.CreateDirectory(Path.Combine(root, "scheduler"));
        File.WriteAllText(Path.Combine(root, "scheduler", "scheduler_config.json"), TinyModels.ToJson(new Dictionary<string, object>
        {
            ["_class_name"] = "PNDMScheduler", ["beta_schedule"] = "scaled_linear", ["beta_start"] = 0.00085, ["beta_end"] = 0.012,
            ["num_train_timesteps"] = 1000, ["prediction_type"] = options.Prediction, ["steps_offset"] = 1,
        }));

        using var checkpoint = SafeTensorsFile.Open(TinyModels.Checkpoint(family));
        WriteUNet(checkpoint, family, unet, Path.Combine(root, "unet"), variant);
        WriteTextEncoder(checkpoint, family, text, Path.Combine(root, "text_encoder"), variant);
        WriteVae(checkpoint, vae, Path.Combine(root, "vae"), variant, options.LegacyAttentionNames);
    }

    private static int[] Ints(JsonNode node) => node.AsArray().Select(n => (int)n!).ToArray();

    private static void WriteUNet(SafeTensorsFile checkpoint, string family, JsonObject unet, string dir, string variant)
    {
        Directory.CreateDirectory(dir);
        int model = (int)unet["model_channels"]!;
        int[] widths = Ints(unet["channel_mult"]!).Select(m => m * model).ToArray();
        int[] attention = Ints(unet["attention_levels"]!);
        var down = widths.Select((_, l) => attention.Contains(l) ? "CrossAttnDownBlock2D" : "DownBlock2D").ToArray();
        var up = down.Reverse().Select(t => t == "CrossAttnDownBlock2D" ? "CrossAttnUpBlock2D" : "UpBlock2D").ToArray();
        object heads = unet["num_heads"] is { } h ? (int)h : widths.Select(w => w / (int)unet["num_head_channels"]!).ToArray();
        File.WriteAllText(Path.Combine(dir, "config.json"), TinyModels.ToJson(new Dictionary<string, object>
        {
            ["_class_name"] = "UNet2DConditionModel", ["_diffusers_version"] = "0.25.0", ["act_fn"] = "silu",
            ["attention_head_dim"] = heads, ["block_out_channels"] = widths, ["center_input_sample"] = false,
            ["cross_attention_dim"] = (int)unet["context_dim"]!, ["down_block_types"] = down, ["downsample_padding"] = 1,
            ["dual_cross_attention"] = false, ["flip_sin_to_cos"] = true, ["freq_shift"] = 0, ["in_channels"] = (int)unet["in_channels"]!,
            ["layers_per_block"] = (int)unet["num_res_blocks"]!, ["mid_block_scale_factor"] = 1, ["norm_eps"] = 1e-05, ["norm_num_groups"] = 32,
            ["num_class_embeds"] = null!, ["only_cross_attention"] = false, ["out_channels"] = (int)unet["out_channels"]!, ["sample_size"] = 64,
            ["up_block_types"] = up, ["upcast_attention"] = false, ["use_linear_projection"] = (bool)unet["use_linear_in_transformer"]!,
        }));
        // The UNet's diffusers names are the module's own; UNetCheckpointLayout (tested on its own) says where each is in the ldm file.
        var config = UNetConfig.FromModelJson(TinyModels.Json(family));
        List<string> names;
        using (ParameterInit.SkipInit())
        using (var module = new UNet2DConditionModel(config))
            names = module.state_dict().Keys.ToList();
        SafeTensorsWriter.Write(Path.Combine(dir, $"diffusion_pytorch_model{variant}.safetensors"),
            names.Select(n => SafeTensorEntry.CopyOf(checkpoint["model.diffusion_model." + UNetCheckpointLayout.ToLdm(n, config)], n)).ToList(),
            new Dictionary<string, string> { ["format"] = "pt" });
    }

    private static void WriteTextEncoder(SafeTensorsFile checkpoint, string family, JsonObject text, string dir, string variant)
    {
        Directory.CreateDirectory(dir);
        int width = (int)text["width"]!, layers = (int)text["layers"]!;
        bool openClip = family == "sd2";
        // diffusers' SD2 text encoder keeps the 23 of OpenCLIP's 24 layers whose last output the pipeline uses.
        int kept = openClip ? layers - 1 : layers;
        File.WriteAllText(Path.Combine(dir, "config.json"), TinyModels.ToJson(new Dictionary<string, object>
        {
            ["architectures"] = new[] { "CLIPTextModel" }, ["attention_dropout"] = 0.0, ["bos_token_id"] = 0, ["dropout"] = 0.0, ["eos_token_id"] = 2,
            ["hidden_act"] = (string)text["activation"]!, ["hidden_size"] = width, ["initializer_factor"] = 1.0, ["initializer_range"] = 0.02,
            ["intermediate_size"] = 4 * width, ["layer_norm_eps"] = 1e-05, ["max_position_embeddings"] = (int)text["max_positions"]!,
            ["model_type"] = "clip_text_model", ["num_attention_heads"] = (int)text["heads"]!, ["num_hidden_layers"] = kept,
            ["pad_token_id"] = 1, ["projection_dim"] = 512, ["torch_dtype"] = "float16", ["vocab_size"] = (int)text["vocab_size"]!,
        }));
        var entries = new List<SafeTensorEntry>();
        if (!openClip)
        {
            const string prefix = "cond_stage_model.transformer.";
            entries.AddRange(checkpoint.Tensors.Where(t => t.Name.StartsWith(prefix, StringComparison.Ordinal))
                .Select(t => SafeTensorEntry.CopyOf(t, t.Name[prefix.Length..])));
        }
        else
        {
            const string p = "cond_stage_model.model.";
            void Copy(string from, string to) => entries.Add(SafeTensorEntry.CopyOf(checkpoint[p + from], to));
            Copy("token_embedding.weight", "text_model.embeddings.token_embedding.weight");
            Copy("positional_embedding", "text_model.embeddings.position_embedding.weight");
            Copy("ln_final.weight", "text_model.final_layer_norm.weight");
            Copy("ln_final.bias", "text_model.final_layer_norm.bias");
            for (int n = 0; n < kept; n++)
            {
                string oc = $"transformer.resblocks.{n}.", hf = $"text_model.encoder.layers.{n}.";
                foreach (string t in new[] { "weight", "bias" })
                {
                    Copy($"{oc}ln_1.{t}", $"{hf}layer_norm1.{t}");
                    Copy($"{oc}ln_2.{t}", $"{hf}layer_norm2.{t}");
                    Copy($"{oc}attn.out_proj.{t}", $"{hf}self_attn.out_proj.{t}");
                    Copy($"{oc}mlp.c_fc.{t}", $"{hf}mlp.fc1.{t}");
                    Copy($"{oc}mlp.c_proj.{t}", $"{hf}mlp.fc2.{t}");
                    // in_proj rows: q, then k, then v.
                    var fused = checkpoint[$"{p}{oc}attn.in_proj_{t}"];
                    byte[] bytes = fused.Bytes.ToArray();
                    long rows = fused.Shape[0] / 3;
                    long[] shape = fused.ShapeArray();
                    shape[0] = rows;
                    int third = bytes.Length / 3;
                    string[] parts = { "q_proj", "k_proj", "v_proj" };
                    for (int i = 0; i < 3; i++)
                        entries.Add(SafeTensorEntry.FromBytes($"{hf}self_attn.{parts[i]}.{t}", fused.DType, shape, bytes.AsMemory(i * third, third)));
                }
            }
        }
        SafeTensorsWriter.Write(Path.Combine(dir, $"model{variant}.safetensors"), entries, new Dictionary<string, string> { ["format"] = "pt" });
    }

    private static void WriteVae(SafeTensorsFile checkpoint, JsonObject vae, string dir, string variant, bool legacy)
    {
        Directory.CreateDirectory(dir);
        int ch = (int)vae["ch"]!;
        int[] mult = Ints(vae["ch_mult"]!);
        File.WriteAllText(Path.Combine(dir, "config.json"), TinyModels.ToJson(new Dictionary<string, object>
        {
            ["_class_name"] = "AutoencoderKL", ["_diffusers_version"] = "0.25.0", ["act_fn"] = "silu",
            ["block_out_channels"] = mult.Select(m => m * ch).ToArray(), ["down_block_types"] = mult.Select(_ => "DownEncoderBlock2D").ToArray(),
            ["in_channels"] = 3, ["latent_channels"] = (int)vae["z_channels"]!, ["layers_per_block"] = (int)vae["num_res_blocks"]!,
            ["norm_num_groups"] = 32, ["out_channels"] = 3, ["sample_size"] = 64, ["scaling_factor"] = (double)vae["scaling_factor"]!,
            ["up_block_types"] = mult.Select(_ => "UpDecoderBlock2D").ToArray(),
        }));
        SafeTensorsWriter.Write(Path.Combine(dir, $"diffusion_pytorch_model{variant}.safetensors"), VaeEntries(checkpoint, "first_stage_model.", mult.Length, legacy),
            new Dictionary<string, string> { ["format"] = "pt" });
    }

    /// <summary>The VAE of <paramref name="checkpoint"/> (under <paramref name="prefix"/>) renamed to diffusers' names, attention weights as Linear.</summary>
    public static List<SafeTensorEntry> VaeEntries(SafeTensorsFile checkpoint, string prefix, int levels, bool legacy = false)
    {
        var entries = new List<SafeTensorEntry>();
        foreach (var t in checkpoint.Tensors.Where(t => t.Name.StartsWith(prefix, StringComparison.Ordinal)))
        {
            string name = ToDiffusersVae(t.Name[prefix.Length..], levels, legacy);
            long[] shape = t.ShapeArray();
            if (name.Contains(".attentions.0.") && shape.Length == 4) shape = shape[..2];
            entries.Add(new SafeTensorEntry(name, t.DType, shape, t.CopyTo));
        }
        return entries;
    }

    private static string ToDiffusersVae(string ldm, int levels, bool legacy)
    {
        string s = ldm;
        s = Regex.Replace(s, @"^(encoder|decoder)\.norm_out\.", "$1.conv_norm_out.");
        s = Regex.Replace(s, @"^encoder\.down\.(\d+)\.block\.(\d+)\.", "encoder.down_blocks.$1.resnets.$2.");
        s = Regex.Replace(s, @"^encoder\.down\.(\d+)\.downsample\.conv\.", "encoder.down_blocks.$1.downsamplers.0.conv.");
        s = Regex.Replace(s, @"^decoder\.up\.(\d+)\.block\.(\d+)\.", m => $"decoder.up_blocks.{levels - 1 - int.Parse(m.Groups[1].Value)}.resnets.{m.Groups[2].Value}.");
        s = Regex.Replace(s, @"^decoder\.up\.(\d+)\.upsample\.conv\.", m => $"decoder.up_blocks.{levels - 1 - int.Parse(m.Groups[1].Value)}.upsamplers.0.conv.");
        s = Regex.Replace(s, @"^(encoder|decoder)\.mid\.block_1\.", "$1.mid_block.resnets.0.");
        s = Regex.Replace(s, @"^(encoder|decoder)\.mid\.block_2\.", "$1.mid_block.resnets.1.");
        var attention = legacy
            ? new Dictionary<string, string> { ["norm"] = "group_norm", ["q"] = "query", ["k"] = "key", ["v"] = "value", ["proj_out"] = "proj_attn" }
            : new Dictionary<string, string> { ["norm"] = "group_norm", ["q"] = "to_q", ["k"] = "to_k", ["v"] = "to_v", ["proj_out"] = "to_out.0" };
        s = Regex.Replace(s, @"^(encoder|decoder)\.mid\.attn_1\.(norm|q|k|v|proj_out)\.", m => $"{m.Groups[1].Value}.mid_block.attentions.0.{attention[m.Groups[2].Value]}.");
        return s.Replace(".nin_shortcut.", ".conv_shortcut.");
    }
}
