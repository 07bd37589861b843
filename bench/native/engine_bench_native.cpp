// C++ twins of the engine benchmarks. Usage:
//   engine_bench_native add <iterations> <repeats>     -> "add_ns <median ns per call>"
//   engine_bench_native block <iterations> <threads>   -> "block_ms <median ms per forward+backward>"
// The block is the same one EngineBlockBenchmark.cs builds through the C# API, op for op.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/autograd.h>
#include <dlfcn.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using clk = std::chrono::steady_clock;

static double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

static int add_bench(int iterations, int repeats) {
  at::set_num_threads(1);  // as the C# side
  at::Tensor a = at::rand({64, 64});
  at::Tensor b = at::rand({64, 64});
  for (int i = 0; i < iterations; ++i) { at::Tensor c = at::add(a, b); }
  std::vector<double> ns;
  for (int r = 0; r < repeats; ++r) {
    auto t0 = clk::now();
    for (int i = 0; i < iterations; ++i) {
      at::Tensor c = at::add(a, b);
    }
    ns.push_back(std::chrono::duration<double, std::nano>(clk::now() - t0).count() / iterations);
  }
  std::printf("add_ns %.1f\n", median(ns));
  return 0;
}

// The same add through the shim's C interface (dlopen'ed), to split the C# cost into shim and managed parts.
static int add_shim_bench(const char* shim, int iterations, int repeats) {
  at::set_num_threads(1);
  void* lib = dlopen(shim, RTLD_NOW);
  if (!lib) { std::fprintf(stderr, "%s\n", dlerror()); return 1; }
  using full_fn = void* (*)(const int64_t*, int, double, int, int, int);
  using add_fn = void* (*)(void*, void*, double);
  using free_fn = void (*)(void*);
  auto full = (full_fn)dlsym(lib, "lt_full");
  auto add = (add_fn)dlsym(lib, "lt_add");
  auto release = (free_fn)dlsym(lib, "lt_tensor_free");
  int64_t shape[2] = {64, 64};
  void* a = full(shape, 2, 0.5, 6, 0, -1);
  void* b = full(shape, 2, 0.25, 6, 0, -1);
  for (int i = 0; i < iterations; ++i) release(add(a, b, 1.0));
  std::vector<double> ns;
  for (int r = 0; r < repeats; ++r) {
    auto t0 = clk::now();
    for (int i = 0; i < iterations; ++i) release(add(a, b, 1.0));
    ns.push_back(std::chrono::duration<double, std::nano>(clk::now() - t0).count() / iterations);
  }
  std::printf("add_shim_ns %.1f\n", median(ns));
  return 0;
}

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

static int block_bench(int iterations, int threads) {
  at::set_num_threads(threads);
  at::manual_seed(0);
  Block block;
  at::Tensor x = at::randn({1, Block::C, 32, 32});
  auto step = [&]() {
    at::Tensor loss = block.forward(x).square().mean();
    loss.backward();
    for (auto& p : block.params()) p.mutable_grad() = at::Tensor();
  };
  step();
  std::vector<double> ms;
  for (int i = 0; i < iterations; ++i) {
    auto t0 = clk::now();
    step();
    ms.push_back(std::chrono::duration<double, std::milli>(clk::now() - t0).count());
  }
  std::printf("block_ms %.2f\n", median(ms));
  return 0;
}

int main(int argc, char** argv) {
  std::string what = argc > 1 ? argv[1] : "";
  int n = argc > 2 ? std::atoi(argv[2]) : 0;
  int m = argc > 3 ? std::atoi(argv[3]) : 0;
  if (what == "add") return add_bench(n > 0 ? n : 200000, m > 0 ? m : 7);
  if (what == "add_shim" && argc > 4) return add_shim_bench(argv[4], n, m);
  if (what == "block") return block_bench(n > 0 ? n : 10, m > 0 ? m : 1);
  std::fprintf(stderr, "usage: engine_bench_native add|block [iterations] [repeats|threads]\n");
  return 2;
}
