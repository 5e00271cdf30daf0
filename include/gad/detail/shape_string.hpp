#pragma once
// "[2, 3]" for error messages that say which shape was expected and which arrived.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>

namespace gad::detail {

inline std::string shape_string(const at::Tensor& t) {
  if (!t.defined()) return "an undefined tensor";
  std::string s = "[";
  for (std::int64_t i = 0; i < t.dim(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(t.size(i));
  }
  return s + "]";
}

}  // namespace gad::detail
