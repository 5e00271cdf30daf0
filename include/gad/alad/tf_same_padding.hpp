#pragma once
// TensorFlow's "SAME" padding rule, which LibTorch has no equivalent for when the stride is
// above 1. TF pads so that the output has ceil(in / stride) positions and, when the total
// padding is odd, puts the extra pixel after the data (bottom/right). A symmetric torch
// `padding=` cannot express that, so the ALAD/EGBAD networks pad explicitly and then convolve
// with padding 0; the transposed convolutions crop the same amounts from their full output.
#include <gad/core/error.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>

namespace gad::nn {

/// Padding of one spatial dimension: `before` = top/left, `after` = bottom/right.
struct tf_pad {
  std::int64_t before = 0;
  std::int64_t after = 0;

  std::int64_t total() const noexcept { return before + after; }
  bool symmetric() const noexcept { return before == after; }
  friend bool operator==(const tf_pad& a, const tf_pad& b) noexcept {
    return a.before == b.before && a.after == b.after;
  }
};

namespace detail {
inline void check_tf_geometry(std::int64_t in, std::int64_t kernel, std::int64_t stride,
                              const char* what) {
  if (in < 1 || kernel < 1 || stride < 1) {
    throw invalid_argument(std::string(what) + ": size, kernel and stride must be >= 1, got " +
                           std::to_string(in) + ", " + std::to_string(kernel) + ", " +
                           std::to_string(stride));
  }
}
}  // namespace detail

/// Output length of a TF SAME convolution: ceil(in / stride).
inline std::int64_t tf_same_output(std::int64_t in, std::int64_t stride) {
  detail::check_tf_geometry(in, 1, stride, "tf_same_output");
  return (in + stride - 1) / stride;
}

/// Padding TF applies to one dimension of a SAME convolution:
/// total = max((ceil(in / s) - 1) * s + k - in, 0), before = total / 2, after = the rest.
inline tf_pad tf_same_padding(std::int64_t in, std::int64_t kernel, std::int64_t stride) {
  detail::check_tf_geometry(in, kernel, stride, "tf_same_padding");
  const std::int64_t out = tf_same_output(in, stride);
  const std::int64_t total = std::max<std::int64_t>((out - 1) * stride + kernel - in, 0);
  return {total / 2, total - total / 2};
}

/// Output length of a TF VALID convolution: floor((in - k) / s) + 1; throws if the kernel does
/// not fit.
inline std::int64_t tf_valid_output(std::int64_t in, std::int64_t kernel, std::int64_t stride) {
  detail::check_tf_geometry(in, kernel, stride, "tf_valid_output");
  if (kernel > in) {
    throw invalid_argument("VALID convolution: kernel " + std::to_string(kernel) +
                           " is larger than the input (" + std::to_string(in) + ")");
  }
  return (in - kernel) / stride + 1;
}

/// The four numbers torch::nn::functional::pad expects for a TF SAME convolution of an
/// [N, C, H, W] input: {left, right, top, bottom}.
inline std::array<std::int64_t, 4> tf_same_pad_2d(std::int64_t height, std::int64_t width,
                                                  std::int64_t kernel, std::int64_t stride) {
  const tf_pad h = tf_same_padding(height, kernel, stride);
  const tf_pad w = tf_same_padding(width, kernel, stride);
  return {w.before, w.after, h.before, h.after};
}

/// A TF SAME transposed convolution produces in * stride positions. It is the adjoint of a SAME
/// convolution from that size, so it drops that convolution's padding from its full output of
/// (in - 1) * s + k positions: `before` from the start and `after` from the end.
inline tf_pad tf_same_transposed_crop(std::int64_t in, std::int64_t kernel, std::int64_t stride) {
  detail::check_tf_geometry(in, kernel, stride, "tf_same_transposed_crop");
  const std::int64_t out = in * stride;
  const std::int64_t full = (in - 1) * stride + kernel;
  if (full < out) {
    // TF would pad the output instead; no reference network does this (it needs k < s).
    throw invalid_argument("SAME transposed convolution needs kernel >= stride, got kernel " +
                           std::to_string(kernel) + " and stride " + std::to_string(stride));
  }
  return tf_same_padding(out, kernel, stride);
}

}  // namespace gad::nn
