// The shim's neural ops, autograd (backward, hooks, checkpointing) and autocast.
#include "shim_common.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/autocast_mode.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/custom_function.h>

using lt::T;
using lt::wrap;

// ---------------------------------------------------------------- neural ops
LT_API lt_tensor lt_conv2d(lt_tensor x, lt_tensor w, lt_tensor b, lt_sizes stride, lt_sizes padding, lt_sizes dilation, int64_t groups) {
  LT_T(at::conv2d(T(x), T(w), lt::opt(b), lt::dims(stride, 2), lt::dims(padding, 2), lt::dims(dilation, 2), groups))
}
LT_API lt_tensor lt_conv_transpose2d(lt_tensor x, lt_tensor w, lt_tensor b, lt_sizes stride, lt_sizes padding, lt_sizes output_padding,
                                     int64_t groups, lt_sizes dilation) {
  LT_T(at::conv_transpose2d(T(x), T(w), lt::opt(b), lt::dims(stride, 2), lt::dims(padding, 2), lt::dims(output_padding, 2), groups,
                            lt::dims(dilation, 2)))
}
LT_API lt_tensor lt_group_norm(lt_tensor x, int64_t groups, lt_tensor w, lt_tensor b, double eps) {
  LT_T(at::group_norm(T(x), groups, lt::opt(w), lt::opt(b), eps, true))
}
LT_API lt_tensor lt_layer_norm(lt_tensor x, lt_sizes shape, int n, lt_tensor w, lt_tensor b, double eps) {
  LT_T(at::layer_norm(T(x), lt::dims(shape, n), lt::opt(w), lt::opt(b), eps, true))
}
LT_API lt_tensor lt_gelu(lt_tensor x, int tanh_approx) { LT_T(at::gelu(T(x), tanh_approx ? "tanh" : "none")) }
LT_API lt_tensor lt_softmax(lt_tensor x, int64_t dim, int dtype) {
  LT_T(at::softmax(T(x), dim, dtype >= 0 ? c10::optional<at::ScalarType>(lt::dtype(dtype)) : c10::nullopt))
}
LT_API lt_tensor lt_log_softmax(lt_tensor x, int64_t dim, int dtype) {
  LT_T(at::log_softmax(T(x), dim, dtype >= 0 ? c10::optional<at::ScalarType>(lt::dtype(dtype)) : c10::nullopt))
}
LT_API lt_tensor lt_dropout(lt_tensor x, double p, int train) {
  LT_GUARD(nullptr, {
    if (p < 0 || p > 1) throw std::invalid_argument("dropout probability must be in [0, 1], got " + std::to_string(p));
    return wrap(at::dropout(T(x), p, train != 0));
  })
}
LT_API lt_tensor lt_embedding(lt_tensor weight, lt_tensor indices) { LT_T(at::embedding(T(weight), T(indices))) }
LT_API lt_tensor lt_interpolate(lt_tensor x, lt_sizes size, int mode, int align_corners, double scale_h, double scale_w) {
  LT_GUARD(nullptr, {
    auto out = lt::dims(size, 2);
    c10::optional<double> sh, sw;
    if (!std::isnan(scale_h)) sh = scale_h;
    if (!std::isnan(scale_w)) sw = scale_w;
    if (T(x).dim() != 4) throw std::invalid_argument("interpolate expects a 4-d (N, C, H, W) tensor");
    switch (mode) {
      case 0: return wrap(at::upsample_nearest2d(T(x), out, sh, sw));
      case 1: return wrap(at::upsample_bilinear2d(T(x), out, align_corners != 0, sh, sw));
      case 2: return wrap(at::upsample_bicubic2d(T(x), out, align_corners != 0, sh, sw));
    }
    throw std::invalid_argument("unknown interpolation mode");
  })
}
LT_API lt_tensor lt_avg_pool2d(lt_tensor x, lt_sizes kernel, lt_sizes stride, lt_sizes padding, int ceil_mode, int count_include_pad) {
  LT_T(at::avg_pool2d(T(x), lt::dims(kernel, 2), lt::dims(stride, 2), lt::dims(padding, 2), ceil_mode != 0, count_include_pad != 0))
}
LT_API lt_tensor lt_max_pool2d(lt_tensor x, lt_sizes kernel, lt_sizes stride, lt_sizes padding) {
  LT_T(at::max_pool2d(T(x), lt::dims(kernel, 2), lt::dims(stride, 2), lt::dims(padding, 2)))
}

namespace {
// softmax(q kᵀ · scale + mask) v, written the way PyTorch's math path does it.
at::Tensor sdpa_composite(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const c10::optional<at::Tensor>& mask,
                          double dropout, bool causal, double scale) {
  at::Tensor scores = at::matmul(q, k.transpose(-2, -1)) * scale;
  if (causal) {
    int64_t L = q.size(-2), S = k.size(-2);
    at::Tensor keep = at::ones({L, S}, q.options().dtype(at::kBool)).tril();
    scores = scores.masked_fill(keep.logical_not(), -std::numeric_limits<double>::infinity());
  }
  if (mask.has_value()) {
    if (mask->scalar_type() == at::kBool)
      scores = scores.masked_fill(mask->logical_not(), -std::numeric_limits<double>::infinity());
    else
      scores = scores + *mask;
  }
  at::Tensor attn = at::softmax(scores, -1);
  if (dropout > 0) attn = at::dropout(attn, dropout, true);
  return at::matmul(attn, v);
}
}  // namespace

LT_API lt_tensor lt_sdpa(lt_tensor q, lt_tensor k, lt_tensor v, lt_tensor mask, double dropout, int causal, double scale, int force_composite) {
  LT_GUARD(nullptr, {
    const at::Tensor &Q = T(q), &K = T(k), &V = T(v);
    if (Q.dim() < 2 || K.dim() < 2 || V.dim() < 2) throw std::invalid_argument("attention needs (…, L, E) query, key and value");
    double s = std::isnan(scale) ? 1.0 / std::sqrt((double)Q.size(-1)) : scale;
#if defined(LT_TORCH2)
    if (!force_composite) {
#if TORCH_VERSION_MAJOR > 2 || TORCH_VERSION_MINOR >= 1
      return wrap(at::scaled_dot_product_attention(Q, K, V, lt::opt(mask), dropout, causal != 0, std::isnan(scale) ? c10::nullopt : c10::optional<double>(scale)));
#else
      if (std::isnan(scale)) return wrap(at::scaled_dot_product_attention(Q, K, V, lt::opt(mask), dropout, causal != 0));
#endif
    }
#else
    (void)force_composite;
#endif
    return wrap(sdpa_composite(Q, K, V, lt::opt(mask), dropout, causal != 0, s));
  })
}
LT_API lt_tensor lt_loss(int kind, lt_tensor input, lt_tensor target, int reduction, double beta) {
  LT_GUARD(nullptr, {
    if (reduction < 0 || reduction > 2) throw std::invalid_argument("reduction must be none, mean or sum");
    switch (kind) {
      case 0: return wrap(at::mse_loss(T(input), T(target), reduction));
      case 1: return wrap(at::l1_loss(T(input), T(target), reduction));
      case 2: return wrap(at::smooth_l1_loss(T(input), T(target), reduction, beta));
      case 3: return wrap(at::huber_loss(T(input), T(target), reduction, beta));
    }
    throw std::invalid_argument("unknown loss");
  })
}
LT_API lt_tensor lt_cross_entropy(lt_tensor input, lt_tensor target, int reduction, int64_t ignore_index, double label_smoothing) {
  LT_T(at::cross_entropy_loss(T(input), T(target), c10::nullopt, reduction, ignore_index, label_smoothing))
}

// ---------------------------------------------------------------- autograd
LT_API int lt_requires_grad(lt_tensor t) { LT_GUARD(-1, return T(t).requires_grad() ? 1 : 0;) }
LT_API int lt_set_requires_grad(lt_tensor t, int value) { LT_STATUS(T(t).requires_grad_(value != 0)) }
LT_API int lt_is_leaf(lt_tensor t) { LT_GUARD(-1, return T(t).is_leaf() ? 1 : 0;) }
LT_API int lt_has_grad_fn(lt_tensor t) { LT_GUARD(-1, return T(t).grad_fn() ? 1 : 0;) }
LT_API lt_tensor lt_grad(lt_tensor t) {
  LT_GUARD(nullptr, {
    const at::Tensor& g = T(t).grad();
    if (!g.defined()) return nullptr;
    return wrap(g);
  })
}
LT_API int lt_set_grad(lt_tensor t, lt_tensor grad) {
  LT_STATUS({
    if (grad == nullptr) T(t).mutable_grad() = at::Tensor();
    else T(t).mutable_grad() = T(grad);
  })
}
LT_API int lt_retain_grad(lt_tensor t) { LT_STATUS(T(t).retain_grad()) }
LT_API lt_tensor lt_detach(lt_tensor t) { LT_T(T(t).detach()) }
LT_API int lt_backward(lt_tensor t, lt_tensor grad, int retain_graph, int create_graph) {
  LT_STATUS({
    at::Tensor g = grad ? T(grad) : at::Tensor();
    T(t).backward(g, retain_graph ? c10::optional<bool>(true) : c10::optional<bool>(create_graph != 0), create_graph != 0);
  })
}
LT_API int lt_autograd_grad(const lt_tensor* outputs, int nout, const lt_tensor* grad_outputs, const lt_tensor* inputs, int nin,
                            int retain_graph, int create_graph, int allow_unused, lt_tensor* out) {
  LT_GUARD(-1, {
    auto outs = lt::list(outputs, nout);
    std::vector<at::Tensor> gouts;
    if (grad_outputs) {
      for (int i = 0; i < nout; ++i) gouts.push_back(grad_outputs[i] ? T(grad_outputs[i]) : at::Tensor());
    }
    auto grads = torch::autograd::grad(outs, lt::list(inputs, nin), gouts,
                                       retain_graph ? c10::optional<bool>(true) : c10::optional<bool>(create_graph != 0),
                                       create_graph != 0, allow_unused != 0);
    for (int i = 0; i < nin; ++i) out[i] = grads[i].defined() ? wrap(grads[i]) : nullptr;
    return nin;
  })
}
LT_API int lt_grad_enabled(void) { return at::GradMode::is_enabled() ? 1 : 0; }
LT_API int lt_set_grad_enabled(int enabled) {
  int previous = at::GradMode::is_enabled() ? 1 : 0;
  at::GradMode::set_enabled(enabled != 0);
  return previous;
}

LT_API int64_t lt_register_hook(lt_tensor t, lt_hook_fn fn, void* state) {
  LT_GUARD(-1, {
    if (fn == nullptr) throw std::invalid_argument("null hook");
    std::function<at::Tensor(const at::Tensor&)> hook = [fn, state](const at::Tensor& grad) -> at::Tensor {
      lt_tensor replacement = nullptr;
      int rc = fn(state, wrap(grad), &replacement);
      if (rc != 0) {
        if (replacement) lt_tensor_free(replacement);
        throw std::runtime_error("a gradient hook failed (see the managed exception)");
      }
      if (replacement == nullptr) return at::Tensor();
      at::Tensor r = T(replacement);
      lt_tensor_free(replacement);
      return r;
    };
    return (int64_t)T(t).register_hook(hook);
  })
}
LT_API int lt_remove_hook(lt_tensor t, int64_t id) { LT_STATUS(T(t).remove_hook((unsigned)id)) }

// ---------------------------------------------------------------- gradient checkpointing
namespace {
std::vector<at::Tensor> call_forward(lt_forward_fn fn, void* state, const std::vector<at::Tensor>& inputs) {
  std::vector<lt_tensor> in(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) in[i] = wrap(inputs[i]);
  const int capacity = 64;
  lt_tensor out[capacity] = {};
  int n = fn(state, in.data(), (int)in.size(), out, capacity);
  std::vector<at::Tensor> result;
  for (int i = 0; i < capacity; ++i) {
    if (out[i] == nullptr) continue;
    if (i < n) result.push_back(T(out[i]));
    lt_tensor_free(out[i]);
  }
  if (n < 0) throw std::runtime_error("the checkpointed forward failed (see the managed exception)");
  return result;
}

// Calls the managed release callback when the last owner (the autograd node's saved data) lets go.
struct StateOwner : torch::CustomClassHolder {
  StateOwner(lt_release_fn r, void* s) : release(r), state(s) {}
  ~StateOwner() override {
    if (release) release(state);
  }
  lt_release_fn release;
  void* state;
};

// Runs the C# forward without grad, saves the inputs and the RNG state, and on backward runs it again
// with grad and backpropagates through the recomputed graph (parameters accumulate their .grad there).
struct CheckpointFunction : public torch::autograd::Function<CheckpointFunction> {
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, int64_t fn, c10::intrusive_ptr<StateOwner> owner,
                                                at::TensorList input_list) {
    std::vector<at::Tensor> inputs(input_list.begin(), input_list.end());
    int64_t state = reinterpret_cast<int64_t>(owner->state);
    ctx->saved_data["owner"] = c10::IValue::make_capsule(owner);
    auto cpu = at::detail::getDefaultCPUGenerator();
    {
      std::lock_guard<std::mutex> lock(cpu.mutex());
      ctx->saved_data["rng"] = cpu.get_state();
    }
    ctx->saved_data["fn"] = fn;
    ctx->saved_data["state"] = state;
    ctx->save_for_backward(inputs);
    return call_forward(reinterpret_cast<lt_forward_fn>(fn), reinterpret_cast<void*>(state), inputs);
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx, torch::autograd::variable_list grad_outputs) {
    auto fn = reinterpret_cast<lt_forward_fn>(ctx->saved_data["fn"].toInt());
    auto state = reinterpret_cast<void*>(ctx->saved_data["state"].toInt());
    auto saved = ctx->get_saved_variables();
    std::vector<at::Tensor> detached;
    for (auto& s : saved) {
      at::Tensor d = s.detach();
      d.requires_grad_(s.requires_grad());
      detached.push_back(d);
    }
    auto cpu = at::detail::getDefaultCPUGenerator();
    at::Tensor current;
    {
      std::lock_guard<std::mutex> lock(cpu.mutex());
      current = cpu.get_state();
      cpu.set_state(ctx->saved_data["rng"].toTensor());
    }
    std::vector<at::Tensor> outs;
    {
      at::AutoGradMode enable(true);
      try {
        outs = call_forward(fn, state, detached);
      } catch (...) {
        std::lock_guard<std::mutex> lock(cpu.mutex());
        cpu.set_state(current);
        throw;
      }
    }
    {
      std::lock_guard<std::mutex> lock(cpu.mutex());
      cpu.set_state(current);
    }
    std::vector<at::Tensor> roots, grads;
    for (size_t i = 0; i < outs.size() && i < grad_outputs.size(); ++i) {
      if (outs[i].requires_grad() && grad_outputs[i].defined()) {
        roots.push_back(outs[i]);
        grads.push_back(grad_outputs[i]);
      }
    }
    if (!roots.empty()) {
      at::AutoGradMode enable(true);
      torch::autograd::backward(roots, grads);
    }
    torch::autograd::variable_list result{at::Tensor(), at::Tensor()};  // fn and owner take no gradient
    for (auto& d : detached) result.push_back(d.requires_grad() ? d.grad() : at::Tensor());
    return result;
  }
};
}  // namespace

LT_API int lt_checkpoint(lt_forward_fn fn, lt_release_fn release, void* state, const lt_tensor* inputs, int n, lt_tensor* outputs, int capacity) {
  LT_GUARD(-1, {
    auto owner = c10::make_intrusive<StateOwner>(release, state);  // releases on every exit path
    if (fn == nullptr) throw std::invalid_argument("null forward function");
    auto input_vec = lt::list(inputs, n);
    // as a TensorList so that autograd sees each input as a differentiable argument
    auto outs = CheckpointFunction::apply(reinterpret_cast<int64_t>(fn), owner, at::TensorList(input_vec));
    owner.reset();
    return lt::emit(outs, outputs, capacity);
  })
}

// ---------------------------------------------------------------- autocast
// previous state = enabled bit | dtype << 8
LT_API int64_t lt_autocast_enter(int dev_type, int dtype, int enabled) {
  LT_GUARD(-1, {
    at::ScalarType st = lt::dtype(dtype);
    int64_t previous;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    at::DeviceType dt = dev_type == 0 ? at::kCPU : at::kCUDA;
    previous = (at::autocast::is_autocast_enabled(dt) ? 1 : 0) | ((int64_t)at::autocast::get_autocast_dtype(dt) << 8);
    at::autocast::set_autocast_enabled(dt, enabled != 0);
    at::autocast::set_autocast_dtype(dt, st);
#else
    if (dev_type == 0) {
      previous = (at::autocast::is_cpu_enabled() ? 1 : 0) | ((int64_t)at::autocast::get_autocast_cpu_dtype() << 8);
      at::autocast::set_cpu_enabled(enabled != 0);
      at::autocast::set_autocast_cpu_dtype(st);
    } else {
      previous = (at::autocast::is_enabled() ? 1 : 0) | ((int64_t)at::autocast::get_autocast_gpu_dtype() << 8);
      at::autocast::set_enabled(enabled != 0);
      at::autocast::set_autocast_gpu_dtype(st);
    }
#endif
    at::autocast::increment_nesting();
    return previous;
  })
}
LT_API int lt_autocast_exit(int dev_type, int64_t previous) {
  LT_STATUS({
    bool was = (previous & 1) != 0;
    at::ScalarType st = static_cast<at::ScalarType>(previous >> 8);
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    at::DeviceType dt = dev_type == 0 ? at::kCPU : at::kCUDA;
    at::autocast::set_autocast_enabled(dt, was);
    at::autocast::set_autocast_dtype(dt, st);
#else
    if (dev_type == 0) {
      at::autocast::set_cpu_enabled(was);
      at::autocast::set_autocast_cpu_dtype(st);
    } else {
      at::autocast::set_enabled(was);
      at::autocast::set_autocast_gpu_dtype(st);
    }
#endif
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  })
}
LT_API int lt_autocast_enabled(int dev_type) {
  LT_GUARD(-1, {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    return at::autocast::is_autocast_enabled(dev_type == 0 ? at::kCPU : at::kCUDA) ? 1 : 0;
#else
    return (dev_type == 0 ? at::autocast::is_cpu_enabled() : at::autocast::is_enabled()) ? 1 : 0;
#endif
  })
}
