#pragma once
// The nearest-neighbour baseline: a sample is as anomalous as it is far from the normal
// training samples, measured as the mean Euclidean distance to its k nearest ones on the raw
// features (pixels). It has no parameters to train and no seed, so on the one-class benchmarks
// it is the yardstick that tells whether a learnt detector beats plain distances in pixel space.
#include <gad/baseline/sample_rows.hpp>
#include <gad/core/error.hpp>
#include <gad/detail/shape_string.hpp>

#include <torch/types.h>
#include <torch/utils.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace gad::baseline {

/// Mean distance to the `k` nearest training samples. Samples are flattened ([N, ...] ->
/// [N, D]); distances are computed in double precision, `chunk` queries at a time so memory
/// stays at chunk x training-set-size values. Scores of the training samples themselves
/// include their zero distance to themselves.
class knn_distance {
 public:
  /// Throws gad::invalid_argument unless k >= 1 and chunk >= 1.
  explicit knn_distance(std::int64_t k = 1, std::int64_t chunk = 512) : k_(k), chunk_(chunk) {
    if (k < 1) throw invalid_argument("knn_distance: k must be >= 1, got " + std::to_string(k));
    if (chunk < 1) {
      throw invalid_argument("knn_distance: chunk must be >= 1, got " + std::to_string(chunk));
    }
  }

  /// Keeps the training samples ([N, ...], finite, N >= k).
  void fit(const torch::Tensor& x) {
    torch::Tensor rows = flatten(x, "fit");
    if (rows.size(0) < k_) {
      throw invalid_argument("knn_distance fit: k = " + std::to_string(k_) + " needs at least " +
                             std::to_string(k_) + " samples, got " +
                             std::to_string(rows.size(0)));
    }
    train_ = std::move(rows);
    train_sq_ = train_.pow(2).sum(1);
  }

  bool is_fitted() const noexcept { return train_.defined(); }
  std::int64_t k() const noexcept { return k_; }

  /// Mean distance of each sample to its k nearest training samples, float64 [N].
  torch::Tensor score(const torch::Tensor& x) const {
    if (!is_fitted()) throw error("knn_distance score() called before fit()");
    const torch::Tensor rows = flatten(x, "score");
    if (rows.size(1) != train_.size(1)) {
      throw invalid_argument("knn_distance score: expected " + std::to_string(train_.size(1)) +
                             " features per sample, got " + gad::detail::shape_string(x));
    }
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> parts;
    for (std::int64_t i = 0; i < rows.size(0); i += chunk_) {
      const torch::Tensor q = rows.slice(0, i, std::min(rows.size(0), i + chunk_));
      // |q - t|^2 = |q|^2 + |t|^2 - 2 q.t, clamped at 0 against rounding.
      const torch::Tensor d2 =
          (q.pow(2).sum(1, /*keepdim=*/true) + train_sq_.unsqueeze(0) - 2.0 * q.mm(train_.t()))
              .clamp_min(0.0);
      const torch::Tensor nearest = std::get<0>(d2.topk(k_, 1, /*largest=*/false));
      parts.push_back(nearest.sqrt().mean(1));
    }
    if (parts.empty()) return torch::empty({0}, torch::kDouble);
    return torch::cat(parts, 0);
  }

 private:
  static torch::Tensor flatten(const torch::Tensor& x, const char* what) {
    return detail::sample_rows(x, "knn_distance", what);
  }

  std::int64_t k_;
  std::int64_t chunk_;
  torch::Tensor train_;     // [N, D] double
  torch::Tensor train_sq_;  // [N]
};

}  // namespace gad::baseline
