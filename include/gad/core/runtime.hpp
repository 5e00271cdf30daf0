#pragma once
// The run-time context of a detector: one master seed, an explicit intra-op
// thread count, and the device. Same seed + same threads + CPU => bit-identical
// training; every random draw comes from a generator derived from the seed.
#include <gad/core/device.hpp>
#include <gad/core/random.hpp>
#include <gad/core/threads.hpp>

#include <ATen/Context.h>
#include <torch/utils.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace gad {

struct runtime_options {
  std::uint64_t seed = 1234;
  /// Intra-op threads; 0 = every hardware thread (LibTorch's own default is half).
  int threads = 0;
  /// "auto" (CUDA if available, else CPU), "cpu", "cuda" or "cuda:N".
  std::string device = "auto";
};

class runtime {
 public:
  runtime() : runtime(runtime_options{}) {}

  /// Applies the options to LibTorch (threads, global seed) and resolves the device.
  explicit runtime(const runtime_options& options)
      : seed_(options.seed), device_(select_device(options.device)) {
    threads_ = set_threads(options.threads);
    // Module constructors draw their initial weights from the global generator;
    // seeding it here makes construction reproducible too.
    torch::manual_seed(seed_);
    if (device_.is_cuda()) {
      // Warn (not throw) where CUDA has no deterministic kernel.
      at::globalContext().setDeterministicAlgorithms(true, /*warn_only=*/true);
    }
  }

  std::uint64_t seed() const noexcept { return seed_; }
  int threads() const noexcept { return threads_; }
  const c10::Device& device() const noexcept { return device_; }

  /// Generator of the named random stream ("shuffle", "latent", "replay", ...).
  at::Generator generator(std::string_view stream) const { return make_generator(seed_, stream); }

 private:
  std::uint64_t seed_;
  c10::Device device_;
  int threads_ = 1;
};

}  // namespace gad
