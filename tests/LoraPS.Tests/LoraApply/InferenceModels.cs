using LoraPS.Formats.SafeTensors;
using LoraPS.Models.Lora;
using LoraPS.Models.StableDiffusion.TextEncoders;
using LoraPS.Models.StableDiffusion.UNet;
using LoraPS.Tests.Lora;
using LoraPS.Torch;
using LoraPS.Torch.Modules;

namespace LoraPS.Tests.LoraApply;

/// <summary>Tiny random text encoders and UNets, the LoRA layer lists they imply, in-memory merging and forward helpers.</summary>
internal static class InferenceModels
{
    public static readonly ClipTextEncoderConfig TinyText = new()
    {
        VocabSize = 100, MaxPositions = 16, Width = 8, Layers = 2, Heads = 2, Activation = ClipActivation.QuickGelu, PadTokenId = 99, LayerUsed = ClipLayerUsed.Last,
    };

    /// <summary>Two levels (8 and 16 channels), attention on the first, context width 6; 1×1 conv projections unless <paramref name="linear"/>.</summary>
    public static UNetConfig TinyUNet(bool linear = false, int context = 6) => new()
    {
        ModelChannels = 8, ChannelMult = new[] { 1, 2 }, AttentionLevels = new[] { 0 }, ContextDim = context, NumResBlocks = 2,
        NumHeads = linear ? null : 2, NumHeadChannels = linear ? 4 : null, UseLinearInTransformer = linear, NormGroups = 4,
    };

    /// <summary>Every Linear and Conv2d below <paramref name="root"/> as a test LoRA layer named kohya's way.</summary>
    public static List<TestLayer> LayersOf(Module root, string prefix)
    {
        var layers = new List<TestLayer>();
        foreach (var (path, module) in root.named_modules())
        {
            string name = prefix + KohyaNames.Underscore(path);
            switch (module)
            {
                case Linear l: layers.Add(new TestLayer(name, (int)l.weight.shape[0], (int)l.weight.shape[1])); break;
                case Conv2d c: layers.Add(new TestLayer(name, (int)c.weight.shape[0], (int)c.weight.shape[1], (int)c.weight.shape[2], true)); break;
            }
        }
        return layers;
    }

    public static List<TestLayer> AllLayers(ClipTextEncoder te, UNet2DConditionModel unet) =>
        LayersOf(te, "lora_te_").Concat(LayersOf(unet, "lora_unet_")).ToList();

    public static ClipTextEncoder NewTextEncoder()
    {
        var te = new ClipTextEncoder(TinyText);
        te.eval();
        return te;
    }

    public static UNet2DConditionModel NewUNet(UNetConfig? config = null)
    {
        var unet = new UNet2DConditionModel(config ?? TinyUNet());
        unet.eval();
        return unet;
    }

    /// <summary>A second model with <paramref name="source"/>'s weights (the model the test merges into).</summary>
    public static T Copy<T>(T source, Func<T> make) where T : Module
    {
        var copy = make();
        copy.load_state_dict(source.state_dict());
        copy.eval();
        return copy;
    }

    public static ClipTextEncoder Copy(ClipTextEncoder te) => Copy(te, () => new ClipTextEncoder(te.Config));
    public static UNet2DConditionModel Copy(UNet2DConditionModel unet) => Copy(unet, () => new UNet2DConditionModel(unet.Config));

    /// <summary>The Linear/Conv2d weight of <paramref name="root"/> under the kohya name.</summary>
    public static Parameter WeightOf(Module root, string prefix, string kohyaName)
    {
        foreach (var (path, module) in root.named_modules())
            if (prefix + KohyaNames.Underscore(path) == kohyaName)
                return module switch { Linear l => l.weight, Conv2d c => c.weight, _ => throw new InvalidOperationException($"{path} is a {module.GetType().Name}") };
        throw new KeyNotFoundException(kohyaName);
    }

    /// <summary>W += coefficient · delta, delta [out, in·k·k] row-major, into the matching model.</summary>
    public static void Merge(ClipTextEncoder? te, UNet2DConditionModel? unet, string kohyaName, double[] delta, double coefficient)
    {
        Module root = kohyaName.StartsWith("lora_te_", StringComparison.Ordinal) ? te! : unet!;
        var weight = WeightOf(root, kohyaName.StartsWith("lora_te_", StringComparison.Ordinal) ? "lora_te_" : "lora_unet_", kohyaName);
        using var d = torch.tensor(delta, weight.shape);
        using var f = d.to(weight.dtype);
        using (torch.no_grad()) weight.add_(f, coefficient);
    }

    /// <summary>Merges a test LoRA written by <see cref="TestLoras.WriteLora"/>.</summary>
    public static void Merge(ClipTextEncoder? te, UNet2DConditionModel? unet, IReadOnlyDictionary<string, TestLoras.Factors> lora, double teStrength, double unetStrength,
        Func<string, double>? blockWeight = null)
    {
        foreach (var (name, f) in lora)
        {
            double s = name.StartsWith("lora_te", StringComparison.Ordinal) ? teStrength : unetStrength;
            Merge(te, unet, name, TestLoras.Delta(f), s * (blockWeight?.Invoke(name) ?? 1.0) * f.Alpha / f.Rank);
        }
    }

    public static Tensor Ids(int seed)
    {
        var random = new Random(seed);
        return torch.tensor(Enumerable.Range(0, 2 * 7).Select(_ => (long)random.Next(0, 98)).ToArray(), 2, 7);
    }

    public sealed class UNetInputs : IDisposable
    {
        public UNetInputs(int seed, int context = 6)
        {
            using var g = new Generator((ulong)seed);
            Sample = torch.randn(new long[] { 2, 4, 8, 8 }, generator: g);
            Timesteps = torch.tensor(new long[] { 10, 999 }, 2);
            Context = torch.randn(new long[] { 2, 5, context }, generator: g);
        }

        public Tensor Sample { get; }
        public Tensor Timesteps { get; }
        public Tensor Context { get; }

        public void Dispose()
        {
            Sample.Dispose();
            Timesteps.Dispose();
            Context.Dispose();
        }
    }

    public static float[] Encode(ClipTextEncoder te, Tensor ids)
    {
        using var _ = torch.no_grad();
        using var hidden = te.Encode(ids);
        return hidden.data<float>();
    }

    public static float[] Denoise(UNet2DConditionModel unet, UNetInputs x)
    {
        using var _ = torch.no_grad();
        using var output = unet.forward(x.Sample, x.Timesteps, x.Context);
        return output.data<float>();
    }

    /// <summary>|expected − actual| ≤ tolerance × the largest |expected| everywhere; returns that relative error.</summary>
    public static double AssertClose(float[] expected, float[] actual, string what, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = Math.Max(1e-12, expected.Max(v => Math.Abs((double)v)));
        double error = expected.Zip(actual, (a, b) => Math.Abs((double)a - b)).Max();
        Assert.True(error <= tolerance * scale, $"{what}: max error {error:E3} > {tolerance:E0} × {scale:E3}");
        return error / scale;
    }

    /// <summary>Asserts the outputs differ clearly (so a closeness check above is not vacuous).</summary>
    public static void AssertChanged(float[] before, float[] after, string what)
    {
        double scale = Math.Max(1e-12, before.Max(v => Math.Abs((double)v)));
        double change = before.Zip(after, (a, b) => Math.Abs((double)a - b)).Max();
        Assert.True(change > 1e-3 * scale, $"{what}: the LoRA changed the output by only {change:E3} (scale {scale:E3})");
    }

    /// <summary>Number of adapters on every Linear/Conv2d below <paramref name="root"/>.</summary>
    public static int AdapterCount(Module root) => root.named_modules().Sum(m => m.module switch
    {
        Linear l => l.adapters.Count,
        Conv2d c => c.adapters.Count,
        _ => 0,
    });

    /// <summary>A LyCORIS file of LoHa modules; returns each module's dense delta and alpha/r.</summary>
    public static Dictionary<string, (double[] Delta, double Scale)> WriteLoha(string path, IEnumerable<TestLayer> layers, int rank, float alpha, int seed)
    {
        var rng = new Random(seed);
        var entries = new List<SafeTensorEntry>();
        var result = new Dictionary<string, (double[], double)>();
        foreach (var layer in layers)
        {
            int o = layer.Out, c = layer.Columns;
            float[] w1a = TestLoras.Random(rng, o * rank), w1b = TestLoras.Random(rng, rank * c), w2a = TestLoras.Random(rng, o * rank), w2b = TestLoras.Random(rng, rank * c);
            var delta = new double[(long)o * c];
            for (int i = 0; i < o; i++)
                for (int j = 0; j < c; j++)
                {
                    double p = 0, q = 0;
                    for (int k = 0; k < rank; k++) { p += (double)w1a[i * rank + k] * w1b[k * c + j]; q += (double)w2a[i * rank + k] * w2b[k * c + j]; }
                    delta[(long)i * c + j] = p * q;
                }
            result[layer.Name] = (delta, alpha / rank);
            entries.Add(SafeTensorEntry.FromSingles(layer.Name + ".hada_w1_a", SafeTensorDType.F32, new long[] { o, rank }, w1a));
            entries.Add(SafeTensorEntry.FromSingles(layer.Name + ".hada_w1_b", SafeTensorDType.F32, new long[] { rank, c }, w1b));
            entries.Add(SafeTensorEntry.FromSingles(layer.Name + ".hada_w2_a", SafeTensorDType.F32, new long[] { o, rank }, w2a));
            entries.Add(SafeTensorEntry.FromSingles(layer.Name + ".hada_w2_b", SafeTensorDType.F32, new long[] { rank, c }, w2b));
            entries.Add(SafeTensorEntry.FromSingles(layer.Name + ".alpha", SafeTensorDType.F32, Array.Empty<long>(), new[] { alpha }));
        }
        SafeTensorsWriter.Write(path, entries, overwrite: true);
        return result;
    }

    /// <summary>
    /// A LyCORIS file of LoKr modules: kron(w1 [a, c], w2 [b, d·k·k]) with a, c = 2 where the sizes are even.
    /// Linear layers get a full w2 (scale 1), convolutions a rank-<paramref name="rank"/> w2 = w2_a @ w2_b (scale alpha/r).
    /// </summary>
    public static Dictionary<string, (double[] Delta, double Scale)> WriteLokr(string path, IEnumerable<TestLayer> layers, int rank, float alpha, int seed)
    {
        var rng = new Random(seed);
        var entries = new List<SafeTensorEntry>();
        var result = new Dictionary<string, (double[], double)>();
        foreach (var layer in layers)
        {
            int a = layer.Out % 2 == 0 ? 2 : 1, c = layer.In % 2 == 0 ? 2 : 1;
            int b = layer.Out / a, d = layer.In / c, kk = layer.K * layer.K;
            float[] w1 = TestLoras.Random(rng, a * c);
            double[] w2 = new double[(long)b * d * kk];
            double scale;
            entries.Add(SafeTensorEntry.FromSingles(layer.Name + ".lokr_w1", SafeTensorDType.F32, new long[] { a, c }, w1));
            if (!layer.FourD)
            {
                float[] full = TestLoras.Random(rng, b * d);
                for (int i = 0; i < full.Length; i++) w2[i] = full[i];
                entries.Add(SafeTensorEntry.FromSingles(layer.Name + ".lokr_w2", SafeTensorDType.F32, new long[] { b, d }, full));
                scale = 1.0;
            }
            else
            {
                float[] w2a = TestLoras.Random(rng, b * rank), w2b = TestLoras.Random(rng, rank * d * kk);
                for (int i = 0; i < b; i++)
                    for (int j = 0; j < d * kk; j++)
                        for (int k = 0; k < rank; k++) w2[(long)i * d * kk + j] += (double)w2a[i * rank + k] * w2b[k * d * kk + j];
                entries.Add(SafeTensorEntry.FromSingles(layer.Name + ".lokr_w2_a", SafeTensorDType.F32, new long[] { b, rank }, w2a));
                entries.Add(SafeTensorEntry.FromSingles(layer.Name + ".lokr_w2_b", SafeTensorDType.F32, new long[] { rank, d * kk }, w2b));
                scale = alpha / rank;
            }
            entries.Add(SafeTensorEntry.FromSingles(layer.Name + ".alpha", SafeTensorDType.F32, Array.Empty<long>(), new[] { alpha }));
            // row (i·b + j), column ((k·d + l)·kk + h): w1[i, k] · w2[j, l·kk + h]
            var delta = new double[(long)layer.Out * layer.Columns];
            for (int i = 0; i < a; i++) for (int j = 0; j < b; j++) for (int k = 0; k < c; k++) for (int l = 0; l < d; l++) for (int h = 0; h < kk; h++)
                delta[(long)(i * b + j) * layer.Columns + (k * d + l) * kk + h] = w1[i * c + k] * w2[(long)j * d * kk + l * kk + h];
            result[layer.Name] = (delta, scale);
        }
        SafeTensorsWriter.Write(path, entries, overwrite: true);
        return result;
    }
}
