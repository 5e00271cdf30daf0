#pragma once
// The one place where gad's code differs between the LibTorch versions it supports (1.13 as
// Debian 12 ships it, and 2.x). Every other header calls these names and never tests
// TORCH_VERSION itself, so supporting another release means reading this file only.
#include <ATen/autocast_mode.h>
#include <c10/core/DeviceType.h>
#include <c10/core/ScalarType.h>
#include <torch/version.h>

#include <variant>

namespace gad::compat {

#if TORCH_VERSION_MAJOR >= 2
/// LibTorch 2 made c10::variant an alias of std::variant and dropped c10::get_if.
template <class T, class Variant>
constexpr auto* get_if(Variant* v) noexcept {
  return std::get_if<T>(v);
}
#else
}  // namespace gad::compat
#include <c10/util/variant.h>
namespace gad::compat {
/// LibTorch 1.13 has its own variant, read with c10::get_if.
template <class T, class Variant>
constexpr auto* get_if(Variant* v) noexcept {
  return c10::get_if<T>(v);
}
#endif

// Autocast state of one device type. LibTorch 2.4 replaced the per-device functions of 1.13
// (is_cpu_enabled, set_autocast_gpu_dtype, ...) with overloads taking the device type and
// deprecated the old ones; gad knows only CPU and CUDA autocast.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
inline bool autocast_enabled(c10::DeviceType t) { return at::autocast::is_autocast_enabled(t); }
inline void set_autocast_enabled(c10::DeviceType t, bool on) {
  at::autocast::set_autocast_enabled(t, on);
}
inline c10::ScalarType autocast_dtype(c10::DeviceType t) {
  return at::autocast::get_autocast_dtype(t);
}
inline void set_autocast_dtype(c10::DeviceType t, c10::ScalarType dtype) {
  at::autocast::set_autocast_dtype(t, dtype);
}
#else
inline bool autocast_enabled(c10::DeviceType t) {
  return t == c10::DeviceType::CUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
}
inline void set_autocast_enabled(c10::DeviceType t, bool on) {
  if (t == c10::DeviceType::CUDA) {
    at::autocast::set_enabled(on);
  } else {
    at::autocast::set_cpu_enabled(on);
  }
}
inline c10::ScalarType autocast_dtype(c10::DeviceType t) {
  return t == c10::DeviceType::CUDA ? at::autocast::get_autocast_gpu_dtype()
                                    : at::autocast::get_autocast_cpu_dtype();
}
inline void set_autocast_dtype(c10::DeviceType t, c10::ScalarType dtype) {
  if (t == c10::DeviceType::CUDA) {
    at::autocast::set_autocast_gpu_dtype(dtype);
  } else {
    at::autocast::set_autocast_cpu_dtype(dtype);
  }
}
#endif

/// Whether this LibTorch is one whose oneDNN was seen to turn convolutional fits into NaN on
/// CPUs with AVX-512 (2.6 with oneDNN 3.7.2; README, "Known problem"). Every 2.x counts until
/// a release is shown free of it; 1.13 never showed it.
inline constexpr bool onednn_avx512_nan_seen = TORCH_VERSION_MAJOR >= 2;

}  // namespace gad::compat
