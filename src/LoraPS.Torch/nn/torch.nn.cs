using LoraPS.Torch.Modules;

namespace LoraPS.Torch;

#pragma warning disable IDE1006 // naming: mirrors torch
public static partial class torch
{
    public static partial class nn
    {
        public static Linear Linear(long in_features, long out_features, bool hasBias = true, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
            new(in_features, out_features, hasBias, dtype, device);
        public static Conv2d Conv2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long dilation = 1,
            long groups = 1, bool hasBias = true, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
            new(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, hasBias, dtype, device);
        public static GroupNorm GroupNorm(long num_groups, long num_channels, double eps = 1e-5, bool affine = true) => new(num_groups, num_channels, eps, affine);
        public static LayerNorm LayerNorm(long normalized_shape, double eps = 1e-5, bool elementwise_affine = true) => new(normalized_shape, eps, elementwise_affine);
        public static Embedding Embedding(long num_embeddings, long embedding_dim) => new(num_embeddings, embedding_dim);
        public static Dropout Dropout(double p = 0.5) => new(p);
        public static SiLU SiLU() => new();
        public static GELU GELU(string approximate = "none") => new(approximate);
        public static Identity Identity() => new();
        public static Sequential Sequential(params Module<Tensor, Tensor>[] modules) => new(modules);

        public static Parameter Parameter(Tensor data, bool requires_grad = true) => new(data, requires_grad);

        public static class utils
        {
            /// <summary>Scales all gradients so their joint 2-norm is at most <paramref name="max_norm"/>; returns the norm before clipping.</summary>
            public static double clip_grad_norm_(IEnumerable<Parameter> parameters, double max_norm)
            {
                using var noGrad = torch.no_grad();
                using var scope = torch.NewDisposeScope();
                var grads = parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!).ToList();
                if (grads.Count == 0) return 0;
                var norms = grads.Select(g => g.norm().to(ScalarType.Float64)).ToList();
                double total = torch.stack(norms).norm().item();
                double coef = max_norm / (total + 1e-6);
                if (coef < 1)
                    foreach (var g in grads) g.mul_(coef);
                return total;
            }

            /// <summary>Clamps every gradient element into ±<paramref name="clip_value"/>.</summary>
            public static void clip_grad_value_(IEnumerable<Parameter> parameters, double clip_value)
            {
                using var scope = torch.NewDisposeScope();
                foreach (var p in parameters) p.grad?.clamp_(-clip_value, clip_value);
            }
        }
    }
}
