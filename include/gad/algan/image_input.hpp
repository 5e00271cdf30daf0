#pragma once
// What ALGAN accepts as images: [N, C, H, W] or flattened [N, C*H*W] floating-point values,
// finite, and for training within G's tanh range [-1, 1]. Each check names the call and what
// to do, since these are the errors a user meets first.
#include <gad/algan/options.hpp>
#include <gad/core/error.hpp>
#include <gad/detail/module_state.hpp>
#include <gad/detail/shape_string.hpp>

#include <torch/types.h>

#include <string>

namespace gad::algan_detail {

inline std::string expected_shape(const algan_options& o) {
  return "[N, " + std::to_string(o.channels) + ", " + std::to_string(o.height) + ", " +
         std::to_string(o.width) + "] or [N, " + std::to_string(o.image_numel()) + "]";
}

// Checks shape, dtype and finiteness; returns [N, C*H*W] float32 (same device as `x`).
inline torch::Tensor flatten_images(const algan_options& o, const torch::Tensor& x,
                                    const std::string& what) {
  if (!x.defined()) {
    throw invalid_argument("ALGAN " + what + ": expected images of shape " + expected_shape(o) +
                           ", got an undefined tensor");
  }
  const bool as_images =
      x.dim() == 4 && x.size(1) == o.channels && x.size(2) == o.height && x.size(3) == o.width;
  const bool as_rows = x.dim() == 2 && x.size(1) == o.image_numel();
  if (!as_images && !as_rows) {
    throw invalid_argument("ALGAN " + what + ": expected images of shape " + expected_shape(o) +
                           ", got " + detail::shape_string(x));
  }
  if (!x.is_floating_point()) {
    throw invalid_argument("ALGAN " + what + ": expected floating-point images in [-1, 1], got " +
                           std::string(c10::toString(x.scalar_type())) +
                           " (scale them, e.g. with gad::data::unit_to_symmetric)");
  }
  if (!detail::all_finite(x)) {
    throw invalid_argument("ALGAN " + what + ": the images contain NaN or Inf values");
  }
  return x.reshape({x.size(0), o.image_numel()}).to(torch::kFloat);
}

// As flatten_images, plus the [-1, 1] range G can produce (same device as `x`).
inline torch::Tensor prepare_training_images(const algan_options& o, const torch::Tensor& x,
                                             const std::string& what) {
  torch::Tensor flat = flatten_images(o, x, "fit (" + what + ")");
  if (flat.size(0) == 0) throw invalid_argument("ALGAN fit: the " + what + " is empty");
  const double lo = flat.min().item<double>();
  const double hi = flat.max().item<double>();
  constexpr double slack = 1e-4;
  if (lo < -1.0 - slack || hi > 1.0 + slack) {
    throw invalid_argument("ALGAN fit: " + what + " pixel values must lie in [-1, 1] (the " +
                           "generator ends in tanh), got [" + std::to_string(lo) + ", " +
                           std::to_string(hi) + "]; scale them, e.g. with " +
                           "gad::data::unit_to_symmetric");
  }
  return flat;
}

}  // namespace gad::algan_detail
