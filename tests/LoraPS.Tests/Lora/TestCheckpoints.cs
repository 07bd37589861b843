using LoraPS.Formats.SafeTensors;
using LoraPS.Models.Lora;

namespace LoraPS.Tests.Lora;

/// <summary>Tiny SD1 single-file checkpoints whose adapted weights match a test layer list.</summary>
public static class TestCheckpoints
{
    /// <summary>The single-file key of a kohya SD1 module's weight.</summary>
    public static string KeyOf(string kohya)
    {
        string dotted = TestLoras.PeftName(kohya);
        if (dotted.StartsWith("text_encoder."))
            return "cond_stage_model.transformer." + dotted["text_encoder.".Length..] + ".weight";
        return "model.diffusion_model." + UNetNames.DiffusersToLdm(dotted["unet.".Length..], sdxl: false) + ".weight";
    }

    /// <summary>Writes the checkpoint; returns key → float32 values (as stored after rounding to <paramref name="dtype"/>).</summary>
    public static Dictionary<string, (float[] Values, long[] Shape)> WriteSd1(string path, IEnumerable<TestLayer> layers, int seed = 7,
        SafeTensorDType dtype = SafeTensorDType.F32, Func<string, float[], float[]>? edit = null, bool ckpt = false)
    {
        var rng = new Random(seed);
        var tensors = new Dictionary<string, (float[], long[])>();
        foreach (var l in layers)
        {
            long[] shape = l.FourD ? new long[] { l.Out, l.In, l.K, l.K } : new long[] { l.Out, l.In };
            string key = KeyOf(l.Name);
            tensors[key] = (TestLoras.Random(rng, (long)l.Out * l.Columns), shape);
            tensors[key.Replace(".weight", ".bias")] = (TestLoras.Random(rng, l.Out), new long[] { l.Out });
        }
        tensors["model.diffusion_model.input_blocks.0.0.weight"] = (TestLoras.Random(rng, 4 * 4 * 9), new long[] { 4, 4, 3, 3 });
        tensors["first_stage_model.decoder.conv_out.weight"] = (TestLoras.Random(rng, 3 * 4 * 9), new long[] { 3, 4, 3, 3 });
        tensors["cond_stage_model.transformer.text_model.final_layer_norm.weight"] = (TestLoras.Random(rng, 8), new long[] { 8 });
        var result = new Dictionary<string, (float[], long[])>();
        foreach (var (k, (v, s)) in tensors)
        {
            var values = TestLoras.RoundTrip(edit?.Invoke(k, v) ?? v, dtype);
            result[k] = (values, s);
        }
        if (ckpt)
            Checkpoint.PickleWriter.WriteCheckpoint(path, result.Select(kv => (kv.Key, kv.Value.Item1, kv.Value.Item2, dtype)).ToList());
        else
            SafeTensorsWriter.Write(path, result.Select(kv => SafeTensorEntry.FromSingles(kv.Key, dtype, kv.Value.Item2, kv.Value.Item1)), overwrite: true);
        return result;
    }
}
