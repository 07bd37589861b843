/* C interface of the LoraPS libtorch shim. Every function is exception-safe: a libtorch error is
 * caught, its message kept in a thread-local slot (lt_last_error), and the function returns its
 * failure value (NULL handle, or -1 for int results). The C# side checks and throws.
 * Conventions: dtype codes are c10::ScalarType values; devices are (type 0=cpu 1=cuda, index);
 * size lists are (const int64_t*, count); optional tensors are NULL when absent; functions that
 * return several tensors write new handles into a caller array and return how many. */
#pragma once
#include <stdint.h>

#if defined(_WIN32)
#  define LT_API extern "C" __declspec(dllexport)
#else
#  define LT_API extern "C" __attribute__((visibility("default")))
#endif

typedef void* lt_tensor;    /* an owned at::Tensor*; free with lt_tensor_free */
typedef void* lt_generator; /* an owned at::Generator*; free with lt_generator_free */
typedef const int64_t* lt_sizes;

/* errors and library facts */
LT_API const char* lt_last_error(void);
LT_API const char* lt_version(void);
LT_API int lt_shim_abi(void);
LT_API int lt_cuda_is_available(void);
LT_API int lt_cuda_device_count(void);
LT_API int lt_cuda_device_name(int device, char* buf, int capacity);
LT_API int lt_cuda_synchronize(int device);
LT_API int64_t lt_cuda_memory(int device, int which); /* 0 allocated, 1 peak, 2 reserved */
LT_API int lt_cuda_reset_peak(int device);
LT_API int lt_cuda_empty_cache(void);
LT_API int lt_get_num_threads(void);
LT_API void lt_set_num_threads(int n);
LT_API int64_t lt_live_tensors(void);

/* random generators */
LT_API lt_generator lt_generator_new(int dev_type, int dev_index, uint64_t seed);
LT_API void lt_generator_free(lt_generator g);
LT_API int lt_generator_set_seed(lt_generator g, uint64_t seed);
LT_API int lt_manual_seed(uint64_t seed);

/* tensor facts and conversion */
LT_API lt_tensor lt_tensor_from_data(const void* data, const int64_t* shape, int ndim, int dtype);
LT_API void lt_tensor_free(lt_tensor t);
LT_API int lt_tensor_ndim(lt_tensor t);
LT_API int lt_tensor_shape(lt_tensor t, int64_t* shape, int capacity);
LT_API int lt_tensor_stride(lt_tensor t, int64_t* stride, int capacity);
LT_API int lt_tensor_dtype(lt_tensor t);
LT_API int lt_tensor_device(lt_tensor t, int* index); /* returns type */
LT_API int64_t lt_tensor_numel(lt_tensor t);
LT_API int lt_tensor_is_contiguous(lt_tensor t);
LT_API int lt_tensor_copy_to(lt_tensor t, void* dst, int64_t bytes);
LT_API int lt_tensor_copy_from(lt_tensor t, const void* src, int64_t bytes);
LT_API double lt_item(lt_tensor t);
LT_API lt_tensor lt_to(lt_tensor t, int dtype, int dev_type, int dev_index, int copy); /* -1 keeps */
LT_API lt_tensor lt_contiguous(lt_tensor t);
LT_API lt_tensor lt_clone(lt_tensor t);
LT_API lt_tensor lt_alias(lt_tensor t); /* a second handle on the same tensor */
LT_API int lt_set_data(lt_tensor t, lt_tensor src);

/* creation */
LT_API lt_tensor lt_empty(lt_sizes shape, int ndim, int dtype, int dev_type, int dev_index);
LT_API lt_tensor lt_full(lt_sizes shape, int ndim, double value, int dtype, int dev_type, int dev_index);
LT_API lt_tensor lt_arange(double start, double end, double step, int dtype, int dev_type, int dev_index);
LT_API lt_tensor lt_linspace(double start, double end, int64_t steps, int dtype, int dev_type, int dev_index);
LT_API lt_tensor lt_eye(int64_t n, int64_t m, int dtype, int dev_type, int dev_index);
LT_API lt_tensor lt_randn(lt_sizes shape, int ndim, lt_generator g, int dtype, int dev_type, int dev_index);
LT_API lt_tensor lt_rand(lt_sizes shape, int ndim, lt_generator g, int dtype, int dev_type, int dev_index);
LT_API lt_tensor lt_randint(int64_t low, int64_t high, lt_sizes shape, int ndim, lt_generator g, int dtype, int dev_type, int dev_index);
LT_API lt_tensor lt_normal(double mean, double std, lt_sizes shape, int ndim, lt_generator g, int dtype, int dev_type, int dev_index);
LT_API lt_tensor lt_bernoulli(lt_tensor probs, lt_generator g);
LT_API lt_tensor lt_randperm(int64_t n, lt_generator g, int dev_type, int dev_index);

/* views and shape ops */
LT_API lt_tensor lt_view(lt_tensor t, lt_sizes s, int n);
LT_API lt_tensor lt_reshape(lt_tensor t, lt_sizes s, int n);
LT_API lt_tensor lt_permute(lt_tensor t, lt_sizes s, int n);
LT_API lt_tensor lt_transpose(lt_tensor t, int64_t d0, int64_t d1);
LT_API lt_tensor lt_flatten(lt_tensor t, int64_t start, int64_t end);
LT_API lt_tensor lt_unflatten(lt_tensor t, int64_t dim, lt_sizes s, int n);
LT_API lt_tensor lt_squeeze(lt_tensor t, int64_t dim, int all);
LT_API lt_tensor lt_unsqueeze(lt_tensor t, int64_t dim);
LT_API lt_tensor lt_narrow(lt_tensor t, int64_t dim, int64_t start, int64_t length);
LT_API lt_tensor lt_slice(lt_tensor t, int64_t dim, int64_t start, int64_t end, int64_t step);
LT_API lt_tensor lt_select(lt_tensor t, int64_t dim, int64_t index);
LT_API lt_tensor lt_index_select(lt_tensor t, int64_t dim, lt_tensor index);
LT_API lt_tensor lt_gather(lt_tensor t, int64_t dim, lt_tensor index);
LT_API lt_tensor lt_masked_select(lt_tensor t, lt_tensor mask);
LT_API int lt_chunk(lt_tensor t, int64_t chunks, int64_t dim, lt_tensor* out, int capacity);
LT_API int lt_split(lt_tensor t, lt_sizes sizes, int n, int64_t dim, lt_tensor* out, int capacity);
LT_API lt_tensor lt_cat(const lt_tensor* ts, int n, int64_t dim);
LT_API lt_tensor lt_stack(const lt_tensor* ts, int n, int64_t dim);
LT_API lt_tensor lt_expand(lt_tensor t, lt_sizes s, int n);
LT_API lt_tensor lt_repeat(lt_tensor t, lt_sizes s, int n);
LT_API lt_tensor lt_flip(lt_tensor t, lt_sizes dims, int n);
LT_API lt_tensor lt_roll(lt_tensor t, lt_sizes shifts, int ns, lt_sizes dims, int nd);
LT_API lt_tensor lt_pad(lt_tensor t, lt_sizes pad, int n, int mode, double value); /* 0 constant 1 reflect 2 replicate 3 circular */
LT_API lt_tensor lt_diag(lt_tensor t, int64_t diagonal);
LT_API lt_tensor lt_tril(lt_tensor t, int64_t diagonal);
LT_API lt_tensor lt_triu(lt_tensor t, int64_t diagonal);

/* elementwise math: op codes in loraps_ops.cpp (binary 0 add .. ; unary 0 neg ..) */
LT_API lt_tensor lt_binary(int op, lt_tensor a, lt_tensor b);
LT_API lt_tensor lt_binary_scalar(int op, lt_tensor a, double b);
LT_API lt_tensor lt_unary(int op, lt_tensor a);
LT_API int lt_inplace_binary(int op, lt_tensor a, lt_tensor b);
LT_API int lt_inplace_scalar(int op, lt_tensor a, double b);
LT_API lt_tensor lt_add(lt_tensor a, lt_tensor b, double alpha);
LT_API lt_tensor lt_sub(lt_tensor a, lt_tensor b, double alpha);
LT_API lt_tensor lt_mul(lt_tensor a, lt_tensor b);
LT_API lt_tensor lt_div(lt_tensor a, lt_tensor b);
LT_API int lt_add_(lt_tensor a, lt_tensor b, double alpha);
LT_API lt_tensor lt_clamp(lt_tensor t, double min, double max); /* NaN = unbounded side */
LT_API int lt_clamp_(lt_tensor t, double min, double max);
LT_API lt_tensor lt_where(lt_tensor cond, lt_tensor a, lt_tensor b);
LT_API lt_tensor lt_masked_fill(lt_tensor t, lt_tensor mask, double value);
LT_API lt_tensor lt_lerp(lt_tensor a, lt_tensor b, double weight);
LT_API lt_tensor lt_addcmul(lt_tensor t, lt_tensor a, lt_tensor b, double value);
LT_API lt_tensor lt_addcdiv(lt_tensor t, lt_tensor a, lt_tensor b, double value);
LT_API int lt_addcmul_(lt_tensor t, lt_tensor a, lt_tensor b, double value);
LT_API int lt_addcdiv_(lt_tensor t, lt_tensor a, lt_tensor b, double value);
LT_API int lt_lerp_(lt_tensor a, lt_tensor b, double weight);
LT_API int lt_zero_(lt_tensor t);
LT_API int lt_fill_(lt_tensor t, double value);
LT_API int lt_copy_(lt_tensor dst, lt_tensor src);
LT_API lt_tensor lt_matmul(lt_tensor a, lt_tensor b);
LT_API lt_tensor lt_bmm(lt_tensor a, lt_tensor b);
LT_API lt_tensor lt_linear(lt_tensor x, lt_tensor w, lt_tensor b);
LT_API lt_tensor lt_einsum(const char* equation, const lt_tensor* ts, int n);

/* reductions: dims NULL/0 = all dims */
LT_API lt_tensor lt_sum(lt_tensor t, lt_sizes dims, int n, int keepdim, int dtype);
LT_API lt_tensor lt_mean(lt_tensor t, lt_sizes dims, int n, int keepdim);
LT_API lt_tensor lt_var(lt_tensor t, lt_sizes dims, int n, int unbiased, int keepdim);
LT_API lt_tensor lt_std(lt_tensor t, lt_sizes dims, int n, int unbiased, int keepdim);
LT_API lt_tensor lt_prod(lt_tensor t);
LT_API lt_tensor lt_amax(lt_tensor t, lt_sizes dims, int n, int keepdim);
LT_API lt_tensor lt_amin(lt_tensor t, lt_sizes dims, int n, int keepdim);
LT_API int lt_max_dim(lt_tensor t, int64_t dim, int keepdim, lt_tensor* out); /* values, indices */
LT_API int lt_min_dim(lt_tensor t, int64_t dim, int keepdim, lt_tensor* out);
LT_API lt_tensor lt_argmax(lt_tensor t, int64_t dim, int has_dim, int keepdim);
LT_API lt_tensor lt_argmin(lt_tensor t, int64_t dim, int has_dim, int keepdim);
LT_API lt_tensor lt_norm(lt_tensor t, double p, lt_sizes dims, int n, int keepdim);
LT_API lt_tensor lt_cumsum(lt_tensor t, int64_t dim);
LT_API lt_tensor lt_cumprod(lt_tensor t, int64_t dim);
LT_API int lt_sort(lt_tensor t, int64_t dim, int descending, lt_tensor* out); /* values, indices */
LT_API int lt_topk(lt_tensor t, int64_t k, int64_t dim, int largest, lt_tensor* out);
LT_API lt_tensor lt_quantile(lt_tensor t, double q, int64_t dim, int has_dim, int keepdim);
LT_API lt_tensor lt_logsumexp(lt_tensor t, lt_sizes dims, int n, int keepdim);
LT_API lt_tensor lt_any(lt_tensor t);
LT_API lt_tensor lt_all(lt_tensor t);
LT_API int lt_allclose(lt_tensor a, lt_tensor b, double rtol, double atol);

/* linear algebra */
LT_API int lt_svd(lt_tensor a, int full_matrices, lt_tensor* out); /* U, S, Vh */
LT_API int lt_qr(lt_tensor a, int complete, lt_tensor* out);       /* Q, R */
LT_API lt_tensor lt_matrix_norm(lt_tensor a, const char* ord);

/* neural ops (loraps_nn.cpp) */
LT_API lt_tensor lt_conv2d(lt_tensor x, lt_tensor w, lt_tensor b, lt_sizes stride, lt_sizes padding, lt_sizes dilation, int64_t groups);
LT_API lt_tensor lt_conv_transpose2d(lt_tensor x, lt_tensor w, lt_tensor b, lt_sizes stride, lt_sizes padding, lt_sizes output_padding, int64_t groups, lt_sizes dilation);
LT_API lt_tensor lt_group_norm(lt_tensor x, int64_t groups, lt_tensor w, lt_tensor b, double eps);
LT_API lt_tensor lt_layer_norm(lt_tensor x, lt_sizes shape, int n, lt_tensor w, lt_tensor b, double eps);
LT_API lt_tensor lt_gelu(lt_tensor x, int tanh_approx);
LT_API lt_tensor lt_softmax(lt_tensor x, int64_t dim, int dtype);
LT_API lt_tensor lt_log_softmax(lt_tensor x, int64_t dim, int dtype);
LT_API lt_tensor lt_dropout(lt_tensor x, double p, int train);
LT_API lt_tensor lt_embedding(lt_tensor weight, lt_tensor indices);
LT_API lt_tensor lt_interpolate(lt_tensor x, lt_sizes size, int mode, int align_corners, double scale_h, double scale_w); /* 0 nearest 1 bilinear 2 bicubic; scale NaN = none */
LT_API lt_tensor lt_avg_pool2d(lt_tensor x, lt_sizes kernel, lt_sizes stride, lt_sizes padding, int ceil_mode, int count_include_pad);
LT_API lt_tensor lt_max_pool2d(lt_tensor x, lt_sizes kernel, lt_sizes stride, lt_sizes padding);
LT_API lt_tensor lt_sdpa(lt_tensor q, lt_tensor k, lt_tensor v, lt_tensor mask, double dropout, int causal, double scale, int force_composite); /* scale NaN = 1/sqrt(d) */
LT_API lt_tensor lt_loss(int kind, lt_tensor input, lt_tensor target, int reduction, double beta); /* 0 mse 1 l1 2 smooth_l1 3 huber */
LT_API lt_tensor lt_cross_entropy(lt_tensor input, lt_tensor target, int reduction, int64_t ignore_index, double label_smoothing);

/* autograd (loraps_nn.cpp) */
LT_API int lt_requires_grad(lt_tensor t);
LT_API int lt_set_requires_grad(lt_tensor t, int value);
LT_API int lt_is_leaf(lt_tensor t);
LT_API int lt_has_grad_fn(lt_tensor t);
LT_API lt_tensor lt_grad(lt_tensor t); /* NULL with no error when there is no gradient */
LT_API int lt_set_grad(lt_tensor t, lt_tensor grad); /* NULL grad = None */
LT_API int lt_retain_grad(lt_tensor t);
LT_API lt_tensor lt_detach(lt_tensor t);
LT_API int lt_backward(lt_tensor t, lt_tensor grad, int retain_graph, int create_graph);
LT_API int lt_autograd_grad(const lt_tensor* outputs, int nout, const lt_tensor* grad_outputs, const lt_tensor* inputs, int nin,
                            int retain_graph, int create_graph, int allow_unused, lt_tensor* out);
LT_API int lt_grad_enabled(void);
LT_API int lt_set_grad_enabled(int enabled); /* returns the previous state */

/* a C# gradient hook: receives a new handle on the gradient (callee owns it), may store a new
 * gradient handle (shim takes ownership) into *replacement; returns 0, or -1 on failure. */
typedef int (*lt_hook_fn)(void* state, lt_tensor grad, lt_tensor* replacement);
LT_API int64_t lt_register_hook(lt_tensor t, lt_hook_fn fn, void* state);
LT_API int lt_remove_hook(lt_tensor t, int64_t id);

/* gradient checkpointing: fn computes outputs from inputs (callee owns the input handles it gets,
 * the shim takes ownership of the output handles); it is run without grad in forward and run again
 * with grad during backward. Returns the output count or -1. */
typedef int (*lt_forward_fn)(void* state, lt_tensor* inputs, int n, lt_tensor* outputs, int capacity);
/* release(state) is called exactly once, when the graph node that holds fn is freed (or at once on failure) */
typedef void (*lt_release_fn)(void* state);
LT_API int lt_checkpoint(lt_forward_fn fn, lt_release_fn release, void* state, const lt_tensor* inputs, int n, lt_tensor* outputs, int capacity);

/* autocast: enter returns an opaque previous-state code for exit */
LT_API int64_t lt_autocast_enter(int dev_type, int dtype, int enabled);
LT_API int lt_autocast_exit(int dev_type, int64_t previous);
LT_API int lt_autocast_enabled(int dev_type);
