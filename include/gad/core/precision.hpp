#pragma once
// The arithmetic a detector computes its matrix products in. float32 everywhere is the
// default and what the reference code does. bfloat16 runs the matrix products under LibTorch's
// autocast in bfloat16 while the weights, the optimizer state, the losses and the normalization
// statistics stay float32 (mixed precision). It pays off only where the hardware multiplies
// bfloat16 natively: x86 CPUs with AMX or AVX512-BF16 (oneDNN picks the kernel), and CUDA GPUs
// from Ampere on. Elsewhere LibTorch emulates bfloat16 and the same work gets slower.
#include <gad/core/torch_compat.hpp>

#include <ATen/autocast_mode.h>
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <string>

namespace gad {

enum class precision {
  float32,   ///< everything in float32, as the reference code
  bfloat16,  ///< matrix products in bfloat16, the rest in float32
};

inline const char* to_string(precision p) noexcept {
  return p == precision::float32 ? "float32" : "bfloat16";
}

/// Autocast to bfloat16 on `device`'s type for the lifetime of the object when `p` is
/// bfloat16; does nothing for float32. Restores the previous autocast state on exit and drops
/// autocast's cache of cast weights when it leaves the outermost region, so that a scope must
/// end before an optimizer step changes the weights (as with PyTorch's autocast).
class precision_scope {
 public:
  precision_scope(precision p, const c10::Device& device)
      : active_(p == precision::bfloat16), type_(device.type()) {
    if (!active_) return;
    was_enabled_ = compat::autocast_enabled(type_);
    was_dtype_ = compat::autocast_dtype(type_);
    compat::set_autocast_dtype(type_, at::kBFloat16);
    compat::set_autocast_enabled(type_, true);
    at::autocast::increment_nesting();
  }

  ~precision_scope() {
    if (!active_) return;
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    compat::set_autocast_enabled(type_, was_enabled_);
    compat::set_autocast_dtype(type_, was_dtype_);
  }

  precision_scope(const precision_scope&) = delete;
  precision_scope& operator=(const precision_scope&) = delete;

 private:
  bool active_;
  c10::DeviceType type_;
  bool was_enabled_ = false;
  c10::ScalarType was_dtype_ = at::kFloat;
};

/// Suspends autocast (CPU and CUDA) for its lifetime: for small layers whose float32 result
/// matters more than their speed, such as a detector's score output.
class float32_region {
 public:
  float32_region()
      : cpu_(compat::autocast_enabled(c10::DeviceType::CPU)),
        cuda_(compat::autocast_enabled(c10::DeviceType::CUDA)) {
    compat::set_autocast_enabled(c10::DeviceType::CPU, false);
    compat::set_autocast_enabled(c10::DeviceType::CUDA, false);
  }
  ~float32_region() {
    compat::set_autocast_enabled(c10::DeviceType::CPU, cpu_);
    compat::set_autocast_enabled(c10::DeviceType::CUDA, cuda_);
  }
  float32_region(const float32_region&) = delete;
  float32_region& operator=(const float32_region&) = delete;

 private:
  bool cpu_;
  bool cuda_;
};

}  // namespace gad
