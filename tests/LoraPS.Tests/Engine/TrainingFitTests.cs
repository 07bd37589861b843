using LoraPS.Torch;
using LoraPS.Torch.Modules;
using LoraPS.Torch.Optim;
using F = LoraPS.Torch.torch.nn.functional;

namespace LoraPS.Tests.Engine;

/// <summary>A small conv + self-attention network trained to fit a fixed target, with and without gradient checkpointing.</summary>
[Collection(LoraPS.Tests.Support.GlobalRandomCollection.Name)]
public sealed class TrainingFitTests
{
    internal sealed class AttnBlock : Module<Tensor, Tensor>
    {
        private readonly GroupNorm norm = new(2, 8);
        private readonly Linear to_q = new(8, 8), to_k = new(8, 8), to_v = new(8, 8), to_out = new(8, 8);
        public AttnBlock() : base(nameof(AttnBlock)) => RegisterComponents();

        public override Tensor forward(Tensor x)
        {
            using var scope = torch.NewDisposeScope();
            long b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
            var t = norm.call(x).flatten(2).transpose(1, 2); // (B, HW, C)
            var a = F.scaled_dot_product_attention(to_q.call(t).unsqueeze(1), to_k.call(t).unsqueeze(1), to_v.call(t).unsqueeze(1)).squeeze(1);
            var o = to_out.call(a).transpose(1, 2).reshape(b, c, h, w);
            return (x + o).MoveToOuterDisposeScope();
        }
    }

    internal sealed class SmallNet : Module<Tensor, Tensor>
    {
        private readonly Conv2d conv_in = new(3, 8, 3, padding: 1);
        private readonly AttnBlock block = new();
        private readonly Conv2d conv_out = new(8, 3, 3, padding: 1);
        public bool Checkpointing { get; set; }
        public SmallNet() : base(nameof(SmallNet)) => RegisterComponents();

        public override Tensor forward(Tensor x)
        {
            using var scope = torch.NewDisposeScope();
            var h = conv_in.call(x).silu();
            h = Checkpointing ? torch.utils.checkpoint(block, h) : block.call(h);
            return conv_out.call(h.silu()).MoveToOuterDisposeScope();
        }
    }

    private static (SmallNet net, Tensor x, Tensor target) Setup()
    {
        torch.manual_seed(2024);
        var net = new SmallNet();
        using var g = new Generator(7);
        var x = torch.randn(new long[] { 2, 3, 4, 4 }, generator: g).DetachFromDisposeScope();
        var target = torch.randn(new long[] { 2, 3, 4, 4 }, generator: g).mul(0.5).DetachFromDisposeScope();
        return (net, x, target);
    }

    [Fact]
    public void Checkpointing_gives_identical_gradients()
    {
        var (net, x, target) = Setup();
        using (net) using (x) using (target)
        {
            Dictionary<string, float[]> Grads(bool checkpointing)
            {
                net.Checkpointing = checkpointing;
                net.zero_grad();
                using var scope = torch.NewDisposeScope();
                F.mse_loss(net.call(x), target).backward();
                return net.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.data<float>());
            }
            var plain = Grads(false);
            var checkpointed = Grads(true);
            Assert.Equal(plain.Keys, checkpointed.Keys);
            Assert.Contains("block.to_q.weight", plain.Keys);
            foreach (var key in plain.Keys)
            {
                Assert.True(plain[key].Any(v => v != 0), $"{key} got a zero gradient");
                Assert.Equal(plain[key], checkpointed[key]);
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_network_fits_a_fixed_target(bool checkpointing)
    {
        var (net, x, target) = Setup();
        using (net) using (x) using (target)
        using (var opt = new AdamW(net.parameters(), lr: 0.01, weight_decay: 0))
        {
            net.Checkpointing = checkpointing;
            double first = 0, last = 0;
            for (int step = 0; step < 300; step++)
            {
                using var scope = torch.NewDisposeScope();
                opt.zero_grad();
                var loss = F.mse_loss(net.call(x), target);
                loss.backward();
                opt.step();
                last = loss.item();
                if (step == 0) first = last;
            }
            Assert.True(first > 0.2, $"initial loss {first} is unexpectedly small");
            Assert.True(last < 0.01, $"loss fell only from {first} to {last}");
        }
    }

    [Fact]
    public void A_failing_checkpointed_function_is_a_managed_error()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.ones(new long[] { 2 }, requires_grad: true);
        var ex = Assert.Throws<TorchException>(() => torch.utils.checkpoint(_ => throw new InvalidOperationException("bad block"), x));
        Assert.IsType<InvalidOperationException>(ex.InnerException);
        Assert.Contains("bad block", ex.Message);
    }
}
