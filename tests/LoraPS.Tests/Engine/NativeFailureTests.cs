using LoraPS.Torch;
using F = LoraPS.Torch.torch.nn.functional;

namespace LoraPS.Tests.Engine;

/// <summary>Bad arguments to every family end as managed exceptions carrying libtorch's message, never a crash.</summary>
public sealed class NativeFailureTests
{
    [Fact]
    public void Out_of_memory_is_a_torch_exception()
    {
        var ex = Assert.Throws<TorchException>(() => torch.empty(new long[] { 1L << 42 }));
        Assert.Contains("memory", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Bad_shapes_dims_dtypes_and_indices_throw()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.ones(2, 3);
        Assert.Throws<TorchException>(() => torch.zeros(new long[] { -1 }));
        Assert.Throws<TorchException>(() => x.transpose(0, 5));
        Assert.Throws<TorchException>(() => x.permute(0));
        Assert.Throws<TorchException>(() => x.view(7));
        Assert.Throws<TorchException>(() => x.expand(3, 3));
        Assert.Throws<TorchException>(() => x.unsqueeze(9));
        Assert.Throws<TorchException>(() => x.gather(1, torch.ones(new long[] { 2, 1 }, ScalarType.Float32)));
        Assert.Throws<TorchException>(() => x.masked_fill(torch.ones(new long[] { 4 }, ScalarType.Bool), 1)); // mask does not broadcast
        Assert.Throws<TorchException>(() => torch.stack(Array.Empty<Tensor>()));
        Assert.Throws<TorchException>(() => torch.einsum("ij,jk->ik", x));
        Assert.Throws<TorchException>(() => torch.linalg.svd(torch.ones(3)));
        Assert.Throws<TorchException>(() => F.conv2d(torch.ones(1, 3, 4, 4), torch.ones(2, 2, 3, 3)));
        Assert.Throws<TorchException>(() => F.group_norm(torch.ones(1, 3, 2, 2), 2));
        Assert.Throws<TorchException>(() => F.layer_norm(x, new long[] { 4 }));
        Assert.Throws<TorchException>(() => F.avg_pool2d(torch.ones(1, 1, 2, 2), 3));
        Assert.Throws<TorchException>(() => F.cross_entropy(x, torch.tensor(new long[] { 0, 7 })));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.chunk(0));
        Assert.Throws<TorchException>(() => torch.randint(5, 2, new long[] { 3 }));
        var ex = Assert.Throws<TorchException>(() => x.matmul(x));
        Assert.Contains("2x3", ex.Message);
    }

    [Fact]
    public void Autograd_grad_returns_gradients_without_touching_dot_grad()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new double[] { 1, 2 }).requires_grad_();
        var b = torch.tensor(new double[] { 3 }).requires_grad_();
        var unused = torch.tensor(new double[] { 0 }).requires_grad_();
        var y = (a * a).sum() * b;
        var g = torch.autograd.grad(new[] { y }, new[] { a, b, unused }, allow_unused: true);
        Assert.Equal(new double[] { 6, 12 }, g[0]!.data<double>());
        Assert.Equal(new double[] { 5 }, g[1]!.data<double>());
        Assert.Null(g[2]);
        Assert.Null(a.grad);
        var y2 = (a * 3).sum();
        Assert.Throws<TorchException>(() => torch.autograd.grad(new[] { y2 }, new[] { unused }));
    }
}
