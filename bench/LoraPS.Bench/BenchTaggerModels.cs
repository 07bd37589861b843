using System.Text;
using LoraPS.Formats.Onnx;
using LoraPS.Onnx;

namespace LoraPS.Bench;

/// <summary>Tagger-shaped ONNX models for timing, written with LoraPS's ONNX writer.</summary>
internal static class BenchTaggerModels
{
    public static void WriteTags(string folder, int count)
    {
        var sb = new StringBuilder("tag_id,name,category,count\n");
        string[] ratings = { "general", "sensitive", "questionable", "explicit" };
        for (int i = 0; i < count; i++)
            sb.Append(i).Append(',').Append(i < 4 ? ratings[i] : $"tag_{i}").Append(',').Append(i < 4 ? 9 : i % 5 == 0 ? 4 : 0).Append(",1\n");
        File.WriteAllText(Path.Combine(folder, "selected_tags.csv"), sb.ToString());
    }

    /// <summary>Scores that cost nothing: channel means through zero weights, to time everything but the network.</summary>
    public static void WriteTrivial(string folder, int tags)
    {
        Directory.CreateDirectory(folder);
        var g = new OnnxGraph { Name = "trivial" };
        g.AddInput("input", OnnxElementType.Float, "N", 448, 448, 3);
        string mean = g.Add("ReduceMean", new[] { "input" }, OnnxAttribute.IntList("axes", 1, 2), OnnxAttribute.Int("keepdims", 0));
        string mm = g.Add("MatMul", new[] { mean, g.AddInitializer("w", new float[3 * tags], 3, tags) });
        // A realistic caption: the 4 ratings, then about 30 tags over the threshold, the rest far below it.
        var scores = new float[tags];
        for (int i = 0; i < tags; i++) scores[i] = i < 4 ? 0.25f : i % 300 == 7 ? 0.9f : 0.01f;
        g.AddNode("Add", new[] { mm, g.AddInitializer("b", scores, tags) }, new[] { "output" });
        g.AddOutput("output", OnnxElementType.Float, "N", tags);
        OnnxModelWriter.Write(Path.Combine(folder, "model.onnx"), g, overwrite: true);
        WriteTags(folder, tags);
    }

    /// <summary>
    /// ConvNeXt-Base as WD14's ConvNeXt tagger: NHWC 448×448×3 in, stem 4×4/4, stages of depth 3-3-27-3 with
    /// widths 128-256-512-1024 (7×7 depthwise conv, LayerNorm, 4× MLP with GELU, layer scale, residual),
    /// 2×2/2 downsampling, global pooling, LayerNorm, a 1024→tags head and a sigmoid. Random weights.
    /// </summary>
    public static long WriteConvNeXt(string folder, int tags, OnnxDim batch, int seed = 1)
    {
        Directory.CreateDirectory(folder);
        var random = new Random(seed);
        long parameters = 0;
        var g = new OnnxGraph { Name = "convnext_tagger" };
        string Weights(string stem, float scale, params long[] dims)
        {
            long n = dims.Aggregate(1L, (a, b) => a * b);
            parameters += n;
            var data = new float[n];
            for (long i = 0; i < n; i++) data[i] = (float)(random.NextDouble() * 2 - 1) * scale;
            return g.AddInitializer(g.NewName(stem), data, dims);
        }
        string Constant(string stem, float value, params long[] dims)
        {
            long n = dims.Aggregate(1L, (a, b) => a * b);
            parameters += n;
            return g.AddInitializer(g.NewName(stem), Enumerable.Repeat(value, (int)n).ToArray(), dims);
        }
        string LayerNorm(string x, int c) =>
            g.Add("LayerNormalization", new[] { x, Constant("ln_g", 1f, c), Constant("ln_b", 0f, c) }, OnnxAttribute.Int("axis", -1), OnnxAttribute.Float("epsilon", 1e-6f));
        string ToNhwc(string x) => g.Add("Transpose", new[] { x }, OnnxAttribute.IntList("perm", 0, 2, 3, 1));
        string ToNchw(string x) => g.Add("Transpose", new[] { x }, OnnxAttribute.IntList("perm", 0, 3, 1, 2));
        string Conv(string x, int cin, int cout, int k, int stride, int groups, int pad) =>
            g.Add("Conv", new[] { x, Weights("conv_w", 1f / MathF.Sqrt(cin / groups * k * k), cout, cin / groups, k, k), Constant("conv_b", 0f, cout) },
                OnnxAttribute.IntList("kernel_shape", k, k), OnnxAttribute.IntList("strides", stride, stride),
                OnnxAttribute.IntList("pads", pad, pad, pad, pad), OnnxAttribute.Int("group", groups));
        string Linear(string x, int cin, int cout, float bias = 0f) =>
            g.Add("Add", new[] { g.Add("MatMul", new[] { x, Weights("fc_w", 1f / MathF.Sqrt(cin), cin, cout) }), Constant("fc_b", bias, cout) });
        string Gelu(string x)
        {
            string inner = g.Add("Erf", new[] { g.Add("Div", new[] { x, Constant("sqrt2", MathF.Sqrt(2f)) }) });
            string onePlus = g.Add("Add", new[] { inner, Constant("one", 1f) });
            return g.Add("Mul", new[] { g.Add("Mul", new[] { x, onePlus }), Constant("half", 0.5f) });
        }

        g.AddInput("input_1", OnnxElementType.Float, batch, 448, 448, 3);
        int[] depths = { 3, 3, 27, 3 }, dims = { 128, 256, 512, 1024 };
        string h = Conv(ToNchw("input_1"), 3, dims[0], 4, 4, 1, 0);
        h = ToNchw(LayerNorm(ToNhwc(h), dims[0]));
        for (int stage = 0; stage < 4; stage++)
        {
            int c = dims[stage];
            if (stage > 0)
            {
                h = ToNchw(LayerNorm(ToNhwc(h), dims[stage - 1]));
                h = Conv(h, dims[stage - 1], c, 2, 2, 1, 0);
            }
            for (int block = 0; block < depths[stage]; block++)
            {
                string y = ToNhwc(Conv(h, c, c, 7, 1, c, 3));
                y = LayerNorm(y, c);
                y = Linear(Gelu(Linear(y, c, 4 * c)), 4 * c, c);
                y = g.Add("Mul", new[] { y, Constant("gamma", 1e-6f, c) });
                h = g.Add("Add", new[] { h, ToNchw(y) });
            }
        }
        string pooled = g.Add("Flatten", new[] { g.Add("GlobalAveragePool", new[] { h }) }, OnnxAttribute.Int("axis", 1));
        // Head bias −4 keeps most random-weight scores low, so captions have a realistic length.
        string logits = Linear(LayerNorm(pooled, dims[3]), dims[3], tags, -4f);
        g.AddNode("Sigmoid", new[] { logits }, new[] { "predictions_sigmoid" });
        g.AddOutput("predictions_sigmoid", OnnxElementType.Float, batch, tags);
        // LayerNormalization needs opset 17.
        OnnxModelWriter.Write(Path.Combine(folder, "model.onnx"), g, irVersion: 8, opset: 17, overwrite: true);
        WriteTags(folder, tags);
        return parameters;
    }
}
