#pragma once
// The linear baseline a GAN-based detector has to beat: project onto the top principal
// components of the normal training data and score a sample by what the projection loses.
// On MNIST a 32-component version already reaches AUROC 0.8 for several digits, so a GAN
// detector that does not beat it has learnt nothing a linear model could not (the ALAD issue
// and examples/alad_mnist compare against it on the same split).
#include <gad/baseline/sample_rows.hpp>
#include <gad/core/error.hpp>
#include <gad/detail/shape_string.hpp>

#include <torch/types.h>
#include <torch/utils.h>

#include <cstdint>
#include <string>

namespace gad::baseline {

/// Reconstruction by the first `components` principal components (computed in double
/// precision from the covariance of the training rows). Samples are flattened: [N, ...] ->
/// [N, D]. Scores are norms of the residual x - reconstruct(x); higher = more anomalous.
class pca_reconstruction {
 public:
  /// Throws gad::invalid_argument unless components >= 1.
  explicit pca_reconstruction(std::int64_t components) : components_(components) {
    if (components < 1) {
      throw invalid_argument("pca_reconstruction: components must be >= 1, got " +
                             std::to_string(components));
    }
  }

  /// Learns the mean and the principal directions of `x` ([N, ...], finite, N >= 2). Throws
  /// gad::invalid_argument when there are fewer samples or features than components.
  void fit(const torch::Tensor& x) {
    const torch::Tensor rows = flatten(x, "fit");
    const std::int64_t n = rows.size(0);
    const std::int64_t d = rows.size(1);
    if (n < 2) {
      throw invalid_argument("pca_reconstruction fit: need at least 2 samples, got " +
                             std::to_string(n));
    }
    if (components_ > d || components_ > n) {
      throw invalid_argument("pca_reconstruction fit: " + std::to_string(components_) +
                             " components need at least as many samples and features, got " +
                             std::to_string(n) + " samples of " + std::to_string(d) +
                             " features");
    }
    torch::NoGradGuard no_grad;
    const torch::Tensor mean = rows.mean(0);
    const torch::Tensor centred = rows - mean;
    const torch::Tensor covariance = centred.t().mm(centred) / static_cast<double>(n - 1);
    // eigh returns ascending eigenvalues; the last `components_` columns are the leading ones.
    // ATen's function rather than torch::linalg::eigh: Debian 13's LibTorch ships without
    // torch/linalg.h.
    const auto [values, vectors] = at::linalg_eigh(covariance, "L");
    mean_ = mean;
    basis_ = vectors.slice(1, d - components_, d).flip({1}).t().contiguous();  // [k, D]
    variances_ = values.slice(0, d - components_, d).flip({0}).clamp_min(0.0);
    features_ = d;
  }

  bool is_fitted() const noexcept { return basis_.defined(); }
  std::int64_t components() const noexcept { return components_; }
  /// The training mean [D], the principal directions as orthonormal rows [k, D] (largest
  /// variance first) and their variances [k]; double precision.
  const torch::Tensor& mean() const noexcept { return mean_; }
  const torch::Tensor& basis() const noexcept { return basis_; }
  const torch::Tensor& explained_variance() const noexcept { return variances_; }

  /// The projection of each sample onto the components, [N, D] in double precision.
  torch::Tensor reconstruct(const torch::Tensor& x) const {
    const torch::Tensor rows = checked_rows(x, "reconstruct");
    torch::NoGradGuard no_grad;
    return (rows - mean_).mm(basis_.t()).mm(basis_) + mean_;
  }

  /// sum |x - reconstruct(x)| per sample, float64 [N].
  torch::Tensor score_l1(const torch::Tensor& x) const {
    return residual(x, "score_l1").abs().sum(1);
  }

  /// ||x - reconstruct(x)||_2 per sample, float64 [N].
  torch::Tensor score_l2(const torch::Tensor& x) const {
    return residual(x, "score_l2").pow(2).sum(1).sqrt();
  }

 private:
  torch::Tensor residual(const torch::Tensor& x, const char* what) const {
    const torch::Tensor rows = checked_rows(x, what);
    torch::NoGradGuard no_grad;
    const torch::Tensor centred = rows - mean_;
    return centred - centred.mm(basis_.t()).mm(basis_);
  }

  torch::Tensor checked_rows(const torch::Tensor& x, const char* what) const {
    if (!is_fitted()) {
      throw error(std::string("pca_reconstruction ") + what + "() called before fit()");
    }
    torch::Tensor rows = flatten(x, what);
    if (rows.size(1) != features_) {
      throw invalid_argument(std::string("pca_reconstruction ") + what + ": expected " +
                             std::to_string(features_) + " features per sample, got " +
                             gad::detail::shape_string(x));
    }
    return rows;
  }

  static torch::Tensor flatten(const torch::Tensor& x, const char* what) {
    return detail::sample_rows(x, "pca_reconstruction", what);
  }

  std::int64_t components_;
  std::int64_t features_ = 0;
  torch::Tensor mean_;
  torch::Tensor basis_;
  torch::Tensor variances_;
};

}  // namespace gad::baseline
