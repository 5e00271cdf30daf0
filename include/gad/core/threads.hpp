#pragma once
// LibTorch 1.13 starts with half the hardware threads; results and speed both
// depend on the intra-op thread count, so gad always sets it explicitly.
#include <gad/core/error.hpp>

#include <ATen/Parallel.h>

#include <string>
#include <thread>

namespace gad {

/// Sets LibTorch's intra-op thread count; 0 means every hardware thread.
/// Returns the count in force afterwards.
inline int set_threads(int threads) {
  if (threads < 0) {
    throw invalid_argument("thread count must be >= 0 (0 = all hardware threads), got " +
                           std::to_string(threads));
  }
  if (threads == 0) {
    threads = static_cast<int>(std::thread::hardware_concurrency());
    if (threads <= 0) threads = 1;
  }
  at::set_num_threads(threads);
  return at::get_num_threads();
}

}  // namespace gad
