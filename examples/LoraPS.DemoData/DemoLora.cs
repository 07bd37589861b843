using LoraPS.Formats.SafeTensors;

namespace LoraPS.DemoData;

/// <summary>
/// Kohya LoRAs (rank 32, alpha 16, float16) with SD1 module names: <see cref="Write"/> at SD1.5's real layer
/// widths for the text encoder's 12 layers and the first down block's two transformers (for the LoRA tools),
/// <see cref="WriteForDemoModel"/> at the widths of <see cref="DemoBaseModel"/> (for the preview). Each module's
/// singular values fall off geometrically, as in trained LoRAs, so a dynamic resize has something to cut.
/// </summary>
internal static class DemoLora
{
    private const int Rank = 32;

    public static void Write(string path) => Write(path, Sd15Modules(), "demo_lora", 0.02f);

    public static void WriteForDemoModel(string path) => Write(path, DemoModelModules(), "demo_style", 0.5f);

    private static void Write(string path, IEnumerable<(string Name, int In, int Out)> modules, string outputName, float scale)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var random = new Random(1234);
        var entries = new List<SafeTensorEntry>();
        foreach (var (name, input, output) in modules)
        {
            // up[:, i] carries the i-th singular direction with weight 0.8^i; down rows are random.
            var up = new float[output * Rank];
            var down = new float[Rank * input];
            for (int o = 0; o < output; o++)
                for (int i = 0; i < Rank; i++) up[o * Rank + i] = Gaussian(random) * scale * MathF.Pow(0.8f, i);
            for (int i = 0; i < Rank * input; i++) down[i] = Gaussian(random) / MathF.Sqrt(input);
            entries.Add(SafeTensorEntry.FromSingles($"{name}.lora_up.weight", SafeTensorDType.F16, new long[] { output, Rank }, up));
            entries.Add(SafeTensorEntry.FromSingles($"{name}.lora_down.weight", SafeTensorDType.F16, new long[] { Rank, input }, down));
            entries.Add(SafeTensorEntry.FromSingles($"{name}.alpha", SafeTensorDType.F16, Array.Empty<long>(), new[] { 16f }));
        }
        var metadata = new Dictionary<string, string>
        {
            ["ss_network_module"] = "networks.lora",
            ["ss_network_dim"] = Rank.ToString(),
            ["ss_network_alpha"] = "16",
            ["ss_base_model_version"] = "sd_v1",
            ["ss_output_name"] = outputName,
            ["ss_tag_frequency"] = "{\"20_mylora 1boy\": {\"mylora\": 12, \"red_theme\": 3, \"simple_background\": 12}}",
        };
        SafeTensorsWriter.Write(path, entries, metadata, overwrite: true);
    }

    private static IEnumerable<(string Name, int In, int Out)> DemoModelModules()
    {
        for (int layer = 0; layer < 2; layer++)
            foreach (string proj in new[] { "q_proj", "v_proj" }) yield return ($"lora_te_text_model_encoder_layers_{layer}_self_attn_{proj}", 32, 32);
        foreach (string block in new[] { "down_blocks_0_attentions_0", "down_blocks_0_attentions_1", "up_blocks_3_attentions_0", "up_blocks_3_attentions_2" })
        {
            string p = $"lora_unet_{block}_transformer_blocks_0_";
            foreach (string proj in new[] { "attn1_to_q", "attn1_to_v", "attn1_to_out_0", "attn2_to_v", "attn2_to_out_0" }) yield return (p + proj, 32, 32);
        }
    }

    private static IEnumerable<(string Name, int In, int Out)> Sd15Modules()
    {
        for (int layer = 0; layer < 12; layer++)
        {
            string p = $"lora_te_text_model_encoder_layers_{layer}_";
            foreach (string proj in new[] { "q_proj", "k_proj", "v_proj", "out_proj" }) yield return (p + "self_attn_" + proj, 768, 768);
            yield return (p + "mlp_fc1", 768, 3072);
            yield return (p + "mlp_fc2", 3072, 768);
        }
        for (int block = 0; block < 2; block++)
        {
            string p = $"lora_unet_down_blocks_0_attentions_{block}_transformer_blocks_0_";
            foreach (string proj in new[] { "to_q", "to_k", "to_v", "to_out_0" }) yield return (p + "attn1_" + proj, 320, 320);
            yield return (p + "attn2_to_q", 320, 320);
            yield return (p + "attn2_to_k", 768, 320);
            yield return (p + "attn2_to_v", 768, 320);
            yield return (p + "attn2_to_out_0", 320, 320);
            yield return (p + "ff_net_0_proj", 320, 2560);
            yield return (p + "ff_net_2", 1280, 320);
        }
    }

    private static float Gaussian(Random random) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
}
