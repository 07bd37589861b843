using static LoraPS.Torch.torch.nn.functional;

namespace LoraPS.Torch.Modules;

#pragma warning disable IDE1006 // naming: mirrors torch

/// <summary>PyTorch's default init for Linear/Conv: uniform in ±1/sqrt(fan_in) (kaiming_uniform with a = sqrt(5)).</summary>
internal static class Init
{
    public static Parameter Uniform(long[] shape, long fanIn, ScalarType dtype, Device? device) => ParameterInit.Make(shape, dtype, device, () =>
    {
        double bound = fanIn > 0 ? 1.0 / Math.Sqrt(fanIn) : 0;
        using var u = torch.rand(shape, dtype, device);
        using var scaled = u * (2 * bound);
        return new Parameter(scaled - bound);
    });

    /// <summary>Standard normal values (Embedding's default).</summary>
    public static Parameter Normal(long[] shape, ScalarType dtype, Device? device) =>
        ParameterInit.Make(shape, dtype, device, () => new Parameter(torch.randn(shape, dtype, device)));
}

/// <summary>y = x Wᵀ + b; weight (out_features, in_features).</summary>
public sealed partial class Linear : Module<Tensor, Tensor>
{
    public Parameter weight { get; }
    public Parameter? bias { get; }

    public Linear(long in_features, long out_features, bool hasBias = true, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(Linear))
    {
        weight = Init.Uniform(new[] { out_features, in_features }, in_features, dtype, device);
        register_parameter("weight", weight);
        if (hasBias)
        {
            bias = Init.Uniform(new[] { out_features }, in_features, dtype, device);
            register_parameter("bias", bias);
        }
    }

    public override Tensor forward(Tensor input) => _adapters.Count == 0
        ? linear(input, weight, bias)
        : WithAdapters(input, linear(input, weight, bias));
}

/// <summary>2-d convolution; weight (out, in/groups, kH, kW).</summary>
public sealed partial class Conv2d : Module<Tensor, Tensor>
{
    public Parameter weight { get; }
    public Parameter? bias { get; }
    public long stride { get; }
    public long padding { get; }
    public long dilation { get; }
    public long groups { get; }

    public Conv2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long dilation = 1, long groups = 1,
        bool hasBias = true, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(Conv2d))
    {
        if (groups < 1 || in_channels % groups != 0 || out_channels % groups != 0)
            throw new ArgumentException($"channels ({in_channels} in, {out_channels} out) must divide by groups ({groups})");
        (this.stride, this.padding, this.dilation, this.groups) = (stride, padding, dilation, groups);
        long fanIn = in_channels / groups * kernel_size * kernel_size;
        weight = Init.Uniform(new[] { out_channels, in_channels / groups, kernel_size, kernel_size }, fanIn, dtype, device);
        register_parameter("weight", weight);
        if (hasBias)
        {
            bias = Init.Uniform(new[] { out_channels }, fanIn, dtype, device);
            register_parameter("bias", bias);
        }
    }

    public override Tensor forward(Tensor input) => _adapters.Count == 0
        ? conv2d(input, weight, bias, stride, padding, dilation, groups)
        : WithAdapters(input, conv2d(input, weight, bias, stride, padding, dilation, groups));
}

public sealed class GroupNorm : Module<Tensor, Tensor>
{
    public long num_groups { get; }
    public double eps { get; }
    public Parameter? weight { get; }
    public Parameter? bias { get; }

    public GroupNorm(long num_groups, long num_channels, double eps = 1e-5, bool affine = true, ScalarType dtype = ScalarType.Float32, Device? device = null)
        : base(nameof(GroupNorm))
    {
        if (num_groups < 1 || num_channels % num_groups != 0) throw new ArgumentException($"{num_channels} channels do not split into {num_groups} groups");
        (this.num_groups, this.eps) = (num_groups, eps);
        if (affine)
        {
            weight = ParameterInit.Constant(new[] { num_channels }, 1, dtype, device);
            bias = ParameterInit.Constant(new[] { num_channels }, 0, dtype, device);
            register_parameter("weight", weight);
            register_parameter("bias", bias);
        }
    }

    public override Tensor forward(Tensor input) => group_norm(input, num_groups, weight, bias, eps);
}

public sealed class LayerNorm : Module<Tensor, Tensor>
{
    public long[] normalized_shape { get; }
    public double eps { get; }
    public Parameter? weight { get; }
    public Parameter? bias { get; }

    public LayerNorm(long normalized_shape, double eps = 1e-5, bool elementwise_affine = true, ScalarType dtype = ScalarType.Float32, Device? device = null)
        : this(new[] { normalized_shape }, eps, elementwise_affine, dtype, device) { }

    public LayerNorm(long[] normalized_shape, double eps = 1e-5, bool elementwise_affine = true, ScalarType dtype = ScalarType.Float32, Device? device = null)
        : base(nameof(LayerNorm))
    {
        (this.normalized_shape, this.eps) = (normalized_shape, eps);
        if (elementwise_affine)
        {
            weight = ParameterInit.Constant(normalized_shape, 1, dtype, device);
            bias = ParameterInit.Constant(normalized_shape, 0, dtype, device);
            register_parameter("weight", weight);
            register_parameter("bias", bias);
        }
    }

    public override Tensor forward(Tensor input) => layer_norm(input, normalized_shape, weight, bias, eps);
}

/// <summary>A lookup table: rows of weight (num_embeddings, embedding_dim) picked by int64 indices.</summary>
public sealed class Embedding : Module<Tensor, Tensor>
{
    public Parameter weight { get; }

    public Embedding(long num_embeddings, long embedding_dim, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(Embedding))
    {
        weight = Init.Normal(new[] { num_embeddings, embedding_dim }, dtype, device);
        register_parameter("weight", weight);
    }

    public override Tensor forward(Tensor input) => embedding(input, weight);
}

/// <summary>Zeroes elements with probability p while training (scaling the rest by 1/(1-p)); identity in eval.</summary>
public sealed class Dropout : Module<Tensor, Tensor>
{
    public double p { get; }

    public Dropout(double p = 0.5) : base(nameof(Dropout))
    {
        if (p < 0 || p > 1) throw new ArgumentOutOfRangeException(nameof(p), "dropout probability must be in [0, 1]");
        this.p = p;
    }

    public override Tensor forward(Tensor input) => training && p > 0 ? dropout(input, p, true) : input.alias();
}

public sealed class SiLU : Module<Tensor, Tensor>
{
    public SiLU() : base(nameof(SiLU)) { }
    public override Tensor forward(Tensor input) => input.silu();
}

public sealed class GELU : Module<Tensor, Tensor>
{
    private readonly string _approximate;
    public GELU(string approximate = "none") : base(nameof(GELU)) => _approximate = approximate;
    public override Tensor forward(Tensor input) => gelu(input, _approximate);
}

public sealed class Identity : Module<Tensor, Tensor>
{
    public Identity() : base(nameof(Identity)) { }
    public override Tensor forward(Tensor input) => input.alias();
}
