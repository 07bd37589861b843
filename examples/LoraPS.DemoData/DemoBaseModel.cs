using System.Text.Json;
using LoraPS.Formats.SafeTensors;
using LoraPS.Models.StableDiffusion.TextEncoders;
using LoraPS.Models.StableDiffusion.UNet;
using LoraPS.Models.StableDiffusion.Vae;
using LoraPS.Models.Text;
using LoraPS.Torch;

namespace LoraPS.DemoData;

/// <summary>
/// A tiny Stable Diffusion 1.x base model for the demo's preview step, since no real one can be downloaded:
/// the real single-file key layout and block structure at small widths with PyTorch's default random
/// initialisation (seeded), its model JSON (the hyper-parameters a loader cannot read from the keys), and a
/// byte-level CLIP tokenizer (vocab.json + merges.txt with no merges) sized to its text encoder. Its pictures
/// are noise-like, but every step of the preview runs for real on it.
/// </summary>
internal static class DemoBaseModel
{
    private static readonly UNetConfig UNet = new()
    {
        ModelChannels = 32, ChannelMult = new[] { 1, 2, 4, 4 }, AttentionLevels = new[] { 0, 1, 2 }, ContextDim = 32, NumHeads = 8,
    };

    private static readonly VaeConfig Vae = new() { Ch = 32, ChMult = new[] { 1, 1, 2, 2 }, NumResBlocks = 1 };

    public static void Write(string folder)
    {
        Directory.CreateDirectory(folder);
        int vocabulary = WriteTokenizer(Path.Combine(folder, "tokenizer"));
        var text = new ClipTextEncoderConfig
        {
            VocabSize = vocabulary, Width = 32, Layers = 2, Heads = 4, Activation = ClipActivation.QuickGelu,
            PadTokenId = vocabulary - 1, LayerUsed = ClipLayerUsed.Last,
        };

        torch.manual_seed(1234);
        var entries = new List<SafeTensorEntry>();
        void Add(string key, Tensor t)
        {
            using var half = t.to(ScalarType.Float16);
            entries.Add(SafeTensorEntry.FromBytes(key, SafeTensorDType.F16, t.shape, half.bytes()));
        }
        using (var encoder = new ClipTextEncoder(text))
            foreach (var (name, t) in encoder.state_dict()) Add("cond_stage_model.transformer." + name, t);
        using (var unet = new UNet2DConditionModel(UNet))
            foreach (var (name, t) in unet.state_dict()) Add(UNetCheckpointLayout.DefaultPrefix + UNetCheckpointLayout.ToLdm(name, UNet), t);
        using (var vae = new AutoencoderKL(Vae))
            foreach (var (name, t) in vae.state_dict()) Add("first_stage_model." + name, t);
        SafeTensorsWriter.Write(Path.Combine(folder, "demo-sd1.safetensors"), entries, overwrite: true);
        File.WriteAllText(Path.Combine(folder, "demo-sd1.json"), ModelJson(text));
    }

    /// <summary>Every byte as a token, alone and ending a word, then the start and end tokens; returns the vocabulary size.</summary>
    private static int WriteTokenizer(string folder)
    {
        Directory.CreateDirectory(folder);
        var tokens = ByteToUnicode.VocabularyOrder.Select(c => c.ToString()).ToList();
        tokens.AddRange(tokens.Select(t => t + ClipVocabulary.EndOfWord).ToList());
        tokens.Add(ClipVocabulary.StartOfTextToken);
        tokens.Add(ClipVocabulary.EndOfTextToken);
        var vocab = tokens.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i);
        File.WriteAllText(Path.Combine(folder, ClipTokenizerFiles.VocabFileName), JsonSerializer.Serialize(vocab));
        File.WriteAllText(Path.Combine(folder, ClipTokenizerFiles.MergesFileName), "#version: 0.2\n");
        return tokens.Count;
    }

    private static string ModelJson(ClipTextEncoderConfig text) => JsonSerializer.Serialize(new
    {
        family = "sd1",
        prediction = "epsilon",
        unet = new
        {
            in_channels = 4, out_channels = 4, model_channels = UNet.ModelChannels, channel_mult = UNet.ChannelMult, num_res_blocks = UNet.NumResBlocks,
            attention_levels = UNet.AttentionLevels, context_dim = UNet.ContextDim, transformer_depth = 1, num_heads = UNet.NumHeads,
            use_linear_in_transformer = false,
        },
        vae = new { ch = Vae.Ch, ch_mult = Vae.ChMult, num_res_blocks = Vae.NumResBlocks, z_channels = 4, scaling_factor = Vae.ScalingFactor },
        text = new
        {
            vocab_size = text.VocabSize, width = text.Width, layers = text.Layers, heads = text.Heads, max_positions = text.MaxPositions,
            activation = "quick_gelu", pad_token_id = text.PadTokenId, layer_used = "last",
        },
    }, new JsonSerializerOptions { WriteIndented = true });
}
