using LoraPS.Torch;

namespace LoraPS.Tests.Engine;

public sealed class ShapeOpsTests
{
    private static Tensor Range6() => torch.arange(6, ScalarType.Float32).reshape(2, 3); // [[0,1,2],[3,4,5]]

    [Fact]
    public void View_reshape_permute_transpose_flatten_unflatten()
    {
        using var scope = torch.NewDisposeScope();
        var x = Range6();
        Assert.Equal(new float[] { 0, 3, 1, 4, 2, 5 }, x.t().contiguous().data<float>());
        Assert.Equal(new float[] { 0, 3, 1, 4, 2, 5 }, x.transpose(0, 1).data<float>());
        Assert.False(x.t().is_contiguous());
        Assert.Equal(new long[] { 3, 2 }, x.view(3, 2).shape);
        Assert.Equal(new long[] { 6 }, x.flatten().shape);
        var cube = torch.arange(24, ScalarType.Float32).reshape(2, 3, 4);
        var p = cube.permute(2, 0, 1);
        Assert.Equal(new long[] { 4, 2, 3 }, p.shape);
        Assert.Equal(cube.select(0, 1).select(0, 2).select(0, 3).item(), p.select(0, 3).select(0, 1).select(0, 2).item());
        Assert.Equal(new long[] { 2, 3, 2, 2 }, cube.unflatten(2, 2, 2).shape);
        Assert.Equal(new long[] { 2, 12 }, cube.flatten(1).shape);
        Assert.Throws<TorchException>(() => x.t().view(6)); // view of a non-contiguous tensor
        Assert.Throws<TorchException>(() => x.reshape(4));
    }

    [Fact]
    public void Squeeze_unsqueeze_narrow_slice_select()
    {
        using var scope = torch.NewDisposeScope();
        var x = Range6();
        Assert.Equal(new long[] { 1, 2, 3 }, x.unsqueeze(0).shape);
        Assert.Equal(new long[] { 2, 3 }, x.unsqueeze(1).squeeze().shape);
        Assert.Equal(new long[] { 2, 1, 3 }, x.unsqueeze(1).squeeze(0).shape);
        Assert.Equal(new float[] { 1, 2, 4, 5 }, x.narrow(1, 1, 2).data<float>());
        Assert.Equal(new float[] { 0, 2, 3, 5 }, x.slice(1, 0, 3, 2).data<float>());
        Assert.Equal(new float[] { 3, 4, 5 }, x[1].data<float>());
        Assert.Throws<TorchException>(() => x.narrow(1, 2, 5));
        Assert.Throws<TorchException>(() => x.select(0, 9));
    }

    [Fact]
    public void Index_select_gather_chunk_split()
    {
        using var scope = torch.NewDisposeScope();
        var x = Range6();
        Assert.Equal(new float[] { 2, 0, 5, 3 }, x.index_select(1, torch.tensor(new long[] { 2, 0 })).data<float>());
        Assert.Equal(new float[] { 1, 0, 5, 5 }, x.gather(1, torch.tensor(new long[] { 1, 0, 2, 2 }, 2, 2)).data<float>());
        var parts = torch.arange(5, ScalarType.Float32).chunk(2);
        Assert.Equal(2, parts.Length);
        Assert.Equal(new float[] { 0, 1, 2 }, parts[0].data<float>());
        Assert.Equal(new float[] { 3, 4 }, parts[1].data<float>());
        var s = torch.arange(5, ScalarType.Float32).split(2);
        Assert.Equal(new[] { 2L, 2, 1 }, s.Select(t => t.shape[0]));
        var s2 = x.split(new long[] { 1, 2 }, 1);
        Assert.Equal(new float[] { 1, 2, 4, 5 }, s2[1].data<float>());
        Assert.Throws<TorchException>(() => x.split(new long[] { 1, 1 }, 1));
        Assert.Throws<TorchException>(() => x.index_select(1, torch.tensor(new long[] { 7 })));
    }

    [Fact]
    public void Cat_stack_expand_repeat_flip_roll()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new float[] { 1, 2 });
        var b = torch.tensor(new float[] { 3, 4 });
        Assert.Equal(new float[] { 1, 2, 3, 4 }, torch.cat(new[] { a, b }).data<float>());
        var st = torch.stack(new[] { a, b }, 1);
        Assert.Equal(new long[] { 2, 2 }, st.shape);
        Assert.Equal(new float[] { 1, 3, 2, 4 }, st.data<float>());
        Assert.Equal(new float[] { 1, 2, 1, 2, 1, 2 }, a.unsqueeze(0).expand(3, 2).contiguous().data<float>());
        Assert.Equal(new float[] { 1, 2, 1, 2 }, a.repeat(2).data<float>());
        Assert.Equal(new float[] { 2, 1 }, a.flip(0).data<float>());
        Assert.Equal(new float[] { 4, 1, 2, 3 }, torch.tensor(new float[] { 1, 2, 3, 4 }).roll(1, 0).data<float>());
        Assert.Throws<TorchException>(() => torch.cat(new[] { a, Range6() }));
    }

    [Fact]
    public void Pad_constant_reflect_replicate_circular()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new float[] { 1, 2, 3 }, 1, 1, 3);
        Assert.Equal(new float[] { 9, 1, 2, 3, 9, 9 }, torch.nn.functional.pad(x, new long[] { 1, 2 }, value: 9).data<float>());
        Assert.Equal(new float[] { 2, 1, 2, 3, 2 }, torch.nn.functional.pad(x, new long[] { 1, 1 }, PaddingModes.Reflect).data<float>());
        Assert.Equal(new float[] { 1, 1, 2, 3, 3 }, torch.nn.functional.pad(x, new long[] { 1, 1 }, PaddingModes.Replicate).data<float>());
        Assert.Equal(new float[] { 3, 1, 2, 3, 1 }, torch.nn.functional.pad(x, new long[] { 1, 1 }, PaddingModes.Circular).data<float>());
    }
}
