// The engine-block twin as a shared library, so the C# benchmark can run C++ and C# steps
// alternately in one process: same heap, same BLAS threads, same moment on a shared machine.
// Separate processes differ by more than the 5% being measured (see docs/benchmarks.md).
#include <cstdio>
#include "engine_block.h"

namespace {
struct TwinBench {
  Block block;
  at::Tensor x;
};
}  // namespace

#if defined(_WIN32)
#define TWIN_API extern "C" __declspec(dllexport)
#else
#define TWIN_API extern "C" __attribute__((visibility("default")))
#endif

// Seeds like the C# side (manual_seed(0), then the block, then x) and returns an opaque handle.
TWIN_API void* engine_twin_create() {
  at::manual_seed(0);
  auto* bench = new TwinBench();
  bench->x = at::randn({1, Block::C, 32, 32});
  return bench;
}
// One forward+backward; returns 0, or -1 after printing libtorch's message.
TWIN_API int engine_twin_step(void* handle) {
  try {
    auto* bench = static_cast<TwinBench*>(handle);
    block_step(bench->block, bench->x);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "engine twin: %s\n", e.what());
    return -1;
  }
}
TWIN_API void engine_twin_free(void* handle) { delete static_cast<TwinBench*>(handle); }
