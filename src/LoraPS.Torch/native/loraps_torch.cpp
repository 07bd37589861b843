// The libtorch shim: one translation unit so that libtorch's headers are compiled once.
#include "loraps_torch.h"

#include <torch/torch.h>
#include <torch/version.h>
#ifdef LT_WITH_CUDA
#include <ATen/cuda/CUDAContext.h>
#endif
#include <atomic>
#include <cstring>
#include <string>

namespace {

thread_local std::string g_error;
thread_local bool g_has_error = false;
std::atomic<int64_t> g_live{0};

void set_error(const char* message) {
  g_error = message ? message : "unknown libtorch error";
  g_has_error = true;
}

at::Tensor& T(lt_tensor t) {
  if (t == nullptr) throw std::invalid_argument("null tensor handle");
  return *static_cast<at::Tensor*>(t);
}

lt_tensor wrap(at::Tensor&& t) {
  g_live.fetch_add(1, std::memory_order_relaxed);
  return new at::Tensor(std::move(t));
}

}  // namespace

// Runs BODY; on a libtorch or standard exception, records the message and returns FAIL.
#define LT_GUARD(FAIL, BODY)                                         \
  g_has_error = false;                                               \
  try {                                                              \
    BODY                                                             \
  } catch (const c10::Error& e) {                                    \
    set_error(e.what_without_backtrace());                           \
  } catch (const std::exception& e) {                                \
    set_error(e.what());                                             \
  } catch (...) {                                                    \
    set_error("unknown native exception");                           \
  }                                                                  \
  return FAIL;

LT_API const char* lt_last_error(void) { return g_has_error ? g_error.c_str() : nullptr; }
LT_API const char* lt_version(void) { return TORCH_VERSION; }
LT_API int lt_shim_abi(void) { return 1; }

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
LT_API int lt_get_num_threads(void) { LT_GUARD(-1, return at::get_num_threads();) }
LT_API void lt_set_num_threads(int n) {
  g_has_error = false;
  try { at::set_num_threads(n); } catch (const std::exception& e) { set_error(e.what()); }
}
LT_API int64_t lt_live_tensors(void) { return g_live.load(std::memory_order_relaxed); }

LT_API lt_tensor lt_tensor_from_data(const void* data, const int64_t* shape, int ndim, int dtype) {
  LT_GUARD(nullptr, {
    if (ndim < 0 || (ndim > 0 && shape == nullptr)) throw std::invalid_argument("bad shape");
    std::vector<int64_t> sizes(shape, shape + ndim);
    auto options = at::TensorOptions().dtype(static_cast<c10::ScalarType>(dtype));
    at::Tensor t = at::empty(sizes, options);
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
  g_live.fetch_sub(1, std::memory_order_relaxed);
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

LT_API int lt_tensor_dtype(lt_tensor t) { LT_GUARD(-1, return (int)T(t).scalar_type();) }
LT_API int64_t lt_tensor_numel(lt_tensor t) { LT_GUARD(-1, return T(t).numel();) }

LT_API int lt_tensor_copy_to(lt_tensor t, void* dst, int64_t bytes) {
  LT_GUARD(-1, {
    at::Tensor c = T(t).to(at::kCPU).contiguous();
    int64_t need = c.numel() * c.element_size();
    if (bytes < need) throw std::invalid_argument("destination buffer too small");
    if (need > 0) std::memcpy(dst, c.data_ptr(), need);
    return 0;
  })
}

LT_API lt_tensor lt_add(lt_tensor a, lt_tensor b, double alpha) {
  LT_GUARD(nullptr, return wrap(at::add(T(a), T(b), alpha));)
}

LT_API lt_tensor lt_matmul(lt_tensor a, lt_tensor b) {
  LT_GUARD(nullptr, return wrap(at::matmul(T(a), T(b)));)
}
