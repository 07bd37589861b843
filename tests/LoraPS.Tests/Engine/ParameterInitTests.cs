using LoraPS.Torch;
using LoraPS.Torch.Modules;

namespace LoraPS.Tests.Engine;

/// <summary>ParameterInit.SkipInit: layers built inside draw nothing from the generator and fill nothing, with their usual shapes and types.</summary>
[Collection(LoraPS.Tests.Support.GlobalRandomCollection.Name)]
public sealed class ParameterInitTests
{
    private static List<Module> Layers() => new()
    {
        new Linear(8, 16, dtype: ScalarType.Float16),
        new Conv2d(4, 8, 3, padding: 1),
        new Embedding(100, 8),
        new LayerNorm(8),
        new GroupNorm(2, 8),
    };

    [Fact]
    public void Layers_built_inside_the_scope_draw_nothing_from_the_global_generator()
    {
        torch.manual_seed(11);
        using var expected = torch.rand(5);
        torch.manual_seed(11);
        List<Module> layers;
        using (ParameterInit.SkipInit()) layers = Layers();
        using var after = torch.rand(5);
        Assert.Equal(expected.data<float>(), after.data<float>());
        // Outside the scope the same layers are initialised (and advance the generator).
        torch.manual_seed(11);
        var initialised = Layers();
        using var shifted = torch.rand(5);
        Assert.NotEqual(expected.data<float>(), shifted.data<float>());

        for (int i = 0; i < layers.Count; i++)
        {
            var empty = layers[i].state_dict();
            var normal = initialised[i].state_dict();
            Assert.Equal(normal.Keys, empty.Keys);
            foreach (var (name, t) in normal)
            {
                Assert.Equal(t.shape, empty[name].shape);
                Assert.Equal(t.dtype, empty[name].dtype);
                Assert.True(empty[name].requires_grad);
            }
        }
        Assert.All(initialised.OfType<LayerNorm>().Single().weight!.data<float>(), v => Assert.Equal(1f, v));
        foreach (var m in layers.Concat(initialised)) m.Dispose();
    }

    [Fact]
    public void The_scope_nests_ends_on_dispose_and_belongs_to_its_thread()
    {
        Assert.False(ParameterInit.Skipping);
        var outer = ParameterInit.SkipInit();
        using (ParameterInit.SkipInit()) Assert.True(ParameterInit.Skipping);
        Assert.True(ParameterInit.Skipping);
        bool otherThread = true;
        var thread = new Thread(() => otherThread = ParameterInit.Skipping);
        thread.Start();
        thread.Join();
        Assert.False(otherThread);
        outer.Dispose();
        outer.Dispose(); // a second dispose does not close a scope twice
        Assert.False(ParameterInit.Skipping);
        using var constant = ParameterInit.Constant(new long[] { 3 }, 2.5);
        Assert.Equal(new[] { 2.5f, 2.5f, 2.5f }, constant.data<float>());
    }
}
