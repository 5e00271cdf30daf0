#pragma once
// What ALAD and EGBAD accept as input: tensors of the network's input shape, or flattened rows,
// floating-point and finite; for training a generator that ends in tanh, values in [-1, 1].
// Each message names the call and the network preset, since these are a user's first errors.
#include <gad/alad/architecture.hpp>
#include <gad/core/error.hpp>
#include <gad/detail/module_state.hpp>
#include <gad/detail/shape_string.hpp>

#include <torch/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gad::alad_detail {

inline std::string expected_shape(const nn::architecture& a) {
  const auto& s = a.input_shape;
  std::string full = "[N";
  for (auto d : s) full += ", " + std::to_string(d);
  full += "]";
  if (s.size() == 1) return full;
  return full + " or [N, " + std::to_string(a.input_numel()) + "]";
}

// Checks shape, dtype and finiteness (and, for training data fed to a tanh generator, the
// [-1, 1] range); returns float32 [N, input_shape...] on x's device. `where` starts every
// message ("ALAD fit (training set): ").
inline torch::Tensor prepare_input(const nn::architecture& a, const std::string& where,
                                   const torch::Tensor& x, bool training) {
  if (!x.defined()) {
    throw invalid_argument(where + "expected " + expected_shape(a) + " for network '" + a.name +
                           "', got an undefined tensor");
  }
  bool ok = false;
  if (x.dim() == static_cast<std::int64_t>(a.input_shape.size()) + 1) {
    ok = true;
    for (std::size_t i = 0; i < a.input_shape.size(); ++i) {
      ok = ok && x.size(static_cast<std::int64_t>(i) + 1) == a.input_shape[i];
    }
  }
  ok = ok || (x.dim() == 2 && x.size(1) == a.input_numel());
  if (!ok) {
    throw invalid_argument(where + "expected " + expected_shape(a) + " for network '" + a.name +
                           "', got " + detail::shape_string(x));
  }
  if (!x.is_floating_point()) {
    throw invalid_argument(where + "expected floating-point values, got " +
                           std::string(c10::toString(x.scalar_type())));
  }
  if (!detail::all_finite(x)) {
    throw invalid_argument(where + "the input contains NaN or Inf values");
  }
  std::vector<std::int64_t> full{x.size(0)};
  full.insert(full.end(), a.input_shape.begin(), a.input_shape.end());
  torch::Tensor out = x.reshape(full).to(torch::kFloat);
  if (training && !a.generator.empty() && a.generator.back().act == nn::activation::tanh &&
      out.numel() > 0) {
    const double lo = out.min().item<double>();
    const double hi = out.max().item<double>();
    constexpr double slack = 1e-4;
    if (lo < -1.0 - slack || hi > 1.0 + slack) {
      throw invalid_argument(where +
                             "values must lie in [-1, 1] (the generator ends in tanh), "
                             "got [" +
                             std::to_string(lo) + ", " + std::to_string(hi) +
                             "]; scale them, e.g. with gad::data::unit_to_symmetric");
    }
  }
  return out;
}

}  // namespace gad::alad_detail
