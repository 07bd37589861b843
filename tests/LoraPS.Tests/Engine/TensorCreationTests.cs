using LoraPS.Torch;

namespace LoraPS.Tests.Engine;

[Collection(LoraPS.Tests.Support.GlobalRandomCollection.Name)]
public sealed class TensorCreationTests
{
    [Fact]
    public void Zeros_ones_full_have_the_asked_shape_dtype_and_values()
    {
        using var scope = torch.NewDisposeScope();
        var z = torch.zeros(new long[] { 2, 3 }, ScalarType.Float64);
        Assert.Equal(new long[] { 2, 3 }, z.shape);
        Assert.Equal(ScalarType.Float64, z.dtype);
        Assert.All(z.data<double>(), v => Assert.Equal(0.0, v));
        Assert.All(torch.ones(4).data<float>(), v => Assert.Equal(1f, v));
        Assert.Equal(new[] { 7L, 7, 7 }, torch.full(new long[] { 3 }, 7, ScalarType.Int64).data<long>());
        Assert.Equal(Device.CPU, z.device);
    }

    [Fact]
    public void Arange_and_linspace_match_hand_values()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Equal(new long[] { 0, 1, 2, 3, 4 }, torch.arange(5).data<long>());
        Assert.Equal(new float[] { 1, 1.5f, 2, 2.5f }, torch.arange(1, 3, 0.5).data<float>());
        Assert.Equal(new float[] { 0, 0.25f, 0.5f, 0.75f, 1 }, torch.linspace(0, 1, 5).data<float>());
        Assert.Equal(new float[] { 1, 0, 0, 1 }, torch.eye(2).data<float>());
    }

    [Fact]
    public void Random_creation_is_reproducible_with_a_generator_and_manual_seed()
    {
        using var scope = torch.NewDisposeScope();
        using var g1 = new Generator(42);
        using var g2 = new Generator(42);
        var a = torch.randn(new long[] { 1000 }, generator: g1).data<float>();
        var b = torch.randn(new long[] { 1000 }, generator: g2).data<float>();
        Assert.Equal(a, b);
        double mean = a.Average(), var = a.Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(mean, -0.15, 0.15);
        Assert.InRange(var, 0.8, 1.2);
        g1.manual_seed(7);
        var c = torch.rand(new long[] { 100 }, generator: g1).data<float>();
        Assert.All(c, v => Assert.InRange(v, 0f, 1f));
        var ints = torch.randint(3, 6, new long[] { 200 }, generator: g1).data<long>();
        Assert.All(ints, v => Assert.InRange(v, 3L, 5L));
        Assert.Equal(3, ints.Distinct().Count());
        var n = torch.normal(10, 0.01, new long[] { 50 }, generator: g1).data<float>();
        Assert.All(n, v => Assert.InRange(v, 9.9f, 10.1f));
        var bern = torch.bernoulli(torch.full(new long[] { 100 }, 1.0), g1).data<float>();
        Assert.All(bern, v => Assert.Equal(1f, v));
        torch.manual_seed(123);
        var d = torch.randn(5).data<float>();
        torch.manual_seed(123);
        Assert.Equal(d, torch.randn(5).data<float>());
        Assert.NotEqual(a.Take(5), d);
    }

    [Fact]
    public void Tensors_from_raw_half_and_bfloat16_bytes_read_back_as_floats()
    {
        using var scope = torch.NewDisposeScope();
        // 1.0, -2.0, 0.5 in IEEE half: 0x3C00, 0xC000, 0x3800 (little-endian bytes)
        var half = torch.from_bytes(new byte[] { 0x00, 0x3C, 0x00, 0xC0, 0x00, 0x38 }, ScalarType.Float16, 3);
        Assert.Equal(ScalarType.Float16, half.dtype);
        Assert.Equal(new float[] { 1, -2, 0.5f }, half.to(ScalarType.Float32).data<float>());
        // bfloat16 is the top 16 bits of a float32: 1.0 = 0x3F80, 3.0 = 0x4040
        var bf = torch.from_bits(new ushort[] { 0x3F80, 0x4040 }, ScalarType.BFloat16, 2, 1);
        Assert.Equal(new long[] { 2, 1 }, bf.shape);
        Assert.Equal(new float[] { 1, 3 }, bf.to(ScalarType.Float32).data<float>());
        Assert.Equal(new ushort[] { 0x3F80, 0x4040 }, bf.data<ushort>());
        Assert.Equal(new byte[] { 0x00, 0x3C, 0x00, 0xC0, 0x00, 0x38 }, half.bytes());
        var h = torch.tensor(new[] { (Half)1.5f, (Half)(-4f) });
        Assert.Equal(new[] { 1.5, -4.0 }, h.to(ScalarType.Float64).data<double>());
        var span = torch.from_span<float>(new float[] { 1, 2, 3, 4, 5, 6 }.AsSpan(2, 4), ScalarType.Float32, 2, 2);
        Assert.Equal(new float[] { 3, 4, 5, 6 }, span.data<float>());
        Assert.Throws<ArgumentException>(() => torch.from_span<float>(new float[2], ScalarType.Float64));
        var ex = Assert.Throws<ArgumentException>(() => torch.from_bytes(new byte[5], ScalarType.Float16, 3));
        Assert.Contains("needs 6 bytes", ex.Message);
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Int64)]
    [InlineData(ScalarType.Int32)]
    [InlineData(ScalarType.Int8)]
    [InlineData(ScalarType.Byte)]
    [InlineData(ScalarType.Bool)]
    public void Every_dtype_converts_and_round_trips_small_integers(ScalarType dtype)
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new float[] { 0, 1, 1, 0 }, 2, 2).to(dtype);
        Assert.Equal(dtype, x.dtype);
        Assert.Equal(dtype.ElementSize(), x.element_size());
        Assert.Equal(new float[] { 0, 1, 1, 0 }, x.to(ScalarType.Float32).data<float>());
        var both = x.to(Device.CPU, ScalarType.Float64);
        Assert.Equal(ScalarType.Float64, both.dtype);
    }

    [Fact]
    public void Reading_with_the_wrong_element_size_is_a_clear_error()
    {
        using var t = torch.ones(3);
        var ex = Assert.Throws<ArgumentException>(() => t.data<double>());
        Assert.Contains("Float32", ex.Message);
        Assert.Throws<ArgumentException>(() => torch.tensor(new float[] { 1, 2, 3 }, 2, 2));
    }

    [Fact]
    public void Copy_from_and_item_work_and_scalars_have_no_dims()
    {
        using var scope = torch.NewDisposeScope();
        var t = torch.zeros(2, 2);
        t.CopyFrom<float>(new float[] { 1, 2, 3, 4 });
        Assert.Equal(10.0, t.sum().item());
        var s = torch.tensor(2.5);
        Assert.Empty(s.shape);
        Assert.Equal(2.5, s.item());
        Assert.Throws<TorchException>(() => t.item());
        Assert.Throws<TorchException>(() => t.CopyFrom<float>(new float[] { 1 }));
    }

    [Fact]
    public void Cuda_helpers_answer_cleanly_without_a_gpu()
    {
        bool available = torch.cuda.is_available();
        Assert.Equal(available, torch.cuda.device_count() > 0);
        if (available) return;
        Assert.Equal(0, torch.cuda.memory_allocated());
        Assert.Equal(0, torch.cuda.max_memory_allocated());
        torch.cuda.synchronize();
        torch.cuda.empty_cache();
        torch.cuda.reset_peak_memory_stats();
        Assert.Throws<TorchException>(() => torch.cuda.get_device_name(0));
        using var t = torch.ones(2);
        var ex = Assert.ThrowsAny<Exception>(() => t.to(Device.CUDA(0)));
        Assert.IsType<TorchException>(ex);
        Assert.Equal(Device.CUDA(1), Device.Parse("cuda:1"));
        Assert.Throws<ArgumentException>(() => Device.Parse("tpu"));
    }
}
