namespace LoraPS.Bench;

/// <summary>The SD1.5 layers a kohya LoRA with conv_dim adapts, with their real sizes (kohya names).</summary>
public static class Sd15Shapes
{
    public sealed record Layer(string Name, int Out, int In, int K, bool FourD)
    {
        public long Columns => (long)In * K * K;
    }

    public static List<Layer> LoconLayers()
    {
        var layers = new List<Layer>();
        int[] ch = { 320, 640, 1280, 1280 };
        const int context = 768, temb = 1280, te = 768;
        void Transformer(string p, int c)
        {
            layers.Add(new(p + "_proj_in", c, c, 1, true));
            foreach (var a in new[] { "attn1", "attn2" })
            {
                int kv = a == "attn2" ? context : c;
                layers.Add(new($"{p}_transformer_blocks_0_{a}_to_q", c, c, 1, false));
                layers.Add(new($"{p}_transformer_blocks_0_{a}_to_k", c, kv, 1, false));
                layers.Add(new($"{p}_transformer_blocks_0_{a}_to_v", c, kv, 1, false));
                layers.Add(new($"{p}_transformer_blocks_0_{a}_to_out_0", c, c, 1, false));
            }
            layers.Add(new(p + "_transformer_blocks_0_ff_net_0_proj", 8 * c, c, 1, false));
            layers.Add(new(p + "_transformer_blocks_0_ff_net_2", c, 4 * c, 1, false));
            layers.Add(new(p + "_proj_out", c, c, 1, true));
        }
        void Resnet(string p, int cin, int c)
        {
            layers.Add(new(p + "_conv1", c, cin, 3, true));
            layers.Add(new(p + "_time_emb_proj", c, temb, 1, false));
            layers.Add(new(p + "_conv2", c, c, 3, true));
            if (cin != c) layers.Add(new(p + "_conv_shortcut", c, cin, 1, true));
        }
        for (int b = 0; b < 4; b++)
            for (int j = 0; j < 2; j++)
            {
                Resnet($"lora_unet_down_blocks_{b}_resnets_{j}", j == 0 && b > 0 ? ch[b - 1] : ch[b], ch[b]);
                if (b < 3) Transformer($"lora_unet_down_blocks_{b}_attentions_{j}", ch[b]);
                if (j == 1 && b < 3) layers.Add(new($"lora_unet_down_blocks_{b}_downsamplers_0_conv", ch[b], ch[b], 3, true));
            }
        Resnet("lora_unet_mid_block_resnets_0", 1280, 1280);
        Transformer("lora_unet_mid_block_attentions_0", 1280);
        Resnet("lora_unet_mid_block_resnets_1", 1280, 1280);
        // Up path: each resnet takes the previous output plus a skip; the skips come back in reverse.
        int[] skips = { 320, 320, 320, 640, 640, 640, 1280, 1280, 1280, 1280, 1280, 1280 };
        int prev = 1280, s = skips.Length - 1;
        for (int b = 0; b < 4; b++)
        {
            int c = ch[3 - b];
            for (int j = 0; j < 3; j++)
            {
                Resnet($"lora_unet_up_blocks_{b}_resnets_{j}", prev + skips[s--], c);
                prev = c;
                if (b > 0) Transformer($"lora_unet_up_blocks_{b}_attentions_{j}", c);
            }
            if (b < 3) layers.Add(new($"lora_unet_up_blocks_{b}_upsamplers_0_conv", c, c, 3, true));
        }
        for (int i = 0; i < 12; i++)
        {
            string p = $"lora_te_text_model_encoder_layers_{i}_";
            foreach (var q in new[] { "q", "k", "v", "out" }) layers.Add(new($"{p}self_attn_{q}_proj", te, te, 1, false));
            layers.Add(new(p + "mlp_fc1", 4 * te, te, 1, false));
            layers.Add(new(p + "mlp_fc2", te, 4 * te, 1, false));
        }
        return layers;
    }
}
