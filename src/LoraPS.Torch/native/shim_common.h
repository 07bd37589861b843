// Internal helpers shared by the shim's translation units (not part of the C interface).
#pragma once
#include "loraps_torch.h"

#include <ATen/ATen.h>
#include <torch/version.h>
#include <atomic>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#if TORCH_VERSION_MAJOR >= 2
#define LT_TORCH2 1
#endif

namespace lt {

void set_error(const char* message);
void clear_error();
extern std::atomic<int64_t> live;

inline at::Tensor& T(lt_tensor t) {
  if (t == nullptr) throw std::invalid_argument("null tensor handle (disposed or never created)");
  return *static_cast<at::Tensor*>(t);
}

// A tensor argument that may be absent (NULL handle).
inline c10::optional<at::Tensor> opt(lt_tensor t) {
  if (t == nullptr) return c10::nullopt;
  return *static_cast<at::Tensor*>(t);
}

inline lt_tensor wrap(at::Tensor&& t) {
  live.fetch_add(1, std::memory_order_relaxed);
  return new at::Tensor(std::move(t));
}
inline lt_tensor wrap(const at::Tensor& t) {
  live.fetch_add(1, std::memory_order_relaxed);
  return new at::Tensor(t);
}

inline at::IntArrayRef dims(const int64_t* v, int n) {
  if (n < 0 || (n > 0 && v == nullptr)) throw std::invalid_argument("bad size list");
  return at::IntArrayRef(v, (size_t)n);
}

inline std::vector<at::Tensor> list(const lt_tensor* ts, int n) {
  if (n < 0 || (n > 0 && ts == nullptr)) throw std::invalid_argument("bad tensor list");
  std::vector<at::Tensor> out;
  out.reserve(n);
  for (int i = 0; i < n; ++i) out.push_back(T(ts[i]));
  return out;
}

// Writes tensors into a caller-provided array of handles; returns the count.
inline int emit(const std::vector<at::Tensor>& ts, lt_tensor* out, int capacity) {
  if ((int)ts.size() > capacity || out == nullptr) throw std::invalid_argument("output list too small");
  for (size_t i = 0; i < ts.size(); ++i) out[i] = wrap(ts[i]);
  return (int)ts.size();
}

inline at::ScalarType dtype(int code) {
  if (code < 0 || code >= (int)at::ScalarType::NumOptions) throw std::invalid_argument("unknown dtype code " + std::to_string(code));
  return static_cast<at::ScalarType>(code);
}

inline at::Device device(int type, int index) {
  if (type == 0) return at::Device(at::kCPU);
  if (type == 1) return at::Device(at::kCUDA, (c10::DeviceIndex)index);
  throw std::invalid_argument("unknown device type " + std::to_string(type));
}

inline at::TensorOptions options(int dtype_code, int dev_type, int dev_index) {
  return at::TensorOptions().dtype(dtype(dtype_code)).device(device(dev_type, dev_index));
}

inline c10::optional<at::Generator> gen(lt_generator g) {
  if (g == nullptr) return c10::nullopt;
  return *static_cast<at::Generator*>(g);
}

}  // namespace lt

// Runs BODY; on a libtorch or standard exception, records the message and returns FAIL.
#define LT_GUARD(FAIL, ...)                  \
  lt::clear_error();                          \
  try {                                       \
    __VA_ARGS__                               \
  } catch (const c10::Error& e) {             \
    lt::set_error(e.what_without_backtrace()); \
  } catch (const std::exception& e) {         \
    lt::set_error(e.what());                  \
  } catch (...) {                             \
    lt::set_error("unknown native exception"); \
  }                                           \
  return FAIL;

#define LT_T(...) LT_GUARD(nullptr, return lt::wrap(__VA_ARGS__);)
#define LT_STATUS(...) LT_GUARD(-1, { __VA_ARGS__; return 0; })
