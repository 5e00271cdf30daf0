#pragma once
// Inference over a data set too large for one forward pass: the same function on consecutive
// row slices, the results gathered on the CPU, so device memory holds one batch at a time.
#include <torch/types.h>

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace gad::detail {

/// f(xs[i : i + batch]) for i = 0, batch, 2 batch, ..., concatenated along dim 0 on the CPU.
/// An empty `xs` goes through `f` once, so the result keeps f's trailing shape with no rows.
template <class F>
torch::Tensor map_batches(const torch::Tensor& xs, std::int64_t batch, F&& f) {
  const std::int64_t n = xs.size(0);
  std::vector<torch::Tensor> parts;
  for (std::int64_t i = 0; i < n; i += batch) {
    parts.push_back(f(xs.slice(0, i, std::min(n, i + batch))).to(torch::kCPU));
  }
  if (parts.empty()) return std::forward<F>(f)(xs).to(torch::kCPU);
  return torch::cat(parts, 0);
}

}  // namespace gad::detail
