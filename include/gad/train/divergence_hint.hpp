#pragma once
// What a "training diverged" message adds where the cause may not be the run: LibTorch 2.x's
// oneDNN on CPUs with AVX-512 now and then turns a sound convolutional fit into NaN (README,
// "Known problem"), and whoever meets that should learn the workaround from the message itself.
#include <gad/core/torch_compat.hpp>

#include <c10/core/Device.h>

#include <cstdlib>
#include <string>

namespace gad::train {

/// The hint, or "" where that problem cannot be the cause: not on the CPU, a LibTorch that
/// never showed it, a CPU without AVX-512, or oneDNN already capped by ONEDNN_MAX_CPU_ISA.
inline std::string divergence_hint(bool on_cpu, bool torch_affected, bool cpu_has_avx512,
                                   const char* onednn_isa_cap) {
  if (!on_cpu || !torch_affected || !cpu_has_avx512) return "";
  if (onednn_isa_cap != nullptr && *onednn_isa_cap != '\0') return "";
  return ". On CPUs with AVX-512, LibTorch 2.x's oneDNN is known to produce such NaN now and "
         "then; if the run is otherwise stable, run it again with the environment variable "
         "ONEDNN_MAX_CPU_ISA=AVX2";
}

inline bool cpu_has_avx512() {
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
  return __builtin_cpu_supports("avx512f");
#else
  return false;
#endif
}

/// The hint for a fit on `device` in this process.
inline std::string divergence_hint(const c10::Device& device) {
  return divergence_hint(device.is_cpu(), compat::onednn_avx512_nan_seen, cpu_has_avx512(),
                         std::getenv("ONEDNN_MAX_CPU_ISA"));
}

}  // namespace gad::train
