using System.Runtime.InteropServices;

namespace LoraPS.Torch.Interop;

/// <summary>
/// P/Invoke declarations of the C shim (native/loraps_torch.h), one per exported function, in the
/// header's order. Keep in step with that header. All arguments are blittable, so the generated
/// stubs are plain calls (no marshalling): that keeps the per-op overhead near C++'s.
/// </summary>
internal static unsafe partial class LibTorchNative
{
    internal const string Library = "loraps_torch";

    [LibraryImport(Library)] internal static partial IntPtr lt_last_error();
    [LibraryImport(Library)] internal static partial IntPtr lt_version();
    [LibraryImport(Library)] internal static partial int lt_shim_abi();
    [LibraryImport(Library)] internal static partial int lt_cuda_is_available();
    [LibraryImport(Library)] internal static partial int lt_cuda_device_count();
    [LibraryImport(Library)] internal static partial int lt_cuda_device_name(int device, byte* buf, int capacity);
    [LibraryImport(Library)] internal static partial int lt_cuda_synchronize(int device);
    [LibraryImport(Library)] internal static partial long lt_cuda_memory(int device, int which);
    [LibraryImport(Library)] internal static partial int lt_cuda_reset_peak(int device);
    [LibraryImport(Library)] internal static partial int lt_cuda_empty_cache();
    [LibraryImport(Library)] internal static partial int lt_get_num_threads();
    [LibraryImport(Library)] internal static partial void lt_set_num_threads(int n);
    [LibraryImport(Library)] internal static partial long lt_live_tensors();
    [LibraryImport(Library)] internal static partial IntPtr lt_generator_new(int dev_type, int dev_index, ulong seed);
    [LibraryImport(Library)] internal static partial void lt_generator_free(IntPtr g);
    [LibraryImport(Library)] internal static partial int lt_generator_set_seed(IntPtr g, ulong seed);
    [LibraryImport(Library)] internal static partial int lt_manual_seed(ulong seed);
    [LibraryImport(Library)] internal static partial IntPtr lt_tensor_from_data(void* data, long* shape, int ndim, int dtype);
    [LibraryImport(Library)] internal static partial void lt_tensor_free(IntPtr t);
    [LibraryImport(Library)] internal static partial int lt_tensor_ndim(IntPtr t);
    [LibraryImport(Library)] internal static partial int lt_tensor_shape(IntPtr t, long* shape, int capacity);
    [LibraryImport(Library)] internal static partial int lt_tensor_stride(IntPtr t, long* stride, int capacity);
    [LibraryImport(Library)] internal static partial int lt_tensor_dtype(IntPtr t);
    [LibraryImport(Library)] internal static partial int lt_tensor_device(IntPtr t, int* index);
    [LibraryImport(Library)] internal static partial long lt_tensor_numel(IntPtr t);
    [LibraryImport(Library)] internal static partial int lt_tensor_is_contiguous(IntPtr t);
    [LibraryImport(Library)] internal static partial int lt_tensor_copy_to(IntPtr t, void* dst, long bytes);
    [LibraryImport(Library)] internal static partial int lt_tensor_copy_from(IntPtr t, void* src, long bytes);
    [LibraryImport(Library)] internal static partial double lt_item(IntPtr t);
    [LibraryImport(Library)] internal static partial IntPtr lt_to(IntPtr t, int dtype, int dev_type, int dev_index, int copy);
    [LibraryImport(Library)] internal static partial IntPtr lt_contiguous(IntPtr t);
    [LibraryImport(Library)] internal static partial IntPtr lt_clone(IntPtr t);
    [LibraryImport(Library)] internal static partial IntPtr lt_alias(IntPtr t);
    [LibraryImport(Library)] internal static partial int lt_set_data(IntPtr t, IntPtr src);
    [LibraryImport(Library)] internal static partial IntPtr lt_empty(long* shape, int ndim, int dtype, int dev_type, int dev_index);
    [LibraryImport(Library)] internal static partial IntPtr lt_full(long* shape, int ndim, double value, int dtype, int dev_type, int dev_index);
    [LibraryImport(Library)] internal static partial IntPtr lt_arange(double start, double end, double step, int dtype, int dev_type, int dev_index);
    [LibraryImport(Library)] internal static partial IntPtr lt_linspace(double start, double end, long steps, int dtype, int dev_type, int dev_index);
    [LibraryImport(Library)] internal static partial IntPtr lt_eye(long n, long m, int dtype, int dev_type, int dev_index);
    [LibraryImport(Library)] internal static partial IntPtr lt_randn(long* shape, int ndim, IntPtr g, int dtype, int dev_type, int dev_index);
    [LibraryImport(Library)] internal static partial IntPtr lt_rand(long* shape, int ndim, IntPtr g, int dtype, int dev_type, int dev_index);
    [LibraryImport(Library)] internal static partial IntPtr lt_randint(long low, long high, long* shape, int ndim, IntPtr g, int dtype, int dev_type, int dev_index);
    [LibraryImport(Library)] internal static partial IntPtr lt_normal(double mean, double std, long* shape, int ndim, IntPtr g, int dtype, int dev_type, int dev_index);
    [LibraryImport(Library)] internal static partial IntPtr lt_bernoulli(IntPtr probs, IntPtr g);
    [LibraryImport(Library)] internal static partial IntPtr lt_randperm(long n, IntPtr g, int dev_type, int dev_index);
    [LibraryImport(Library)] internal static partial IntPtr lt_view(IntPtr t, long* s, int n);
    [LibraryImport(Library)] internal static partial IntPtr lt_reshape(IntPtr t, long* s, int n);
    [LibraryImport(Library)] internal static partial IntPtr lt_permute(IntPtr t, long* s, int n);
    [LibraryImport(Library)] internal static partial IntPtr lt_transpose(IntPtr t, long d0, long d1);
    [LibraryImport(Library)] internal static partial IntPtr lt_flatten(IntPtr t, long start, long end);
    [LibraryImport(Library)] internal static partial IntPtr lt_unflatten(IntPtr t, long dim, long* s, int n);
    [LibraryImport(Library)] internal static partial IntPtr lt_squeeze(IntPtr t, long dim, int all);
    [LibraryImport(Library)] internal static partial IntPtr lt_unsqueeze(IntPtr t, long dim);
    [LibraryImport(Library)] internal static partial IntPtr lt_narrow(IntPtr t, long dim, long start, long length);
    [LibraryImport(Library)] internal static partial IntPtr lt_slice(IntPtr t, long dim, long start, long end, long step);
    [LibraryImport(Library)] internal static partial IntPtr lt_select(IntPtr t, long dim, long index);
    [LibraryImport(Library)] internal static partial IntPtr lt_index_select(IntPtr t, long dim, IntPtr index);
    [LibraryImport(Library)] internal static partial IntPtr lt_gather(IntPtr t, long dim, IntPtr index);
    [LibraryImport(Library)] internal static partial IntPtr lt_masked_select(IntPtr t, IntPtr mask);
    [LibraryImport(Library)] internal static partial int lt_chunk(IntPtr t, long chunks, long dim, IntPtr* @out, int capacity);
    [LibraryImport(Library)] internal static partial int lt_split(IntPtr t, long* sizes, int n, long dim, IntPtr* @out, int capacity);
    [LibraryImport(Library)] internal static partial IntPtr lt_cat(IntPtr* ts, int n, long dim);
    [LibraryImport(Library)] internal static partial IntPtr lt_stack(IntPtr* ts, int n, long dim);
    [LibraryImport(Library)] internal static partial IntPtr lt_expand(IntPtr t, long* s, int n);
    [LibraryImport(Library)] internal static partial IntPtr lt_repeat(IntPtr t, long* s, int n);
    [LibraryImport(Library)] internal static partial IntPtr lt_flip(IntPtr t, long* dims, int n);
    [LibraryImport(Library)] internal static partial IntPtr lt_roll(IntPtr t, long* shifts, int ns, long* dims, int nd);
    [LibraryImport(Library)] internal static partial IntPtr lt_pad(IntPtr t, long* pad, int n, int mode, double value);
    [LibraryImport(Library)] internal static partial IntPtr lt_diag(IntPtr t, long diagonal);
    [LibraryImport(Library)] internal static partial IntPtr lt_tril(IntPtr t, long diagonal);
    [LibraryImport(Library)] internal static partial IntPtr lt_triu(IntPtr t, long diagonal);
    [LibraryImport(Library)] internal static partial IntPtr lt_binary(int op, IntPtr a, IntPtr b);
    [LibraryImport(Library)] internal static partial IntPtr lt_binary_scalar(int op, IntPtr a, double b);
    [LibraryImport(Library)] internal static partial IntPtr lt_unary(int op, IntPtr a);
    [LibraryImport(Library)] internal static partial int lt_inplace_binary(int op, IntPtr a, IntPtr b);
    [LibraryImport(Library)] internal static partial int lt_inplace_scalar(int op, IntPtr a, double b);
    [LibraryImport(Library)] internal static partial IntPtr lt_add(IntPtr a, IntPtr b, double alpha);
    [LibraryImport(Library)] internal static partial IntPtr lt_sub(IntPtr a, IntPtr b, double alpha);
    [LibraryImport(Library)] internal static partial IntPtr lt_mul(IntPtr a, IntPtr b);
    [LibraryImport(Library)] internal static partial IntPtr lt_div(IntPtr a, IntPtr b);
    [LibraryImport(Library)] internal static partial int lt_add_(IntPtr a, IntPtr b, double alpha);
    [LibraryImport(Library)] internal static partial IntPtr lt_clamp(IntPtr t, double min, double max);
    [LibraryImport(Library)] internal static partial int lt_clamp_(IntPtr t, double min, double max);
    [LibraryImport(Library)] internal static partial IntPtr lt_where(IntPtr cond, IntPtr a, IntPtr b);
    [LibraryImport(Library)] internal static partial IntPtr lt_masked_fill(IntPtr t, IntPtr mask, double value);
    [LibraryImport(Library)] internal static partial IntPtr lt_lerp(IntPtr a, IntPtr b, double weight);
    [LibraryImport(Library)] internal static partial IntPtr lt_addcmul(IntPtr t, IntPtr a, IntPtr b, double value);
    [LibraryImport(Library)] internal static partial IntPtr lt_addcdiv(IntPtr t, IntPtr a, IntPtr b, double value);
    [LibraryImport(Library)] internal static partial int lt_addcmul_(IntPtr t, IntPtr a, IntPtr b, double value);
    [LibraryImport(Library)] internal static partial int lt_addcdiv_(IntPtr t, IntPtr a, IntPtr b, double value);
    [LibraryImport(Library)] internal static partial int lt_lerp_(IntPtr a, IntPtr b, double weight);
    [LibraryImport(Library)] internal static partial int lt_zero_(IntPtr t);
    [LibraryImport(Library)] internal static partial int lt_fill_(IntPtr t, double value);
    [LibraryImport(Library)] internal static partial int lt_copy_(IntPtr dst, IntPtr src);
    [LibraryImport(Library)] internal static partial IntPtr lt_matmul(IntPtr a, IntPtr b);
    [LibraryImport(Library)] internal static partial IntPtr lt_bmm(IntPtr a, IntPtr b);
    [LibraryImport(Library)] internal static partial IntPtr lt_linear(IntPtr x, IntPtr w, IntPtr b);
    [LibraryImport(Library)] internal static partial IntPtr lt_einsum(byte* equation, IntPtr* ts, int n);
    [LibraryImport(Library)] internal static partial IntPtr lt_sum(IntPtr t, long* dims, int n, int keepdim, int dtype);
    [LibraryImport(Library)] internal static partial IntPtr lt_mean(IntPtr t, long* dims, int n, int keepdim);
    [LibraryImport(Library)] internal static partial IntPtr lt_var(IntPtr t, long* dims, int n, int unbiased, int keepdim);
    [LibraryImport(Library)] internal static partial IntPtr lt_std(IntPtr t, long* dims, int n, int unbiased, int keepdim);
    [LibraryImport(Library)] internal static partial IntPtr lt_prod(IntPtr t);
    [LibraryImport(Library)] internal static partial IntPtr lt_amax(IntPtr t, long* dims, int n, int keepdim);
    [LibraryImport(Library)] internal static partial IntPtr lt_amin(IntPtr t, long* dims, int n, int keepdim);
    [LibraryImport(Library)] internal static partial int lt_max_dim(IntPtr t, long dim, int keepdim, IntPtr* @out);
    [LibraryImport(Library)] internal static partial int lt_min_dim(IntPtr t, long dim, int keepdim, IntPtr* @out);
    [LibraryImport(Library)] internal static partial IntPtr lt_argmax(IntPtr t, long dim, int has_dim, int keepdim);
    [LibraryImport(Library)] internal static partial IntPtr lt_argmin(IntPtr t, long dim, int has_dim, int keepdim);
    [LibraryImport(Library)] internal static partial IntPtr lt_norm(IntPtr t, double p, long* dims, int n, int keepdim);
    [LibraryImport(Library)] internal static partial IntPtr lt_cumsum(IntPtr t, long dim);
    [LibraryImport(Library)] internal static partial IntPtr lt_cumprod(IntPtr t, long dim);
    [LibraryImport(Library)] internal static partial int lt_sort(IntPtr t, long dim, int descending, IntPtr* @out);
    [LibraryImport(Library)] internal static partial int lt_topk(IntPtr t, long k, long dim, int largest, IntPtr* @out);
    [LibraryImport(Library)] internal static partial IntPtr lt_quantile(IntPtr t, double q, long dim, int has_dim, int keepdim);
    [LibraryImport(Library)] internal static partial IntPtr lt_logsumexp(IntPtr t, long* dims, int n, int keepdim);
    [LibraryImport(Library)] internal static partial IntPtr lt_any(IntPtr t);
    [LibraryImport(Library)] internal static partial IntPtr lt_all(IntPtr t);
    [LibraryImport(Library)] internal static partial int lt_allclose(IntPtr a, IntPtr b, double rtol, double atol);
    [LibraryImport(Library)] internal static partial int lt_svd(IntPtr a, int full_matrices, IntPtr* @out);
    [LibraryImport(Library)] internal static partial int lt_qr(IntPtr a, int complete, IntPtr* @out);
    [LibraryImport(Library)] internal static partial IntPtr lt_matrix_norm(IntPtr a, byte* ord);
    [LibraryImport(Library)] internal static partial IntPtr lt_conv2d(IntPtr x, IntPtr w, IntPtr b, long* stride, long* padding, long* dilation, long groups);
    [LibraryImport(Library)] internal static partial IntPtr lt_conv_transpose2d(IntPtr x, IntPtr w, IntPtr b, long* stride, long* padding, long* output_padding, long groups, long* dilation);
    [LibraryImport(Library)] internal static partial IntPtr lt_group_norm(IntPtr x, long groups, IntPtr w, IntPtr b, double eps);
    [LibraryImport(Library)] internal static partial IntPtr lt_layer_norm(IntPtr x, long* shape, int n, IntPtr w, IntPtr b, double eps);
    [LibraryImport(Library)] internal static partial IntPtr lt_gelu(IntPtr x, int tanh_approx);
    [LibraryImport(Library)] internal static partial IntPtr lt_softmax(IntPtr x, long dim, int dtype);
    [LibraryImport(Library)] internal static partial IntPtr lt_log_softmax(IntPtr x, long dim, int dtype);
    [LibraryImport(Library)] internal static partial IntPtr lt_dropout(IntPtr x, double p, int train);
    [LibraryImport(Library)] internal static partial IntPtr lt_embedding(IntPtr weight, IntPtr indices);
    [LibraryImport(Library)] internal static partial IntPtr lt_interpolate(IntPtr x, long* size, int mode, int align_corners, double scale_h, double scale_w);
    [LibraryImport(Library)] internal static partial IntPtr lt_avg_pool2d(IntPtr x, long* kernel, long* stride, long* padding, int ceil_mode, int count_include_pad);
    [LibraryImport(Library)] internal static partial IntPtr lt_max_pool2d(IntPtr x, long* kernel, long* stride, long* padding);
    [LibraryImport(Library)] internal static partial IntPtr lt_sdpa(IntPtr q, IntPtr k, IntPtr v, IntPtr mask, double dropout, int causal, double scale, int force_composite);
    [LibraryImport(Library)] internal static partial IntPtr lt_loss(int kind, IntPtr input, IntPtr target, int reduction, double beta);
    [LibraryImport(Library)] internal static partial IntPtr lt_cross_entropy(IntPtr input, IntPtr target, int reduction, long ignore_index, double label_smoothing);
    [LibraryImport(Library)] internal static partial int lt_requires_grad(IntPtr t);
    [LibraryImport(Library)] internal static partial int lt_set_requires_grad(IntPtr t, int value);
    [LibraryImport(Library)] internal static partial int lt_is_leaf(IntPtr t);
    [LibraryImport(Library)] internal static partial int lt_has_grad_fn(IntPtr t);
    [LibraryImport(Library)] internal static partial IntPtr lt_grad(IntPtr t);
    [LibraryImport(Library)] internal static partial int lt_set_grad(IntPtr t, IntPtr grad);
    [LibraryImport(Library)] internal static partial int lt_retain_grad(IntPtr t);
    [LibraryImport(Library)] internal static partial IntPtr lt_detach(IntPtr t);
    [LibraryImport(Library)] internal static partial int lt_backward(IntPtr t, IntPtr grad, int retain_graph, int create_graph);
    [LibraryImport(Library)] internal static partial int lt_autograd_grad(IntPtr* outputs, int nout, IntPtr* grad_outputs, IntPtr* inputs, int nin, int retain_graph, int create_graph, int allow_unused, IntPtr* @out);
    [LibraryImport(Library)] internal static partial int lt_grad_enabled();
    [LibraryImport(Library)] internal static partial int lt_set_grad_enabled(int enabled);
    [LibraryImport(Library)] internal static partial long lt_register_hook(IntPtr t, IntPtr fn, void* state);
    [LibraryImport(Library)] internal static partial int lt_remove_hook(IntPtr t, long id);
    [LibraryImport(Library)] internal static partial int lt_checkpoint(IntPtr fn, IntPtr release, void* state, IntPtr* inputs, int n, IntPtr* outputs, int capacity);
    [LibraryImport(Library)] internal static partial long lt_autocast_enter(int dev_type, int dtype, int enabled);
    [LibraryImport(Library)] internal static partial int lt_autocast_exit(int dev_type, long previous);
    [LibraryImport(Library)] internal static partial int lt_autocast_enabled(int dev_type);
    /// <summary>Throws the shim's last error on this thread, if the last call failed.</summary>
    internal static void Check()
    {
        IntPtr message = lt_last_error();
        if (message != IntPtr.Zero) throw new TorchException(Marshal.PtrToStringUTF8(message) ?? "libtorch error");
    }

    /// <summary>Throws the shim's error when an int-returning call reported failure (-1).</summary>
    internal static int Ok(int rc)
    {
        if (rc < 0) { Check(); throw new TorchException("libtorch call failed without a message"); }
        return rc;
    }

    /// <summary>Returns a handle made by the shim, or throws its error when the handle is null.</summary>
    internal static IntPtr CheckHandle(IntPtr handle)
    {
        if (handle == IntPtr.Zero)
        {
            Check();
            throw new TorchException("libtorch returned no tensor and no error");
        }
        return handle;
    }
}
