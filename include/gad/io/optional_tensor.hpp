#pragma once
// A tensor a checkpoint may or may not hold (latents before the first draw, an empty replay
// buffer): a has_<key> flag, and the tensor on the CPU when it is defined.
#include <gad/core/device.hpp>
#include <gad/detail/shape_string.hpp>
#include <gad/io/archive.hpp>

#include <ATen/core/ivalue.h>
#include <c10/core/Device.h>
#include <torch/types.h>

#include <cstdint>
#include <string>

namespace gad::io {

inline void write_optional_tensor(output_archive& t, const std::string& key,
                                  const torch::Tensor& v) {
  t.write("has_" + key, c10::IValue(v.defined()));
  if (v.defined()) t.write(key, v.to(torch::kCPU));
}

/// What write_optional_tensor wrote, checked to be float rows of `width` values: undefined, or
/// a [n, width] float tensor moved to `device`. Anything else fails as the file's error.
inline torch::Tensor read_optional_rows(const archive_reader& t, const std::string& key,
                                        std::int64_t width, const c10::Device& device) {
  if (!t.read_bool("has_" + key)) return torch::Tensor();
  torch::Tensor v = t.read_tensor(key);
  if (v.dim() != 2 || v.size(1) != width || v.scalar_type() != torch::kFloat) {
    t.fail("'" + key + "' has shape " + gad::detail::shape_string(v) + ", not [n, " +
           std::to_string(width) + "] float");
  }
  return v.to(device);
}

}  // namespace gad::io
