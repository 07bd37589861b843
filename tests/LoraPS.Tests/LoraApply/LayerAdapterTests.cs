using LoraPS.Models.Lora.Inference;
using LoraPS.Models.StableDiffusion.UNet;
using LoraPS.Tests.Engine;
using LoraPS.Torch;
using LoraPS.Torch.Modules;
using F = LoraPS.Torch.torch.nn.functional;

namespace LoraPS.Tests.LoraApply;

/// <summary>The engine's adapter hook on Linear and Conv2d, and gradients through adapters (what LoRA training will rely on).</summary>
public sealed class LayerAdapterTests
{
    /// <summary>Adds a fixed tensor, counting its calls.</summary>
    private sealed class ConstantAdapter : ILayerAdapter
    {
        private readonly Tensor _value;
        public int Calls;
        public ConstantAdapter(Tensor value) => _value = value;
        public Tensor Forward(Tensor input) { Calls++; return _value.clone(); }
    }

    [Fact]
    public void Without_adapters_the_layers_give_the_plain_ops_and_with_them_add_each_term_in_order()
    {
        using var g = new Generator(3);
        using var linear = new Linear(5, 4);
        using var conv = new Conv2d(3, 4, 3, stride: 2, padding: 1);
        using var x = torch.randn(new long[] { 2, 7, 5 }, generator: g);
        using var image = torch.randn(new long[] { 2, 3, 8, 8 }, generator: g);
        using var plainLinear = F.linear(x, linear.weight, linear.bias);
        using var plainConv = F.conv2d(image, conv.weight, conv.bias, 2, 1);
        using (var y = linear.forward(x)) Assert.Equal(plainLinear.data<float>(), y.data<float>());
        using (var y = conv.forward(image)) Assert.Equal(plainConv.data<float>(), y.data<float>());

        using var c1 = torch.randn(new long[] { 2, 7, 4 }, generator: g);
        using var c2 = torch.randn(new long[] { 2, 7, 4 }, generator: g);
        var a1 = new ConstantAdapter(c1);
        var a2 = new ConstantAdapter(c2);
        linear.adapters.Add(a1);
        linear.adapters.Add(a2);
        using (var y = linear.forward(x))
        using (var expected = plainLinear + c1)
        using (var both = expected + c2)
            Assert.Equal(both.data<float>(), y.data<float>());
        Assert.Equal((1, 1), (a1.Calls, a2.Calls));
        linear.adapters.Remove(a1);
        using (var y = linear.forward(x))
        using (var expected = plainLinear + c2)
            Assert.Equal(expected.data<float>(), y.data<float>());
        linear.adapters.Clear();
        using (var y = linear.forward(x)) Assert.Equal(plainLinear.data<float>(), y.data<float>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Backward_reaches_low_rank_factors_and_matches_the_explicit_formula(bool conv)
    {
        using var g = new Generator(5);
        Module<Tensor, Tensor> layer = conv ? new Conv2d(3, 4, 3, stride: 2, padding: 1) : new Linear(6, 4);
        using var _ = layer;
        layer.requires_grad_(false);
        var adapted = conv ? new AdaptedLayer((Conv2d)layer) : new AdaptedLayer((Linear)layer);
        long[] downShape = conv ? new long[] { 2, 3, 3, 3 } : new long[] { 2, 6 };
        long[] upShape = conv ? new long[] { 4, 2, 1, 1 } : new long[] { 4, 2 };
        using var down0 = torch.randn(downShape, generator: g);
        using var up0 = torch.randn(upShape, generator: g);
        using var x = conv ? torch.randn(new long[] { 2, 3, 8, 8 }, generator: g) : torch.randn(new long[] { 3, 5, 6 }, generator: g);

        var down = down0.clone();
        var up = up0.clone();
        down.requires_grad = true;
        up.requires_grad = true;
        using var adapter = new LowRankAdapter(adapted, down, up, scale: 0.5);
        if (layer is Linear l) l.adapters.Add(adapter); else ((Conv2d)layer).adapters.Add(adapter);
        using (var y = layer.forward(x))
        using (var weighted = y * y)
        using (var loss = weighted.sum())
            loss.backward();

        // The same function written out with its own leaves.
        using var d2 = down0.clone();
        using var u2 = up0.clone();
        d2.requires_grad = true;
        u2.requires_grad = true;
        using (var scope = torch.NewDisposeScope())
        {
            Tensor plain = conv ? F.conv2d(x, ((Conv2d)layer).weight, ((Conv2d)layer).bias, 2, 1) : F.linear(x, ((Linear)layer).weight, ((Linear)layer).bias);
            Tensor term = conv ? F.conv2d(F.conv2d(x, d2, null, 2, 1), u2) : F.linear(F.linear(x, d2), u2);
            var y = plain + term * 0.5;
            (y * y).sum().backward();
        }
        using var gradDown = down.grad;
        using var gradUp = up.grad;
        Assert.NotNull(gradDown);
        Assert.NotNull(gradUp);
        using var expectedDown = d2.grad!;
        using var expectedUp = u2.grad!;
        EngineTestSupport.AssertClose(expectedDown, gradDown!, 1e-5, "d loss / d down");
        EngineTestSupport.AssertClose(expectedUp, gradUp!, 1e-5, "d loss / d up");
        Assert.True(gradUp!.abs().max().item<float>() > 0);
    }

    [Fact]
    public void Backward_through_a_frozen_unet_reaches_adapters_with_and_without_checkpointing()
    {
        using var unet = InferenceModels.NewUNet();
        unet.requires_grad_(false);
        unet.train();
        var targets = unet.named_modules().Where(m => m.name.EndsWith("attn1.to_q") || m.name.EndsWith("resnets.0.conv1")).Take(2).ToList();
        Assert.Equal(2, targets.Count);
        using var g = new Generator(11);
        var adapters = new List<LowRankAdapter>();
        foreach (var (_, module) in targets)
        {
            var layer = AdaptedLayer.Of(module)!;
            var down = layer.IsConv ? torch.randn(new long[] { 2, layer.InFeatures, 3, 3 }, generator: g) : torch.randn(new long[] { 2, layer.InFeatures }, generator: g);
            var up = layer.IsConv ? torch.randn(new long[] { layer.OutFeatures, 2, 1, 1 }, generator: g) : torch.randn(new long[] { layer.OutFeatures, 2 }, generator: g);
            down.requires_grad = true;
            up.requires_grad = true;
            var adapter = new LowRankAdapter(layer, down, up, 0.3);
            layer.Adapters.Add(adapter);
            adapters.Add(adapter);
        }
        using var x = new InferenceModels.UNetInputs(12);
        var grads = new List<float[]>[2];
        for (int pass = 0; pass < 2; pass++)
        {
            unet.GradientCheckpointing = pass == 1;
            foreach (var a in adapters) { a.Down.grad = null; a.Up.grad = null; }
            using (var scope = torch.NewDisposeScope())
                unet.forward(x.Sample, x.Timesteps, x.Context).square().mean().backward();
            grads[pass] = adapters.SelectMany(a => new[] { a.Down, a.Up }).Select(t =>
            {
                using var grad = t.grad;
                Assert.NotNull(grad);
                return grad!.data<float>();
            }).ToList();
            Assert.All(grads[pass], gr => Assert.Contains(gr, v => v != 0));
        }
        for (int i = 0; i < grads[0].Count; i++)
            InferenceModels.AssertClose(grads[0][i], grads[1][i], $"gradient {i} with checkpointing", 1e-5);
        Assert.All(unet.parameters(), p => { using var grad = p.grad; Assert.Null(grad); });
        foreach (var a in adapters) a.Dispose();
    }

    [Fact]
    public void Adapters_refuse_factors_that_do_not_fit_their_layer()
    {
        using var linear = new Linear(6, 4);
        var layer = new AdaptedLayer(linear);
        var e = Assert.Throws<ArgumentException>(() => new LowRankAdapter(layer, torch.zeros(2, 5), torch.zeros(4, 2)));
        Assert.Contains("[2, 5]", e.Message);
        Assert.Contains("[4, 6]", e.Message);
        Assert.Throws<ArgumentException>(() => new DenseDeltaAdapter(layer, torch.zeros(4, 5)));
        using var conv = new Conv2d(3, 4, 3);
        Assert.Throws<ArgumentException>(() => new LowRankAdapter(new AdaptedLayer(conv), torch.zeros(2, 3, 1, 1), torch.zeros(4, 2, 1, 1)));
        Assert.Null(AdaptedLayer.Of(new GroupNorm(2, 4)));
    }
}
