using LoraPS.Torch;
using LoraPS.Torch.Modules;

namespace LoraPS.Tests.Engine;

[Collection(LoraPS.Tests.Support.GlobalRandomCollection.Name)]
public sealed class ModuleTests
{
    /// <summary>A miniature of diffusers' naming: down_blocks.N.attentions.M.proj_in.</summary>
    private sealed class Attention : Module<Tensor, Tensor>
    {
        private readonly Conv2d proj_in;
        private readonly GroupNorm norm;
        private readonly Tensor scale_buffer;

        public Attention() : base(nameof(Attention))
        {
            norm = new GroupNorm(2, 4);
            proj_in = new Conv2d(4, 4, 1);
            scale_buffer = torch.ones(1);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var n = norm.call(x);
            return proj_in.call(n);
        }
    }

    private sealed class Block : Module<Tensor, Tensor>
    {
        public readonly ModuleList<Attention> attentions = new(new Attention(), new Attention());

        public Block() : base(nameof(Block)) => RegisterComponents();

        public override Tensor forward(Tensor x)
        {
            using var a = attentions[0].call(x);
            return attentions[1].call(a);
        }
    }

    private sealed class Net : Module<Tensor, Tensor>
    {
        public readonly ModuleList<Block> down_blocks = new(new Block());
        public readonly ModuleDict<Linear> heads = new() { { "out", new Linear(4, 2) } };
        public readonly Sequential mlp = new(new Linear(2, 3), new SiLU(), new Dropout(0.1), new Linear(3, 1, hasBias: false));

        public Net() : base(nameof(Net)) => RegisterComponents();

        public override Tensor forward(Tensor x)
        {
            using var scope = torch.NewDisposeScope();
            var h = down_blocks[0].call(x).mean(new long[] { 2, 3 });
            return mlp.call(heads["out"].call(h)).MoveToOuterDisposeScope();
        }
    }

    [Fact]
    public void State_dict_names_follow_pytorch()
    {
        using var net = new Net();
        var keys = net.state_dict().Keys.ToList();
        Assert.Equal(new[]
        {
            "down_blocks.0.attentions.0.proj_in.weight", "down_blocks.0.attentions.0.proj_in.bias",
            "down_blocks.0.attentions.0.norm.weight", "down_blocks.0.attentions.0.norm.bias", "down_blocks.0.attentions.0.scale_buffer",
            "down_blocks.0.attentions.1.proj_in.weight", "down_blocks.0.attentions.1.proj_in.bias",
            "down_blocks.0.attentions.1.norm.weight", "down_blocks.0.attentions.1.norm.bias", "down_blocks.0.attentions.1.scale_buffer",
            "heads.out.weight", "heads.out.bias", "mlp.0.weight", "mlp.0.bias", "mlp.3.weight",
        }.OrderBy(k => k), keys.OrderBy(k => k));
        Assert.Equal(13, net.parameters().Count());
        Assert.Contains(net.named_modules(), m => m.name == "down_blocks.0.attentions.1.proj_in" && m.module is Conv2d);
        Assert.Equal(new long[] { 4, 4, 1, 1 }, net.state_dict()["down_blocks.0.attentions.0.proj_in.weight"].shape);
    }

    [Fact]
    public void Load_state_dict_copies_values_and_reports_missing_unexpected_and_mismatched()
    {
        using var source = new Net();
        using var target = new Net();
        using var scope = torch.NewDisposeScope();
        var sd = source.state_dict();
        var report = target.load_state_dict(sd);
        Assert.True(report.IsExact);
        Assert.Equal(15, report.LoadedCount);
        source.eval();
        target.eval();
        var x = torch.randn(2, 4, 3, 3);
        Assert.Equal(source.call(x).data<float>(), target.call(x).data<float>());
        Assert.Equal(sd["heads.out.weight"].data<float>(), target.state_dict()["heads.out.weight"].data<float>());

        var broken = new Dictionary<string, Tensor>(sd);
        broken.Remove("mlp.0.bias");
        broken["mlp.9.weight"] = torch.ones(1);
        broken["heads.out.weight"] = torch.ones(3, 4);
        var ex = Assert.Throws<StateDictMismatchException>(() => target.load_state_dict(broken));
        Assert.Equal(new[] { "mlp.0.bias" }, ex.Report.MissingKeys);
        Assert.Equal(new[] { "mlp.9.weight" }, ex.Report.UnexpectedKeys);
        var mm = Assert.Single(ex.Report.ShapeMismatches);
        Assert.Equal("heads.out.weight", mm.Key);
        Assert.Equal(new long[] { 2, 4 }, mm.Expected);
        Assert.Equal(new long[] { 3, 4 }, mm.Found);
        Assert.Contains("heads.out.weight: module has [2, 4], state dict has [3, 4]", ex.Message);

        var loose = target.load_state_dict(broken, strict: false);
        Assert.Equal(13, loose.LoadedCount);
        Assert.False(loose.IsExact);
    }

    [Fact]
    public void Train_eval_to_dtype_and_freezing()
    {
        using var net = new Net();
        Assert.True(net.mlp[2].training);
        net.eval();
        Assert.False(net.mlp[2].training);
        Assert.False(net.down_blocks[0].attentions[1].training);
        net.train();
        Assert.True(net.mlp[2].training);

        var weight = net.mlp[0] is Linear l ? l.weight : throw new InvalidOperationException();
        net.to(ScalarType.Float64);
        Assert.Equal(ScalarType.Float64, weight.dtype);
        Assert.Same(weight, net.parameters().Skip(10).First(p => ReferenceEquals(p, weight)));
        Assert.True(weight.requires_grad);
        using (var scope = torch.NewDisposeScope())
        {
            var y = net.call(torch.randn(new long[] { 1, 4, 2, 2 }, ScalarType.Float64));
            Assert.Equal(ScalarType.Float64, y.dtype);
        }
        net.requires_grad_(false);
        Assert.All(net.parameters(), p => Assert.False(p.requires_grad));
        net.to(Device.CPU, ScalarType.BFloat16);
        Assert.Equal(ScalarType.BFloat16, weight.dtype);
    }

    [Fact]
    public void Module_errors_are_clear()
    {
        var ex = Assert.Throws<ArgumentException>(() => new GroupNorm(3, 4));
        Assert.Contains("4 channels", ex.Message);
        Assert.Throws<ArgumentException>(() => new Conv2d(3, 4, 3, groups: 2));
        using var seq = new Sequential(new Linear(2, 2));
        using var scope = torch.NewDisposeScope();
        Assert.Throws<TorchException>(() => seq.call(torch.ones(3, 3)));
        var dict = new ModuleDict<Linear>();
        Assert.Throws<KeyNotFoundException>(() => dict["nope"]);
        dict.Add("a", new Linear(1, 1));
        Assert.Throws<ArgumentException>(() => dict.Add("a", new Linear(1, 1)));
        dict.Dispose();
    }

    [Fact]
    public void Linear_and_conv_init_is_in_pytorch_bounds_and_seeded()
    {
        torch.manual_seed(5);
        using var a = new Linear(16, 8);
        torch.manual_seed(5);
        using var b = new Linear(16, 8);
        Assert.Equal(a.weight.data<float>(), b.weight.data<float>());
        Assert.All(a.weight.data<float>(), v => Assert.InRange(v, -0.25f, 0.25f));
        using var c = new Conv2d(2, 3, 3);
        Assert.All(c.weight.data<float>(), v => Assert.InRange(v, -1 / MathF.Sqrt(18), 1 / MathF.Sqrt(18)));
        using var e = new Embedding(5, 3);
        using var scope = torch.NewDisposeScope();
        Assert.Equal(new long[] { 2, 3 }, e.call(torch.tensor(new long[] { 4, 0 })).shape);
    }
}
