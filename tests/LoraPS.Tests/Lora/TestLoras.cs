using LoraPS.Formats.SafeTensors;

namespace LoraPS.Tests.Lora;

/// <summary>A layer a test LoRA adapts: kohya name, output rows, input channels, kernel.</summary>
public sealed record TestLayer(string Name, int Out, int In, int K = 1, bool FourD = false)
{
    public bool IsConv3 => K > 1;
    public int Columns => In * K * K;
}

/// <summary>
/// Module lists in the real kohya key layout (SD1.x, SDXL) at small widths, and writers for
/// LoRA/LoHa/LoKr files and tiny checkpoints built on them. Values come from a seeded Random.
/// </summary>
public static class TestLoras
{
    /// <summary>SD1: 16 transformers × 10 modules + 12 TE layers × 6 (192 + 72 at full list), plus optional resnet/sampler convs.</summary>
    public static List<TestLayer> Sd1Layers(int width = 4, int context = 768, int te = 8, bool conv = false, bool full = true)
    {
        var layers = new List<TestLayer>();
        int[] ch = { width, 2 * width, 4 * width, 4 * width };
        void Transformer(string p, int c)
        {
            layers.Add(new(p + "_proj_in", c, c, 1, true));
            foreach (var a in new[] { "attn1", "attn2" })
            {
                layers.Add(new($"{p}_transformer_blocks_0_{a}_to_q", c, c));
                layers.Add(new($"{p}_transformer_blocks_0_{a}_to_k", c, a == "attn2" ? context : c));
                layers.Add(new($"{p}_transformer_blocks_0_{a}_to_v", c, a == "attn2" ? context : c));
                layers.Add(new($"{p}_transformer_blocks_0_{a}_to_out_0", c, c));
            }
            layers.Add(new(p + "_transformer_blocks_0_ff_net_0_proj", 8 * c, c));
            layers.Add(new(p + "_transformer_blocks_0_ff_net_2", c, 4 * c));
            layers.Add(new(p + "_proj_out", c, c, 1, true));
        }
        void Resnet(string p, int cin, int c)
        {
            layers.Add(new(p + "_conv1", c, cin, 3, true));
            layers.Add(new(p + "_time_emb_proj", c, 4 * width));
            layers.Add(new(p + "_conv2", c, c, 3, true));
            if (cin != c) layers.Add(new(p + "_conv_shortcut", c, cin, 1, true));
        }
        for (int b = 0; b < 4; b++)
            for (int j = 0; j < 2; j++)
            {
                int cin = j == 0 && b > 0 ? ch[b - 1] : ch[b];
                if (conv) Resnet($"lora_unet_down_blocks_{b}_resnets_{j}", cin, ch[b]);
                if (b < 3 && (full || j == 0)) Transformer($"lora_unet_down_blocks_{b}_attentions_{j}", ch[b]);
                if (conv && j == 1 && b < 3) layers.Add(new($"lora_unet_down_blocks_{b}_downsamplers_0_conv", ch[b], ch[b], 3, true));
            }
        if (conv) Resnet("lora_unet_mid_block_resnets_0", ch[3], ch[3]);
        Transformer("lora_unet_mid_block_attentions_0", ch[3]);
        for (int b = 0; b < 4; b++)
        {
            int level = 3 - b;
            for (int j = 0; j < 3; j++)
            {
                if (conv) Resnet($"lora_unet_up_blocks_{b}_resnets_{j}", 2 * ch[level], ch[level]);
                if (b > 0 && (full || j == 0)) Transformer($"lora_unet_up_blocks_{b}_attentions_{j}", ch[level]);
            }
            if (conv && b < 3) layers.Add(new($"lora_unet_up_blocks_{b}_upsamplers_0_conv", ch[level], ch[level], 3, true));
        }
        for (int i = 0; i < (full ? 12 : 2); i++)
        {
            string p = $"lora_te_text_model_encoder_layers_{i}_";
            foreach (var q in new[] { "q", "k", "v", "out" }) layers.Add(new($"{p}self_attn_{q}_proj", te, te));
            layers.Add(new(p + "mlp_fc1", 4 * te, te));
            layers.Add(new(p + "mlp_fc2", te, 4 * te));
        }
        return layers;
    }

    /// <summary>SDXL (SAI names): transformers in input 4,5 (depth 2), 7,8 (depth 10), middle (10), output 0–2 (10), 3–5 (2); TE1 12 and TE2 32 layers.</summary>
    public static List<TestLayer> SdxlLayers(int width = 4, int context = 16, int te = 8, bool conv = false)
    {
        var layers = new List<TestLayer>();
        void Transformer(string p, int c, int depth)
        {
            layers.Add(new(p + "_proj_in", c, c));
            for (int d = 0; d < depth; d++)
            {
                foreach (var a in new[] { "attn1", "attn2" })
                {
                    layers.Add(new($"{p}_transformer_blocks_{d}_{a}_to_q", c, c));
                    layers.Add(new($"{p}_transformer_blocks_{d}_{a}_to_k", c, a == "attn2" ? context : c));
                    layers.Add(new($"{p}_transformer_blocks_{d}_{a}_to_v", c, a == "attn2" ? context : c));
                    layers.Add(new($"{p}_transformer_blocks_{d}_{a}_to_out_0", c, c));
                }
                layers.Add(new($"{p}_transformer_blocks_{d}_ff_net_0_proj", 8 * c, c));
                layers.Add(new($"{p}_transformer_blocks_{d}_ff_net_2", c, 4 * c));
            }
            layers.Add(new(p + "_proj_out", c, c));
        }
        int[] ch = { width, 2 * width, 4 * width };
        foreach (var (i, c, depth) in new[] { (4, ch[1], 2), (5, ch[1], 2), (7, ch[2], 10), (8, ch[2], 10) }) Transformer($"lora_unet_input_blocks_{i}_1", c, depth);
        Transformer("lora_unet_middle_block_1", ch[2], 10);
        foreach (var (i, c, depth) in new[] { (0, ch[2], 10), (1, ch[2], 10), (2, ch[2], 10), (3, ch[1], 2), (4, ch[1], 2), (5, ch[1], 2) })
            Transformer($"lora_unet_output_blocks_{i}_1", c, depth);
        if (conv)
            foreach (int i in new[] { 1, 2, 4, 5, 7, 8 })
            {
                int c = ch[(i - 1) / 3];
                layers.Add(new($"lora_unet_input_blocks_{i}_0_in_layers_2", c, c, 3, true));
                layers.Add(new($"lora_unet_input_blocks_{i}_0_out_layers_3", c, c, 3, true));
                layers.Add(new($"lora_unet_input_blocks_{i}_0_emb_layers_1", c, 4 * width));
            }
        foreach (var (prefix, n) in new[] { ("lora_te1", 12), ("lora_te2", 32) })
            for (int i = 0; i < n; i++)
            {
                string p = $"{prefix}_text_model_encoder_layers_{i}_";
                foreach (var q in new[] { "q", "k", "v", "out" }) layers.Add(new($"{p}self_attn_{q}_proj", te, te));
                layers.Add(new(p + "mlp_fc1", 4 * te, te));
                layers.Add(new(p + "mlp_fc2", te, 4 * te));
            }
        return layers;
    }

    public static float[] Random(Random rng, long n, float scale = 1f)
    {
        var v = new float[n];
        for (long i = 0; i < n; i++) v[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return v;
    }

    /// <summary>The factors of one module of a test LoRA.</summary>
    public sealed record Factors(TestLayer Layer, float[] Down, float[] Up, int Rank, float Alpha);

    /// <summary>Writes a kohya LoRA (or, with <paramref name="peft"/>, the diffusers/PEFT layout) and returns its factors.</summary>
    public static Dictionary<string, Factors> WriteLora(string path, IEnumerable<TestLayer> layers, int rank, float alpha, int convRank = 0,
        float convAlpha = 1, int seed = 1, SafeTensorDType dtype = SafeTensorDType.F32, IReadOnlyDictionary<string, string>? metadata = null,
        bool peft = false, Func<TestLayer, (float[] Down, float[] Up, int Rank)>? factors = null)
    {
        var rng = new Random(seed);
        var entries = new List<SafeTensorEntry>();
        var result = new Dictionary<string, Factors>();
        foreach (var layer in layers)
        {
            int r = layer.IsConv3 ? convRank : rank;
            if (r == 0) continue;
            float a = layer.IsConv3 ? convAlpha : alpha;
            float[] down, up;
            if (factors != null) (down, up, r) = factors(layer);
            else { down = Random(rng, (long)r * layer.Columns); up = Random(rng, (long)layer.Out * r, 0.5f); }
            // Round through the storage dtype so the test's own copy equals what the file holds.
            down = RoundTrip(down, dtype); up = RoundTrip(up, dtype);
            result[layer.Name] = new Factors(layer, down, up, r, a);
            long[] downShape = layer.FourD ? new long[] { r, layer.In, layer.K, layer.K } : new long[] { r, layer.In };
            long[] upShape = layer.FourD ? new long[] { layer.Out, r, 1, 1 } : new long[] { layer.Out, r };
            string down_key, up_key, alpha_key;
            if (peft)
            {
                string p = PeftName(layer.Name);
                (down_key, up_key, alpha_key) = (p + ".lora_A.weight", p + ".lora_B.weight", p + ".alpha");
            }
            else (down_key, up_key, alpha_key) = (layer.Name + ".lora_down.weight", layer.Name + ".lora_up.weight", layer.Name + ".alpha");
            entries.Add(SafeTensorEntry.FromSingles(down_key, dtype, downShape, down));
            entries.Add(SafeTensorEntry.FromSingles(up_key, dtype, upShape, up));
            entries.Add(SafeTensorEntry.FromSingles(alpha_key, dtype, Array.Empty<long>(), new[] { a }));
        }
        SafeTensorsWriter.Write(path, entries, metadata, overwrite: true);
        return result;
    }

    public static float[] RoundTrip(float[] v, SafeTensorDType dtype)
    {
        var back = new float[v.Length];
        HalfConversions.ToSingle(HalfConversions.Encode(v, dtype), dtype, back);
        return back;
    }

    /// <summary>kohya SD1 name → diffusers/PEFT dotted name (for layout conversion tests).</summary>
    public static string PeftName(string kohya)
    {
        if (kohya.StartsWith("lora_te_"))
            return "text_encoder." + kohya["lora_te_".Length..].Replace("text_model_encoder_layers_", "text_model.encoder.layers.")
                .Replace("_self_attn_", ".self_attn.").Replace("_mlp_", ".mlp.");
        string s = kohya["lora_unet_".Length..];
        s = System.Text.RegularExpressions.Regex.Replace(s, @"^(down_blocks|up_blocks)_(\d+)_(attentions|resnets|downsamplers|upsamplers)_(\d+)_", "$1.$2.$3.$4.");
        s = s.Replace("mid_block_attentions_0_", "mid_block.attentions.0.");
        s = System.Text.RegularExpressions.Regex.Replace(s, @"transformer_blocks_(\d+)_", "transformer_blocks.$1.");
        s = s.Replace("attn1_", "attn1.").Replace("attn2_", "attn2.").Replace("to_out_0", "to_out.0").Replace("ff_net_0_proj", "ff.net.0.proj").Replace("ff_net_2", "ff.net.2");
        return "unet." + s;
    }

    /// <summary>Dense delta up @ down as [out, in·k·k] (double accumulation).</summary>
    public static double[] Delta(Factors f)
    {
        int o = f.Layer.Out, c = f.Layer.Columns, r = f.Rank;
        var d = new double[(long)o * c];
        for (int i = 0; i < o; i++)
            for (int k = 0; k < r; k++)
            {
                double u = f.Up[i * r + k];
                for (int j = 0; j < c; j++) d[(long)i * c + j] += u * f.Down[(long)k * c + j];
            }
        return d;
    }
}
