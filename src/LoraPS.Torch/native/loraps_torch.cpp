// The shim's core: errors, library facts, generators, tensor creation, shape ops, math, reductions
// and linear algebra. Neural ops, autograd and autocast live in loraps_nn.cpp.
#include "shim_common.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <torch/cuda.h>
#ifdef LT_WITH_CUDA
#include <ATen/cuda/CUDAContext.h>
#include <ATen/cuda/CUDAGeneratorImpl.h>
#include <c10/cuda/CUDACachingAllocator.h>
#endif
#include <cstring>

namespace lt {
namespace {
thread_local std::string g_error;
thread_local bool g_has_error = false;
}  // namespace
std::atomic<int64_t> live{0};
void set_error(const char* message) {
  g_error = message ? message : "unknown libtorch error";
  g_has_error = true;
}
void clear_error() { g_has_error = false; }
const char* last_error() { return g_has_error ? g_error.c_str() : nullptr; }
}  // namespace lt

using lt::T;
using lt::wrap;

LT_API const char* lt_last_error(void) { return lt::last_error(); }
LT_API const char* lt_version(void) { return TORCH_VERSION; }
LT_API int lt_shim_abi(void) { return 2; }

// ---------------------------------------------------------------- CUDA facts (0/false on CPU builds)
LT_API int lt_cuda_is_available(void) { LT_GUARD(0, return torch::cuda::is_available() ? 1 : 0;) }
LT_API int lt_cuda_device_count(void) { LT_GUARD(0, return (int)torch::cuda::device_count();) }
LT_API int lt_cuda_device_name(int device, char* buf, int capacity) {
  LT_GUARD(-1, {
#ifdef LT_WITH_CUDA
    if (device < 0 || device >= (int)torch::cuda::device_count()) throw std::out_of_range("no such CUDA device");
    std::string name = at::cuda::getDeviceProperties(device)->name;
#else
    (void)device;
    std::string name;
    throw std::runtime_error("this libtorch shim was built without CUDA");
#endif
    if (buf == nullptr || capacity <= 0) throw std::invalid_argument("no buffer");
    int n = (int)std::min<size_t>(name.size(), (size_t)capacity - 1);
    std::memcpy(buf, name.data(), n);
    buf[n] = 0;
    return n;
  })
}
LT_API int lt_cuda_synchronize(int device) {
  LT_GUARD(-1, {
#ifdef LT_WITH_CUDA
    if (torch::cuda::is_available()) torch::cuda::synchronize(device);
#else
    (void)device;
#endif
    return 0;
  })
}
LT_API int64_t lt_cuda_memory(int device, int which) {
  LT_GUARD(-1, {
#ifdef LT_WITH_CUDA
    if (!torch::cuda::is_available()) return 0;
    auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device);
    auto agg = static_cast<size_t>(c10::cuda::CUDACachingAllocator::StatType::AGGREGATE);
    if (which == 0) return (int64_t)stats.allocated_bytes[agg].current;
    if (which == 1) return (int64_t)stats.allocated_bytes[agg].peak;
    return (int64_t)stats.reserved_bytes[agg].current;
#else
    (void)device; (void)which;
    return 0;
#endif
  })
}
LT_API int lt_cuda_reset_peak(int device) {
  LT_GUARD(-1, {
#ifdef LT_WITH_CUDA
    if (torch::cuda::is_available()) c10::cuda::CUDACachingAllocator::resetPeakStats(device);
#else
    (void)device;
#endif
    return 0;
  })
}
LT_API int lt_cuda_empty_cache(void) {
  LT_GUARD(-1, {
#ifdef LT_WITH_CUDA
    if (torch::cuda::is_available()) c10::cuda::CUDACachingAllocator::emptyCache();
#endif
    return 0;
  })
}
LT_API int lt_get_num_threads(void) { LT_GUARD(-1, return at::get_num_threads();) }
LT_API void lt_set_num_threads(int n) {
  lt::clear_error();
  try {
    if (n < 1) throw std::invalid_argument("thread count must be at least 1");
    at::set_num_threads(n);
  } catch (const std::exception& e) { lt::set_error(e.what()); }
}
LT_API int64_t lt_live_tensors(void) { return lt::live.load(std::memory_order_relaxed); }

// ---------------------------------------------------------------- generators
LT_API lt_generator lt_generator_new(int dev_type, int dev_index, uint64_t seed) {
  LT_GUARD(nullptr, {
    at::Generator g;
    if (dev_type == 0) {
      g = at::make_generator<at::CPUGeneratorImpl>(seed);
    } else {
#ifdef LT_WITH_CUDA
      g = at::make_generator<at::CUDAGeneratorImpl>((c10::DeviceIndex)dev_index);
      g.set_current_seed(seed);
#else
      (void)dev_index;
      throw std::runtime_error("this libtorch shim was built without CUDA");
#endif
    }
    return new at::Generator(std::move(g));
  })
}
LT_API void lt_generator_free(lt_generator g) { delete static_cast<at::Generator*>(g); }
LT_API int lt_generator_set_seed(lt_generator g, uint64_t seed) {
  LT_STATUS({
    if (g == nullptr) throw std::invalid_argument("null generator");
    auto& gen = *static_cast<at::Generator*>(g);
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_current_seed(seed);
  })
}
LT_API int lt_manual_seed(uint64_t seed) { LT_STATUS(at::manual_seed(seed)) }

// ---------------------------------------------------------------- tensor facts and conversion
LT_API lt_tensor lt_tensor_from_data(const void* data, const int64_t* shape, int ndim, int dtype) {
  LT_GUARD(nullptr, {
    at::Tensor t = at::empty(lt::dims(shape, ndim), at::TensorOptions().dtype(lt::dtype(dtype)));
    if (t.numel() > 0) {
      if (data == nullptr) throw std::invalid_argument("null data pointer");
      std::memcpy(t.data_ptr(), data, t.numel() * t.element_size());
    }
    return wrap(std::move(t));
  })
}

LT_API void lt_tensor_free(lt_tensor t) {
  if (t == nullptr) return;
  delete static_cast<at::Tensor*>(t);
  lt::live.fetch_sub(1, std::memory_order_relaxed);
}

LT_API int lt_tensor_ndim(lt_tensor t) { LT_GUARD(-1, return (int)T(t).dim();) }
LT_API int lt_tensor_shape(lt_tensor t, int64_t* shape, int capacity) {
  LT_GUARD(-1, {
    auto sizes = T(t).sizes();
    if ((int)sizes.size() > capacity) throw std::invalid_argument("shape buffer too small");
    for (size_t i = 0; i < sizes.size(); ++i) shape[i] = sizes[i];
    return (int)sizes.size();
  })
}
LT_API int lt_tensor_stride(lt_tensor t, int64_t* stride, int capacity) {
  LT_GUARD(-1, {
    auto s = T(t).strides();
    if ((int)s.size() > capacity) throw std::invalid_argument("stride buffer too small");
    for (size_t i = 0; i < s.size(); ++i) stride[i] = s[i];
    return (int)s.size();
  })
}
LT_API int lt_tensor_dtype(lt_tensor t) { LT_GUARD(-1, return (int)T(t).scalar_type();) }
LT_API int lt_tensor_device(lt_tensor t, int* index) {
  LT_GUARD(-1, {
    auto d = T(t).device();
    if (index) *index = d.has_index() ? d.index() : (d.is_cuda() ? 0 : -1);
    return d.is_cpu() ? 0 : d.is_cuda() ? 1 : (int)d.type() + 100;
  })
}
LT_API int64_t lt_tensor_numel(lt_tensor t) { LT_GUARD(-1, return T(t).numel();) }
LT_API int lt_tensor_is_contiguous(lt_tensor t) { LT_GUARD(-1, return T(t).is_contiguous() ? 1 : 0;) }

LT_API int lt_tensor_copy_to(lt_tensor t, void* dst, int64_t bytes) {
  LT_GUARD(-1, {
    at::Tensor c = T(t).detach().to(at::kCPU).contiguous();
    int64_t need = c.numel() * c.element_size();
    if (bytes != need) throw std::invalid_argument("destination holds " + std::to_string(bytes) + " bytes but the tensor has " + std::to_string(need));
    if (need > 0) std::memcpy(dst, c.data_ptr(), need);
    return 0;
  })
}
LT_API int lt_tensor_copy_from(lt_tensor t, const void* src, int64_t bytes) {
  LT_GUARD(-1, {
    at::Tensor& d = T(t);
    int64_t need = d.numel() * d.element_size();
    if (bytes != need) throw std::invalid_argument("source holds " + std::to_string(bytes) + " bytes but the tensor needs " + std::to_string(need));
    if (need == 0) return 0;
    if (d.is_cpu() && d.is_contiguous()) {
      std::memcpy(d.data_ptr(), src, need);
    } else {
      at::Tensor staging = at::empty(d.sizes(), d.options().device(at::kCPU));
      std::memcpy(staging.data_ptr(), src, need);
      at::NoGradGuard ng;
      d.copy_(staging);
    }
    return 0;
  })
}
LT_API double lt_item(lt_tensor t) {
  LT_GUARD(std::nan(""), {
    if (T(t).numel() != 1) throw std::invalid_argument("item() needs a tensor with one element, this one has " + std::to_string(T(t).numel()));
    return T(t).item<double>();
  })
}
LT_API lt_tensor lt_to(lt_tensor t, int dtype, int dev_type, int dev_index, int copy) {
  LT_GUARD(nullptr, {
    at::Tensor& x = T(t);
    at::ScalarType st = dtype < 0 ? x.scalar_type() : lt::dtype(dtype);
    at::Device dev = dev_type < 0 ? x.device() : lt::device(dev_type, dev_index);
    return wrap(x.to(dev, st, false, copy != 0));
  })
}
LT_API lt_tensor lt_contiguous(lt_tensor t) { LT_T(T(t).contiguous()) }
LT_API lt_tensor lt_clone(lt_tensor t) { LT_T(T(t).clone()) }
LT_API lt_tensor lt_alias(lt_tensor t) { LT_T(T(t)) }
LT_API int lt_set_data(lt_tensor t, lt_tensor src) { LT_STATUS(T(t).set_data(T(src))) }

// ---------------------------------------------------------------- creation
LT_API lt_tensor lt_empty(lt_sizes shape, int ndim, int dtype, int dt, int di) { LT_T(at::empty(lt::dims(shape, ndim), lt::options(dtype, dt, di))) }
LT_API lt_tensor lt_full(lt_sizes shape, int ndim, double value, int dtype, int dt, int di) {
  LT_T(at::full(lt::dims(shape, ndim), value, lt::options(dtype, dt, di)))
}
LT_API lt_tensor lt_arange(double start, double end, double step, int dtype, int dt, int di) {
  LT_T(at::arange(start, end, step, lt::options(dtype, dt, di)))
}
LT_API lt_tensor lt_linspace(double start, double end, int64_t steps, int dtype, int dt, int di) {
  LT_T(at::linspace(start, end, steps, lt::options(dtype, dt, di)))
}
LT_API lt_tensor lt_eye(int64_t n, int64_t m, int dtype, int dt, int di) { LT_T(at::eye(n, m, lt::options(dtype, dt, di))) }
LT_API lt_tensor lt_randn(lt_sizes shape, int ndim, lt_generator g, int dtype, int dt, int di) {
  LT_T(at::randn(lt::dims(shape, ndim), lt::gen(g), lt::options(dtype, dt, di)))
}
LT_API lt_tensor lt_rand(lt_sizes shape, int ndim, lt_generator g, int dtype, int dt, int di) {
  LT_T(at::rand(lt::dims(shape, ndim), lt::gen(g), lt::options(dtype, dt, di)))
}
LT_API lt_tensor lt_randint(int64_t low, int64_t high, lt_sizes shape, int ndim, lt_generator g, int dtype, int dt, int di) {
  LT_T(at::randint(low, high, lt::dims(shape, ndim), lt::gen(g), lt::options(dtype, dt, di)))
}
LT_API lt_tensor lt_normal(double mean, double std, lt_sizes shape, int ndim, lt_generator g, int dtype, int dt, int di) {
  LT_GUARD(nullptr, {
    at::Tensor t = at::empty(lt::dims(shape, ndim), lt::options(dtype, dt, di));
    t.normal_(mean, std, lt::gen(g));
    return wrap(std::move(t));
  })
}
LT_API lt_tensor lt_bernoulli(lt_tensor probs, lt_generator g) { LT_T(at::bernoulli(T(probs), lt::gen(g))) }
LT_API lt_tensor lt_randperm(int64_t n, lt_generator g, int dt, int di) {
  LT_T(at::randperm(n, lt::gen(g), lt::options((int)at::kLong, dt, di)))
}

// ---------------------------------------------------------------- views and shape ops
LT_API lt_tensor lt_view(lt_tensor t, lt_sizes s, int n) { LT_T(T(t).view(lt::dims(s, n))) }
LT_API lt_tensor lt_reshape(lt_tensor t, lt_sizes s, int n) { LT_T(T(t).reshape(lt::dims(s, n))) }
LT_API lt_tensor lt_permute(lt_tensor t, lt_sizes s, int n) { LT_T(T(t).permute(lt::dims(s, n))) }
LT_API lt_tensor lt_transpose(lt_tensor t, int64_t d0, int64_t d1) { LT_T(T(t).transpose(d0, d1)) }
LT_API lt_tensor lt_flatten(lt_tensor t, int64_t start, int64_t end) { LT_T(T(t).flatten(start, end)) }
LT_API lt_tensor lt_unflatten(lt_tensor t, int64_t dim, lt_sizes s, int n) {
  LT_GUARD(nullptr, {
    // composed from view so it reads the same on 1.13 and 2.x (whose unflatten signature changed)
    at::Tensor& x = T(t);
    int64_t d = c10::maybe_wrap_dim(dim, x.dim());
    std::vector<int64_t> shape(x.sizes().begin(), x.sizes().begin() + d);
    auto parts = lt::dims(s, n);
    shape.insert(shape.end(), parts.begin(), parts.end());
    shape.insert(shape.end(), x.sizes().begin() + d + 1, x.sizes().end());
    return wrap(x.view(shape));
  })
}
LT_API lt_tensor lt_squeeze(lt_tensor t, int64_t dim, int all) { LT_T(all ? T(t).squeeze() : T(t).squeeze(dim)) }
LT_API lt_tensor lt_unsqueeze(lt_tensor t, int64_t dim) { LT_T(T(t).unsqueeze(dim)) }
LT_API lt_tensor lt_narrow(lt_tensor t, int64_t dim, int64_t start, int64_t length) { LT_T(T(t).narrow(dim, start, length)) }
LT_API lt_tensor lt_slice(lt_tensor t, int64_t dim, int64_t start, int64_t end, int64_t step) { LT_T(T(t).slice(dim, start, end, step)) }
LT_API lt_tensor lt_select(lt_tensor t, int64_t dim, int64_t index) { LT_T(T(t).select(dim, index)) }
LT_API lt_tensor lt_index_select(lt_tensor t, int64_t dim, lt_tensor index) { LT_T(T(t).index_select(dim, T(index))) }
LT_API lt_tensor lt_gather(lt_tensor t, int64_t dim, lt_tensor index) { LT_T(T(t).gather(dim, T(index))) }
LT_API lt_tensor lt_masked_select(lt_tensor t, lt_tensor mask) { LT_T(T(t).masked_select(T(mask))) }
LT_API int lt_chunk(lt_tensor t, int64_t chunks, int64_t dim, lt_tensor* out, int capacity) {
  LT_GUARD(-1, return lt::emit(T(t).chunk(chunks, dim), out, capacity);)
}
LT_API int lt_split(lt_tensor t, lt_sizes sizes, int n, int64_t dim, lt_tensor* out, int capacity) {
  LT_GUARD(-1, return lt::emit(T(t).split_with_sizes(lt::dims(sizes, n), dim), out, capacity);)
}
LT_API lt_tensor lt_cat(const lt_tensor* ts, int n, int64_t dim) { LT_T(at::cat(lt::list(ts, n), dim)) }
LT_API lt_tensor lt_stack(const lt_tensor* ts, int n, int64_t dim) { LT_T(at::stack(lt::list(ts, n), dim)) }
LT_API lt_tensor lt_expand(lt_tensor t, lt_sizes s, int n) { LT_T(T(t).expand(lt::dims(s, n))) }
LT_API lt_tensor lt_repeat(lt_tensor t, lt_sizes s, int n) { LT_T(T(t).repeat(lt::dims(s, n))) }
LT_API lt_tensor lt_flip(lt_tensor t, lt_sizes d, int n) { LT_T(T(t).flip(lt::dims(d, n))) }
LT_API lt_tensor lt_roll(lt_tensor t, lt_sizes shifts, int ns, lt_sizes d, int nd) { LT_T(T(t).roll(lt::dims(shifts, ns), lt::dims(d, nd))) }
LT_API lt_tensor lt_pad(lt_tensor t, lt_sizes pad, int n, int mode, double value) {
  LT_GUARD(nullptr, {
    at::Tensor& x = T(t);
    auto p = lt::dims(pad, n);
    if (n % 2 != 0) throw std::invalid_argument("pad needs an even number of sizes");
    if (mode == 0) return wrap(at::constant_pad_nd(x, p, value));
    if (mode == 3) {
      // circular: wrap each padded dim with cat, last dim first (as pad's list is ordered)
      at::Tensor y = x;
      for (int i = 0; i < n / 2; ++i) {
        int64_t d = x.dim() - 1 - i;
        int64_t before = p[2 * i], after = p[2 * i + 1], len = y.size(d);
        if (before > len || after > len || before < 0 || after < 0) throw std::invalid_argument("circular padding larger than the dimension");
        y = at::cat({y.narrow(d, len - before, before), y, y.narrow(d, 0, after)}, d);
      }
      return wrap(std::move(y));
    }
    if (n == 2) return wrap(mode == 1 ? at::reflection_pad1d(x, p) : at::replication_pad1d(x, p));
    if (n == 4) return wrap(mode == 1 ? at::reflection_pad2d(x, p) : at::replication_pad2d(x, p));
    if (n == 6) return wrap(mode == 1 ? at::reflection_pad3d(x, p) : at::replication_pad3d(x, p));
    throw std::invalid_argument("reflect/replicate padding takes 2, 4 or 6 sizes");
  })
}
LT_API lt_tensor lt_diag(lt_tensor t, int64_t diagonal) { LT_T(at::diag(T(t), diagonal)) }
LT_API lt_tensor lt_tril(lt_tensor t, int64_t diagonal) { LT_T(at::tril(T(t), diagonal)) }
LT_API lt_tensor lt_triu(lt_tensor t, int64_t diagonal) { LT_T(at::triu(T(t), diagonal)) }

// ---------------------------------------------------------------- elementwise math
namespace {
at::Tensor binary(int op, const at::Tensor& a, const at::Tensor& b) {
  switch (op) {
    case 0: return at::add(a, b);
    case 1: return at::sub(a, b);
    case 2: return at::mul(a, b);
    case 3: return at::div(a, b);
    case 4: return at::pow(a, b);
    case 5: return at::maximum(a, b);
    case 6: return at::minimum(a, b);
    case 7: return at::eq(a, b);
    case 8: return at::ne(a, b);
    case 9: return at::lt(a, b);
    case 10: return at::le(a, b);
    case 11: return at::gt(a, b);
    case 12: return at::ge(a, b);
    case 13: return at::logical_and(a, b);
    case 14: return at::logical_or(a, b);
    case 15: return at::remainder(a, b);
    case 16: return at::atan2(a, b);
    case 17: return at::div(a, b, "floor");
    case 18: return at::sub(b, a);
    case 19: return at::logical_xor(a, b);
  }
  throw std::invalid_argument("unknown binary op " + std::to_string(op));
}
at::Tensor binary_scalar(int op, const at::Tensor& a, const at::Scalar& b) {
  switch (op) {
    case 0: return at::add(a, b);
    case 1: return at::sub(a, b);
    case 2: return at::mul(a, b);
    case 3: return at::div(a, b);
    case 4: return at::pow(a, b);
    case 5: return at::clamp_min(a, b);
    case 6: return at::clamp_max(a, b);
    case 7: return at::eq(a, b);
    case 8: return at::ne(a, b);
    case 9: return at::lt(a, b);
    case 10: return at::le(a, b);
    case 11: return at::gt(a, b);
    case 12: return at::ge(a, b);
    case 15: return at::remainder(a, b);
    case 17: return at::div(a, b, "floor");
    case 18: return at::rsub(a, b);
    case 20: return at::pow(b, a);
  }
  throw std::invalid_argument("unknown scalar op " + std::to_string(op));
}
at::Tensor unary(int op, const at::Tensor& a) {
  switch (op) {
    case 0: return at::neg(a);
    case 1: return at::abs(a);
    case 2: return at::sqrt(a);
    case 3: return at::rsqrt(a);
    case 4: return at::exp(a);
    case 5: return at::log(a);
    case 6: return at::sin(a);
    case 7: return at::cos(a);
    case 8: return at::tanh(a);
    case 9: return at::sigmoid(a);
    case 10: return at::sign(a);
    case 11: return at::relu(a);
    case 12: return at::silu(a);
    case 13: return at::floor(a);
    case 14: return at::ceil(a);
    case 15: return at::round(a);
    case 16: return at::square(a);
    case 17: return at::log1p(a);
    case 18: return at::expm1(a);
    case 19: return at::reciprocal(a);
    case 20: return at::erf(a);
    case 21: return at::isnan(a);
    case 22: return at::isfinite(a);
    case 23: return at::isinf(a);
    case 24: return at::logical_not(a);
    case 25: return at::trunc(a);
    case 26: return at::log2(a);
    case 27: return at::tan(a);
    case 28: return at::softplus(a);
  }
  throw std::invalid_argument("unknown unary op " + std::to_string(op));
}
}  // namespace

LT_API lt_tensor lt_binary(int op, lt_tensor a, lt_tensor b) { LT_T(binary(op, T(a), T(b))) }
LT_API lt_tensor lt_binary_scalar(int op, lt_tensor a, double b) { LT_T(binary_scalar(op, T(a), b)) }
LT_API lt_tensor lt_unary(int op, lt_tensor a) { LT_T(unary(op, T(a))) }
LT_API int lt_inplace_binary(int op, lt_tensor a, lt_tensor b) {
  LT_STATUS({
    at::Tensor& x = T(a);
    switch (op) {
      case 0: x.add_(T(b)); break;
      case 1: x.sub_(T(b)); break;
      case 2: x.mul_(T(b)); break;
      case 3: x.div_(T(b)); break;
      case 5: x.copy_(at::maximum(x, T(b))); break;
      default: throw std::invalid_argument("unknown in-place op " + std::to_string(op));
    }
  })
}
LT_API int lt_inplace_scalar(int op, lt_tensor a, double b) {
  LT_STATUS({
    at::Tensor& x = T(a);
    switch (op) {
      case 0: x.add_(b); break;
      case 1: x.sub_(b); break;
      case 2: x.mul_(b); break;
      case 3: x.div_(b); break;
      case 4: x.pow_(b); break;
      default: throw std::invalid_argument("unknown in-place op " + std::to_string(op));
    }
  })
}
// alpha 1 goes through the plain overload (an integer Scalar, as C++ callers pass it)
LT_API lt_tensor lt_add(lt_tensor a, lt_tensor b, double alpha) { LT_T(alpha == 1.0 ? at::add(T(a), T(b)) : at::add(T(a), T(b), alpha)) }
LT_API lt_tensor lt_sub(lt_tensor a, lt_tensor b, double alpha) { LT_T(alpha == 1.0 ? at::sub(T(a), T(b)) : at::sub(T(a), T(b), alpha)) }
LT_API lt_tensor lt_mul(lt_tensor a, lt_tensor b) { LT_T(at::mul(T(a), T(b))) }
LT_API lt_tensor lt_div(lt_tensor a, lt_tensor b) { LT_T(at::div(T(a), T(b))) }
LT_API int lt_add_(lt_tensor a, lt_tensor b, double alpha) { LT_STATUS(T(a).add_(T(b), alpha)) }
namespace {
c10::optional<at::Scalar> bound(double v) {
  if (std::isnan(v)) return c10::nullopt;
  return at::Scalar(v);
}
}  // namespace
LT_API lt_tensor lt_clamp(lt_tensor t, double lo, double hi) { LT_T(at::clamp(T(t), bound(lo), bound(hi))) }
LT_API int lt_clamp_(lt_tensor t, double lo, double hi) { LT_STATUS(T(t).clamp_(bound(lo), bound(hi))) }
LT_API lt_tensor lt_where(lt_tensor c, lt_tensor a, lt_tensor b) { LT_T(at::where(T(c), T(a), T(b))) }
LT_API lt_tensor lt_masked_fill(lt_tensor t, lt_tensor mask, double value) { LT_T(T(t).masked_fill(T(mask), value)) }
LT_API lt_tensor lt_lerp(lt_tensor a, lt_tensor b, double w) { LT_T(at::lerp(T(a), T(b), w)) }
LT_API lt_tensor lt_addcmul(lt_tensor t, lt_tensor a, lt_tensor b, double v) { LT_T(at::addcmul(T(t), T(a), T(b), v)) }
LT_API lt_tensor lt_addcdiv(lt_tensor t, lt_tensor a, lt_tensor b, double v) { LT_T(at::addcdiv(T(t), T(a), T(b), v)) }
LT_API int lt_addcmul_(lt_tensor t, lt_tensor a, lt_tensor b, double v) { LT_STATUS(T(t).addcmul_(T(a), T(b), v)) }
LT_API int lt_addcdiv_(lt_tensor t, lt_tensor a, lt_tensor b, double v) { LT_STATUS(T(t).addcdiv_(T(a), T(b), v)) }
LT_API int lt_lerp_(lt_tensor a, lt_tensor b, double w) { LT_STATUS(T(a).lerp_(T(b), w)) }
LT_API int lt_zero_(lt_tensor t) { LT_STATUS(T(t).zero_()) }
LT_API int lt_fill_(lt_tensor t, double v) { LT_STATUS(T(t).fill_(v)) }
LT_API int lt_copy_(lt_tensor dst, lt_tensor src) { LT_STATUS(T(dst).copy_(T(src))) }
LT_API lt_tensor lt_matmul(lt_tensor a, lt_tensor b) { LT_T(at::matmul(T(a), T(b))) }
LT_API lt_tensor lt_bmm(lt_tensor a, lt_tensor b) { LT_T(at::bmm(T(a), T(b))) }
LT_API lt_tensor lt_linear(lt_tensor x, lt_tensor w, lt_tensor b) { LT_T(at::linear(T(x), T(w), lt::opt(b))) }
LT_API lt_tensor lt_einsum(const char* equation, const lt_tensor* ts, int n) {
  LT_GUARD(nullptr, {
    if (equation == nullptr) throw std::invalid_argument("null equation");
    return wrap(at::einsum(equation, lt::list(ts, n)));
  })
}

// ---------------------------------------------------------------- reductions
namespace {
std::vector<int64_t> all_dims_if_empty(const at::Tensor& t, lt_sizes d, int n) {
  if (n > 0) { auto r = lt::dims(d, n); return std::vector<int64_t>(r.begin(), r.end()); }
  std::vector<int64_t> all(t.dim());
  for (int64_t i = 0; i < t.dim(); ++i) all[i] = i;
  return all;
}
}  // namespace
LT_API lt_tensor lt_sum(lt_tensor t, lt_sizes d, int n, int keepdim, int dtype) {
  LT_GUARD(nullptr, {
    c10::optional<at::ScalarType> st;
    if (dtype >= 0) st = lt::dtype(dtype);
    if (n == 0 && !keepdim) return wrap(at::sum(T(t), st));
    return wrap(at::sum(T(t), all_dims_if_empty(T(t), d, n), keepdim != 0, st));
  })
}
LT_API lt_tensor lt_mean(lt_tensor t, lt_sizes d, int n, int keepdim) {
  LT_GUARD(nullptr, {
    if (n == 0 && !keepdim) return wrap(at::mean(T(t)));
    return wrap(at::mean(T(t), all_dims_if_empty(T(t), d, n), keepdim != 0));
  })
}
LT_API lt_tensor lt_var(lt_tensor t, lt_sizes d, int n, int unbiased, int keepdim) {
  LT_T(at::var(T(t), all_dims_if_empty(T(t), d, n), unbiased != 0, keepdim != 0))
}
LT_API lt_tensor lt_std(lt_tensor t, lt_sizes d, int n, int unbiased, int keepdim) {
  LT_T(at::std(T(t), all_dims_if_empty(T(t), d, n), unbiased != 0, keepdim != 0))
}
LT_API lt_tensor lt_prod(lt_tensor t) { LT_T(at::prod(T(t))) }
LT_API lt_tensor lt_amax(lt_tensor t, lt_sizes d, int n, int keepdim) { LT_T(at::amax(T(t), all_dims_if_empty(T(t), d, n), keepdim != 0)) }
LT_API lt_tensor lt_amin(lt_tensor t, lt_sizes d, int n, int keepdim) { LT_T(at::amin(T(t), all_dims_if_empty(T(t), d, n), keepdim != 0)) }
LT_API int lt_max_dim(lt_tensor t, int64_t dim, int keepdim, lt_tensor* out) {
  LT_GUARD(-1, {
    auto r = at::max(T(t), dim, keepdim != 0);
    return lt::emit({std::get<0>(r), std::get<1>(r)}, out, 2);
  })
}
LT_API int lt_min_dim(lt_tensor t, int64_t dim, int keepdim, lt_tensor* out) {
  LT_GUARD(-1, {
    auto r = at::min(T(t), dim, keepdim != 0);
    return lt::emit({std::get<0>(r), std::get<1>(r)}, out, 2);
  })
}
LT_API lt_tensor lt_argmax(lt_tensor t, int64_t dim, int has_dim, int keepdim) {
  LT_T(at::argmax(T(t), has_dim ? c10::optional<int64_t>(dim) : c10::nullopt, keepdim != 0))
}
LT_API lt_tensor lt_argmin(lt_tensor t, int64_t dim, int has_dim, int keepdim) {
  LT_T(at::argmin(T(t), has_dim ? c10::optional<int64_t>(dim) : c10::nullopt, keepdim != 0))
}
LT_API lt_tensor lt_norm(lt_tensor t, double p, lt_sizes d, int n, int keepdim) {
  LT_GUARD(nullptr, {
    if (n == 0 && !keepdim) return wrap(at::norm(T(t), p));
    return wrap(at::norm(T(t), p, all_dims_if_empty(T(t), d, n), keepdim != 0));
  })
}
LT_API lt_tensor lt_cumsum(lt_tensor t, int64_t dim) { LT_T(at::cumsum(T(t), dim)) }
LT_API lt_tensor lt_cumprod(lt_tensor t, int64_t dim) { LT_T(at::cumprod(T(t), dim)) }
LT_API int lt_sort(lt_tensor t, int64_t dim, int descending, lt_tensor* out) {
  LT_GUARD(-1, {
    auto r = at::sort(T(t), dim, descending != 0);
    return lt::emit({std::get<0>(r), std::get<1>(r)}, out, 2);
  })
}
LT_API int lt_topk(lt_tensor t, int64_t k, int64_t dim, int largest, lt_tensor* out) {
  LT_GUARD(-1, {
    auto r = at::topk(T(t), k, dim, largest != 0, true);
    return lt::emit({std::get<0>(r), std::get<1>(r)}, out, 2);
  })
}
LT_API lt_tensor lt_quantile(lt_tensor t, double q, int64_t dim, int has_dim, int keepdim) {
  LT_T(at::quantile(T(t), q, has_dim ? c10::optional<int64_t>(dim) : c10::nullopt, keepdim != 0))
}
LT_API lt_tensor lt_logsumexp(lt_tensor t, lt_sizes d, int n, int keepdim) { LT_T(at::logsumexp(T(t), all_dims_if_empty(T(t), d, n), keepdim != 0)) }
LT_API lt_tensor lt_any(lt_tensor t) { LT_T(at::any(T(t))) }
LT_API lt_tensor lt_all(lt_tensor t) { LT_T(at::all(T(t))) }
LT_API int lt_allclose(lt_tensor a, lt_tensor b, double rtol, double atol) { LT_GUARD(-1, return at::allclose(T(a), T(b), rtol, atol) ? 1 : 0;) }

// ---------------------------------------------------------------- linear algebra
LT_API int lt_svd(lt_tensor a, int full_matrices, lt_tensor* out) {
  LT_GUARD(-1, {
    auto r = at::linalg_svd(T(a), full_matrices != 0);
    return lt::emit({std::get<0>(r), std::get<1>(r), std::get<2>(r)}, out, 3);
  })
}
LT_API int lt_qr(lt_tensor a, int complete, lt_tensor* out) {
  LT_GUARD(-1, {
    auto r = at::linalg_qr(T(a), complete ? "complete" : "reduced");
    return lt::emit({std::get<0>(r), std::get<1>(r)}, out, 2);
  })
}
LT_API lt_tensor lt_matrix_norm(lt_tensor a, const char* ord) {
  LT_GUARD(nullptr, {
    if (ord == nullptr) throw std::invalid_argument("null norm order");
    return wrap(at::linalg_matrix_norm(T(a), std::string(ord)));
  })
}
