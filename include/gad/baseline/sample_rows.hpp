#pragma once
// The one input check of the baselines: floating-point samples [N, ...], finite, flattened to
// double-precision rows [N, D] on the CPU.
#include <gad/core/error.hpp>
#include <gad/detail/module_state.hpp>
#include <gad/detail/shape_string.hpp>

#include <torch/types.h>

#include <string>

namespace gad::baseline::detail {

/// `who` names the baseline and `what` the call in messages ("pca_reconstruction", "fit").
inline torch::Tensor sample_rows(const torch::Tensor& x, const char* who, const char* what) {
  if (!x.defined() || x.dim() < 2 || !x.is_floating_point()) {
    throw invalid_argument(std::string(who) + " " + what +
                           ": expected floating-point samples [N, ...], got " +
                           (x.defined() ? gad::detail::shape_string(x) + " " +
                                              std::string(c10::toString(x.scalar_type()))
                                        : std::string("an undefined tensor")));
  }
  const torch::Tensor rows = x.flatten(1).to(torch::kCPU, torch::kDouble).contiguous();
  if (!gad::detail::all_finite(rows)) {
    throw invalid_argument(std::string(who) + " " + what +
                           ": the samples contain NaN or Inf values");
  }
  return rows;
}

}  // namespace gad::baseline::detail
