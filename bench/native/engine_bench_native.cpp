// C++ twins of the engine benchmarks. Usage:
//   engine_bench_native add <iterations> <repeats>     -> "add_ns <median ns per call>"
//   engine_bench_native block <iterations> <threads>   -> "block_ms <median ms per forward+backward>"
// The block (engine_block.h) is the same one EngineBlockBenchmark.cs builds through the C# API, op for op.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/autograd.h>
#include <dlfcn.h>
#include "engine_block.h"
#include <time.h>
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

// CPU time of the calling thread: unlike wall time, barely moved by other processes on a shared machine.
static double thread_cpu_ms() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int block_bench(int iterations, int threads) {
  at::set_num_threads(threads);
  at::manual_seed(0);
  Block block;
  at::Tensor x = at::randn({1, Block::C, 32, 32});
  auto step = [&]() { block_step(block, x); };
  step();
  std::vector<double> ms, cpu;
  for (int i = 0; i < iterations; ++i) {
    double c0 = thread_cpu_ms();
    auto t0 = clk::now();
    step();
    ms.push_back(std::chrono::duration<double, std::milli>(clk::now() - t0).count());
    cpu.push_back(thread_cpu_ms() - c0);
  }
  std::printf("block_ms %.2f\n", median(ms));
  std::printf("block_cpu_ms %.2f\n", median(cpu));
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
