// The SD-like block of the engine-block benchmark in plain libtorch, op for op as
// bench/LoraPS.Bench/EngineBlockBenchmark.cs builds it through the C# API. Shared by the twin
// executable and the in-process twin library.
#pragma once
#include <ATen/ATen.h>
#include <torch/csrc/autograd/autograd.h>
#include <cmath>
#include <vector>

// PyTorch's default init: uniform in ±1/sqrt(fan_in)
static at::Tensor param(std::vector<int64_t> shape, int64_t fan_in) {
  double bound = 1.0 / std::sqrt((double)fan_in);
  return (at::rand(shape) * (2 * bound) - bound).set_requires_grad(true);
}

struct Block {
  static constexpr int64_t C = 320, heads = 8, ff = 1280;
  at::Tensor gn_w = at::ones({C}).set_requires_grad(true), gn_b = at::zeros({C}).set_requires_grad(true);
  at::Tensor conv_w = param({C, C, 3, 3}, C * 9), conv_b = param({C}, C * 9);
  at::Tensor ln1_w = at::ones({C}).set_requires_grad(true), ln1_b = at::zeros({C}).set_requires_grad(true);
  at::Tensor q_w = param({C, C}, C), k_w = param({C, C}, C), v_w = param({C, C}, C);
  at::Tensor o_w = param({C, C}, C), o_b = param({C}, C);
  at::Tensor ln2_w = at::ones({C}).set_requires_grad(true), ln2_b = at::zeros({C}).set_requires_grad(true);
  at::Tensor ff1_w = param({2 * ff, C}, C), ff1_b = param({2 * ff}, C);
  at::Tensor ff2_w = param({C, ff}, ff), ff2_b = param({C}, ff);

  std::vector<at::Tensor> params() {
    return {gn_w, gn_b, conv_w, conv_b, ln1_w, ln1_b, q_w, k_w, v_w, o_w, o_b, ln2_w, ln2_b, ff1_w, ff1_b, ff2_w, ff2_b};
  }

  at::Tensor forward(const at::Tensor& x) {
    int64_t B = x.size(0), H = x.size(2), W = x.size(3);
    at::Tensor h = at::conv2d(at::silu(at::group_norm(x, 32, gn_w, gn_b, 1e-6)), conv_w, conv_b, {1, 1}, {1, 1});
    h = h + x;
    at::Tensor t = h.flatten(2).transpose(1, 2);  // (B, HW, C)
    at::Tensor n = at::layer_norm(t, {C}, ln1_w, ln1_b, 1e-5);
    auto split = [&](const at::Tensor& y) { return y.view({B, -1, heads, C / heads}).transpose(1, 2); };
    at::Tensor q = split(at::linear(n, q_w)), k = split(at::linear(n, k_w)), v = split(at::linear(n, v_w));
    double scale = 1.0 / std::sqrt((double)(C / heads));
#if TORCH_VERSION_MAJOR >= 2
    at::Tensor a = at::scaled_dot_product_attention(q, k, v);
#else
    at::Tensor a = at::matmul(at::softmax(at::matmul(q, k.transpose(-2, -1)) * scale, -1), v);
#endif
    (void)scale;
    a = a.transpose(1, 2).reshape({B, -1, C});
    t = t + at::linear(a, o_w, o_b);
    n = at::layer_norm(t, {C}, ln2_w, ln2_b, 1e-5);
    auto parts = at::linear(n, ff1_w, ff1_b).chunk(2, -1);
    t = t + at::linear(parts[0] * at::gelu(parts[1]), ff2_w, ff2_b);
    return t.transpose(1, 2).reshape({B, C, H, W});
  }
};

// One timed step of the benchmark: forward, loss, backward, grads set to none.
inline void block_step(Block& block, const at::Tensor& x) {
  at::Tensor loss = block.forward(x).square().mean();
  loss.backward();
  for (auto& p : block.params()) p.mutable_grad() = at::Tensor();
}
