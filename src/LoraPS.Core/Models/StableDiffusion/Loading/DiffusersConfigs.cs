using LoraPS.Formats;
using LoraPS.Models.StableDiffusion.TextEncoders;
using LoraPS.Models.StableDiffusion.UNet;
using LoraPS.Models.StableDiffusion.Vae;

namespace LoraPS.Models.StableDiffusion.Loading;

/// <summary>
/// The hyper-parameters of a diffusers folder's parts (their <c>config.json</c>, in diffusers' and
/// transformers' keys) as the configs this project builds modules from. Values this project's modules
/// cannot reproduce (another block type, time-embedding variant, SDXL's added conditioning …) are refused
/// naming the file and the field, never ignored.
/// </summary>
internal static class DiffusersConfigs
{
    /// <summary><c>unet/config.json</c> (UNet2DConditionModel) → <see cref="UNetConfig"/>.</summary>
    public static UNetConfig UNet(JsonConfig json, PredictionType prediction)
    {
        const string unsupported = "this UNet layout is not supported";
        json.Require("_class_name", "only UNet2DConditionModel is read", "UNet2DConditionModel");
        json.Require("addition_embed_type", "SDXL's added conditioning is not supported yet");
        json.Require("class_embed_type", unsupported);
        json.Require("encoder_hid_dim", unsupported);
        json.Require("time_embedding_type", unsupported, "positional");
        json.Require("resnet_time_scale_shift", unsupported, "default");
        json.Require("mid_block_type", unsupported, "UNetMidBlock2DCrossAttn");
        json.Require("act_fn", unsupported, "silu");
        json.Require("flip_sin_to_cos", unsupported, "true");
        json.Require("freq_shift", unsupported, "0");
        json.Require("center_input_sample", unsupported, "false");
        json.Require("dual_cross_attention", unsupported, "false");
        json.Require("only_cross_attention", unsupported, "false");
        json.Require("conv_in_kernel", unsupported, "3");
        json.Require("conv_out_kernel", unsupported, "3");
        json.Require("downsample_padding", unsupported, "1");
        json.Require("mid_block_scale_factor", unsupported, "1");
        json.Require("num_class_embeds", unsupported);
        json.Require("norm_eps", "only 1e-5 is supported", "1e-5");

        int[] widths = json.Ints("block_out_channels");
        int levels = widths.Length;
        string[] down = json.Strings("down_block_types"), up = json.Strings("up_block_types");
        if (down.Length != levels) throw Bad(json, "down_block_types", $"has {down.Length} entries but block_out_channels has {levels}");
        if (up.Length != levels) throw Bad(json, "up_block_types", $"has {up.Length} entries but block_out_channels has {levels}");
        var attention = new List<int>();
        for (int level = 0; level < levels; level++)
        {
            bool attends = down[level] switch
            {
                "CrossAttnDownBlock2D" => true,
                "DownBlock2D" => false,
                var other => throw Bad(json, $"down_block_types[{level}]", $"is \"{other}\"; only CrossAttnDownBlock2D and DownBlock2D are supported"),
            };
            // Up block b mirrors level levels−1−b and must attend exactly where its level does.
            string expectedUp = attends ? "CrossAttnUpBlock2D" : "UpBlock2D";
            if (up[levels - 1 - level] != expectedUp)
                throw Bad(json, $"up_block_types[{levels - 1 - level}]", $"is \"{up[levels - 1 - level]}\" but mirrors down_block_types[{level}] \"{down[level]}\": expected {expectedUp}");
            if (attends) attention.Add(level);
        }
        int model = widths[0];
        if (widths.Any(w => w % model != 0)) throw Bad(json, "block_out_channels", $"[{string.Join(", ", widths)}] must all be multiples of the first width");

        // diffusers' attention_head_dim is really the number of heads (num_attention_heads when given wins).
        string headsField = json.Has("num_attention_heads") ? "num_attention_heads" : "attention_head_dim";
        int? numHeads = null, headChannels = null;
        if (json.IsList(headsField))
        {
            int[] heads = json.Ints(headsField, levels);
            var perHead = Enumerable.Range(0, levels).Where(l => attention.Contains(l) || l == levels - 1)
                .Select(l => widths[l] % heads[l] == 0 ? widths[l] / heads[l] : throw Bad(json, $"{headsField}[{l}]", $"{heads[l]} heads do not divide width {widths[l]}"))
                .Distinct().ToList();
            if (perHead.Count != 1) throw Bad(json, headsField, $"[{string.Join(", ", heads)}] gives different head widths per level; only one head width or one head count is supported");
            if (heads.Distinct().Count() == 1) numHeads = heads[0];
            else headChannels = perHead[0];
        }
        else numHeads = json.Int(headsField, 8);

        int depth;
        if (json.IsList("transformer_layers_per_block"))
        {
            int[] depths = json.Ints("transformer_layers_per_block", levels);
            if (depths.Distinct().Count() != 1) throw Bad(json, "transformer_layers_per_block", "differs per level (SDXL); not supported yet");
            depth = depths[0];
        }
        else depth = json.Int("transformer_layers_per_block", 1);
        int layersPerBlock = json.IsList("layers_per_block")
            ? throw Bad(json, "layers_per_block", "must be one integer")
            : json.Int("layers_per_block", 2);

        var config = new UNetConfig
        {
            InChannels = json.Int("in_channels", 4),
            OutChannels = json.Int("out_channels", 4),
            ModelChannels = model,
            ChannelMult = widths.Select(w => w / model).ToArray(),
            NumResBlocks = layersPerBlock,
            AttentionLevels = attention,
            ContextDim = json.IsList("cross_attention_dim") ? throw Bad(json, "cross_attention_dim", "must be one integer") : json.Int("cross_attention_dim", 1280),
            TransformerDepth = depth,
            NumHeads = numHeads,
            NumHeadChannels = headChannels,
            UseLinearInTransformer = json.Bool("use_linear_projection", false),
            NormGroups = json.Int("norm_num_groups", 32),
            Prediction = prediction,
        };
        return Validated(json, config, config.Validate);
    }

    /// <summary>
    /// <c>text_encoder/config.json</c> (transformers' CLIPTextModel) → <see cref="ClipTextEncoderConfig"/>. A diffusers
    /// pipeline feeds the UNet the model's last hidden state (SD2's folder stores the 23 layers it uses), so the layer used
    /// is the last; the pad id is the family's (49407 SD1, 0 SD2: the tokenizer's, not the config's pad_token_id).
    /// </summary>
    public static ClipTextEncoderConfig TextEncoder(JsonConfig json, ModelFamily family)
    {
        json.Require("model_type", "only a CLIP text model is read", "clip_text_model");
        var activation = json.String("hidden_act", "quick_gelu") switch
        {
            "quick_gelu" => ClipActivation.QuickGelu,
            "gelu" => ClipActivation.Gelu,
            var other => throw Bad(json, "hidden_act", $"is \"{other}\"; only quick_gelu and gelu are supported"),
        };
        int vocab = json.Int("vocab_size", 49408);
        var config = new ClipTextEncoderConfig
        {
            VocabSize = vocab,
            MaxPositions = json.Int("max_position_embeddings", 77),
            Width = json.Int("hidden_size"),
            Layers = json.Int("num_hidden_layers"),
            Heads = json.Int("num_attention_heads"),
            MlpWidth = json.Int("intermediate_size"),
            Activation = activation,
            PadTokenId = family == ModelFamily.SD2 ? 0 : vocab - 1,
            LayerUsed = ClipLayerUsed.Last,
            LayerNormEps = json.Positive("layer_norm_eps", 1e-5),
        };
        return Validated(json, config, config.Validate);
    }

    /// <summary><c>vae/config.json</c> (AutoencoderKL) → <see cref="VaeConfig"/>.</summary>
    public static VaeConfig Vae(JsonConfig json)
    {
        const string unsupported = "this VAE layout is not supported";
        json.Require("_class_name", "only AutoencoderKL is read", "AutoencoderKL");
        json.Require("act_fn", unsupported, "silu");
        json.Require("mid_block_add_attention", unsupported, "true");
        json.Require("use_quant_conv", unsupported, "true");
        json.Require("use_post_quant_conv", unsupported, "true");
        json.Require("shift_factor", "a latent shift (SD3/Flux VAEs) is not supported");
        int[] widths = json.Ints("block_out_channels");
        int levels = widths.Length;
        if (json.Has("down_block_types"))
        {
            var down = json.Strings("down_block_types");
            if (down.Length != levels || down.Any(t => t != "DownEncoderBlock2D"))
                throw Bad(json, "down_block_types", $"must be {levels} × DownEncoderBlock2D");
        }
        if (json.Has("up_block_types"))
        {
            var up = json.Strings("up_block_types");
            if (up.Length != levels || up.Any(t => t != "UpDecoderBlock2D"))
                throw Bad(json, "up_block_types", $"must be {levels} × UpDecoderBlock2D");
        }
        int ch = widths[0];
        if (widths.Any(w => w % ch != 0)) throw Bad(json, "block_out_channels", $"[{string.Join(", ", widths)}] must all be multiples of the first width");
        int inChannels = json.Int("in_channels", 3), outChannels = json.Int("out_channels", 3);
        if (inChannels != outChannels) throw Bad(json, "out_channels", $"is {outChannels} but in_channels is {inChannels}; they must be equal");
        var config = new VaeConfig
        {
            Ch = ch,
            ChMult = widths.Select(w => w / ch).ToArray(),
            NumResBlocks = json.IsList("layers_per_block") ? throw Bad(json, "layers_per_block", "must be one integer") : json.Int("layers_per_block", 2),
            ZChannels = json.Int("latent_channels", 4),
            ImageChannels = inChannels,
            NormGroups = json.Int("norm_num_groups", 32),
            ScalingFactor = json.Positive("scaling_factor", 0.18215),
        };
        return Validated(json, config, config.Validate);
    }

    /// <summary><c>scheduler/scheduler_config.json</c>'s prediction_type, or null when absent.</summary>
    public static PredictionType? Prediction(JsonConfig json) => json.OptionalString("prediction_type") switch
    {
        null => null,
        "epsilon" => PredictionType.Epsilon,
        "v_prediction" => PredictionType.V,
        var other => throw Bad(json, "prediction_type", $"is \"{other}\"; only epsilon and v_prediction are supported"),
    };

    /// <summary>The config after its own consistency check, whose complaint becomes an error naming the file.</summary>
    private static T Validated<T>(JsonConfig json, T config, Action<string?> validate)
    {
        try { validate(null); }
        catch (ArgumentException e) { throw new InvalidFileException(json.Path, e.Message, e); }
        return config;
    }

    private static InvalidFileException Bad(JsonConfig json, string field, string what) => new(json.Path, $"{field} {what}");
}
