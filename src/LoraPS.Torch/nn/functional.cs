using static LoraPS.Torch.Interop.LibTorchNative;

namespace LoraPS.Torch;

public enum PaddingModes { Constant = 0, Reflect = 1, Replicate = 2, Circular = 3 }
public enum InterpolationMode { Nearest = 0, Bilinear = 1, Bicubic = 2 }
public enum Reduction { None = 0, Mean = 1, Sum = 2 }

#pragma warning disable IDE1006 // naming: mirrors torch
public static unsafe partial class torch
{
    public static partial class nn
    {
        /// <summary>torch.nn.functional: stateless neural ops.</summary>
        public static class functional
        {
            private static IntPtr H(Tensor? t) => t?.Handle ?? IntPtr.Zero;
            private static long[] Pair(long v) => new[] { v, v };

            public static Tensor linear(Tensor input, Tensor weight, Tensor? bias = null) => new(lt_linear(input.Handle, weight.Handle, H(bias)));

            public static Tensor conv2d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0, long dilation = 1, long groups = 1) =>
                conv2d(input, weight, bias, Pair(stride), Pair(padding), Pair(dilation), groups);

            public static Tensor conv2d(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[] padding, long[] dilation, long groups = 1)
            {
                Check2(stride, nameof(stride)); Check2(padding, nameof(padding)); Check2(dilation, nameof(dilation));
                fixed (long* s = stride) fixed (long* p = padding) fixed (long* d = dilation)
                    return new Tensor(lt_conv2d(input.Handle, weight.Handle, H(bias), s, p, d, groups));
            }

            public static Tensor conv_transpose2d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0,
                long output_padding = 0, long groups = 1, long dilation = 1)
            {
                long[] s = Pair(stride), p = Pair(padding), o = Pair(output_padding), d = Pair(dilation);
                fixed (long* ps = s) fixed (long* pp = p) fixed (long* po = o) fixed (long* pd = d)
                    return new Tensor(lt_conv_transpose2d(input.Handle, weight.Handle, H(bias), ps, pp, po, groups, pd));
            }

            private static void Check2(long[] v, string name)
            {
                if (v is null || v.Length != 2) throw new ArgumentException($"{name} must have 2 values (height, width)", name);
            }

            public static Tensor group_norm(Tensor input, long num_groups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5) =>
                new(lt_group_norm(input.Handle, num_groups, H(weight), H(bias), eps));

            public static Tensor layer_norm(Tensor input, long[] normalized_shape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
            {
                fixed (long* s = normalized_shape) return new Tensor(lt_layer_norm(input.Handle, s, normalized_shape.Length, H(weight), H(bias), eps));
            }

            public static Tensor silu(Tensor input) => input.silu();
            public static Tensor relu(Tensor input) => input.relu();
            public static Tensor sigmoid(Tensor input) => input.sigmoid();
            public static Tensor tanh(Tensor input) => input.tanh();
            /// <summary>GELU; approximate "none" (exact, erf) or "tanh".</summary>
            public static Tensor gelu(Tensor input, string approximate = "none") => approximate switch
            {
                "none" => new Tensor(lt_gelu(input.Handle, 0)),
                "tanh" => new Tensor(lt_gelu(input.Handle, 1)),
                _ => throw new ArgumentException($"gelu approximate must be 'none' or 'tanh', not '{approximate}'"),
            };
            /// <summary>x · sigmoid(1.702 x), the GELU approximation of OpenAI's CLIP.</summary>
            public static Tensor quick_gelu(Tensor input)
            {
                using var scaled = input * 1.702;
                using var gate = scaled.sigmoid();
                return input * gate;
            }
            public static Tensor softmax(Tensor input, long dim, ScalarType? dtype = null) => new(lt_softmax(input.Handle, dim, dtype is null ? -1 : (int)dtype));
            public static Tensor log_softmax(Tensor input, long dim, ScalarType? dtype = null) => new(lt_log_softmax(input.Handle, dim, dtype is null ? -1 : (int)dtype));
            public static Tensor dropout(Tensor input, double p = 0.5, bool training = true) => new(lt_dropout(input.Handle, p, training ? 1 : 0));
            public static Tensor embedding(Tensor input, Tensor weight) => new(lt_embedding(weight.Handle, input.Handle));

            /// <summary>
            /// Resizes (N, C, H, W) to <paramref name="size"/> or by <paramref name="scale_factor"/> (output = floor(in · scale)).
            /// </summary>
            public static Tensor interpolate(Tensor input, long[]? size = null, double? scale_factor = null,
                InterpolationMode mode = InterpolationMode.Nearest, bool? align_corners = null)
            {
                if ((size is null) == (scale_factor is null)) throw new ArgumentException("give either size or scale_factor");
                if (mode == InterpolationMode.Nearest && align_corners is not null) throw new ArgumentException("align_corners only applies to bilinear and bicubic");
                double sh = double.NaN, sw = double.NaN;
                long[] outSize;
                if (size is not null)
                {
                    Check2(size, nameof(size));
                    outSize = size;
                }
                else
                {
                    var s = input.shape;
                    if (s.Length != 4) throw new ArgumentException("interpolate expects a 4-d (N, C, H, W) tensor");
                    sh = sw = scale_factor!.Value;
                    outSize = new[] { (long)Math.Floor(s[2] * sh), (long)Math.Floor(s[3] * sw) };
                }
                fixed (long* p = outSize) return new Tensor(lt_interpolate(input.Handle, p, (int)mode, align_corners == true ? 1 : 0, sh, sw));
            }

            public static Tensor avg_pool2d(Tensor input, long kernel_size, long? stride = null, long padding = 0, bool ceil_mode = false, bool count_include_pad = true)
            {
                long[] k = Pair(kernel_size), s = Pair(stride ?? kernel_size), p = Pair(padding);
                fixed (long* pk = k) fixed (long* ps = s) fixed (long* pp = p)
                    return new Tensor(lt_avg_pool2d(input.Handle, pk, ps, pp, ceil_mode ? 1 : 0, count_include_pad ? 1 : 0));
            }

            public static Tensor max_pool2d(Tensor input, long kernel_size, long? stride = null, long padding = 0)
            {
                long[] k = Pair(kernel_size), s = Pair(stride ?? kernel_size), p = Pair(padding);
                fixed (long* pk = k) fixed (long* ps = s) fixed (long* pp = p)
                    return new Tensor(lt_max_pool2d(input.Handle, pk, ps, pp));
            }

            /// <summary>
            /// softmax(q kᵀ · scale + mask) v over (…, L, E) tensors. libtorch 2.x runs its fused kernel; 1.13 the exact
            /// composite. A bool mask keeps where true; a float mask is added. scale defaults to 1/sqrt(E).
            /// </summary>
            public static Tensor scaled_dot_product_attention(Tensor query, Tensor key, Tensor value, Tensor? attn_mask = null,
                double dropout_p = 0, bool is_causal = false, double? scale = null) =>
                new(lt_sdpa(query.Handle, key.Handle, value.Handle, H(attn_mask), dropout_p, is_causal ? 1 : 0, scale ?? double.NaN, 0));

            /// <summary>The composite attention (matmul, softmax, matmul) regardless of the libtorch version, for comparisons.</summary>
            public static Tensor scaled_dot_product_attention_composite(Tensor query, Tensor key, Tensor value, Tensor? attn_mask = null,
                double dropout_p = 0, bool is_causal = false, double? scale = null) =>
                new(lt_sdpa(query.Handle, key.Handle, value.Handle, H(attn_mask), dropout_p, is_causal ? 1 : 0, scale ?? double.NaN, 1));

            public static Tensor mse_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) => new(lt_loss(0, input.Handle, target.Handle, (int)reduction, 0));
            public static Tensor l1_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) => new(lt_loss(1, input.Handle, target.Handle, (int)reduction, 0));
            public static Tensor smooth_l1_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double beta = 1.0) =>
                new(lt_loss(2, input.Handle, target.Handle, (int)reduction, beta));
            public static Tensor huber_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double delta = 1.0) =>
                new(lt_loss(3, input.Handle, target.Handle, (int)reduction, delta));
            public static Tensor cross_entropy(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, long ignore_index = -100, double label_smoothing = 0) =>
                new(lt_cross_entropy(input.Handle, target.Handle, (int)reduction, ignore_index, label_smoothing));

            /// <summary>Pads the last dims: <paramref name="pad"/> = (left, right[, top, bottom[, front, back]]).</summary>
            public static Tensor pad(Tensor input, long[] pad, PaddingModes mode = PaddingModes.Constant, double value = 0)
            {
                fixed (long* p = pad) return new Tensor(lt_pad(input.Handle, p, pad.Length, (int)mode, value));
            }
        }
    }
}
