#pragma once
// The anomaly scores of ALAD (spec alad-egbad §5) and EGBAD (§6) as functions of network
// outputs, one value per sample, higher = more anomalous:
//
//   ch    BCE(D_xx(x, G(E(x))), 1) = softplus(-logit): D_xx doubts the reconstruction
//   l1    ||x - G(E(x))||_1
//   l2    ||x - G(E(x))||_2 (not squared)
//   fm    ||f_xx(x, x) - f_xx(x, G(E(x)))||_d on D_xx's features
//   egbad (1 - w) ||x - G(E(x))||_d + w L_D, L_D = the fm distance on D_xz's features or BCE of
//         D_xz(G(E(x)), E(x)) against 1
//
// The detector computes the network outputs in eval mode without gradients; these functions
// only do the arithmetic.
#include <gad/core/error.hpp>

#include <torch/nn/functional/activation.h>
#include <torch/types.h>

#include <cmath>
#include <string>

namespace gad::scoring {

namespace detail {
inline torch::Tensor rows(const torch::Tensor& t) { return t.reshape({t.size(0), -1}); }

inline void check_pair(const torch::Tensor& a, const torch::Tensor& b, const char* who) {
  if (!a.defined() || !b.defined() || a.dim() < 1 || !a.sizes().equals(b.sizes())) {
    throw invalid_argument(std::string(who) + ": the two tensors must have the same shape");
  }
}
}  // namespace detail

/// The order-`degree` norm of each row of `diff` (flattened per sample): (sum |v|^d)^(1/d).
inline torch::Tensor row_norm(const torch::Tensor& diff, double degree) {
  if (!(std::isfinite(degree) && degree >= 1.0)) {
    throw invalid_argument("row_norm: degree must be >= 1, got " + std::to_string(degree));
  }
  return torch::linalg_vector_norm(detail::rows(diff), degree, {1});
}

/// ch: softplus(-logit) of D_xx on (x, G(E(x))).
inline torch::Tensor ch(const torch::Tensor& dxx_fake_logits) {
  return torch::nn::functional::softplus(-dxx_fake_logits.reshape({-1}));
}

inline torch::Tensor l1(const torch::Tensor& x, const torch::Tensor& reconstruction) {
  detail::check_pair(x, reconstruction, "l1 score");
  return row_norm(x - reconstruction, 1.0);
}

inline torch::Tensor l2(const torch::Tensor& x, const torch::Tensor& reconstruction) {
  detail::check_pair(x, reconstruction, "l2 score");
  return row_norm(x - reconstruction, 2.0);
}

/// fm: distance between a discriminator's features of the real pair and of the
/// reconstructed pair.
inline torch::Tensor fm(const torch::Tensor& real_features, const torch::Tensor& fake_features,
                        double degree = 1.0) {
  detail::check_pair(real_features, fake_features, "fm score");
  return row_norm(real_features - fake_features, degree);
}

/// EGBAD: (1 - w) * ||x - G(E(x))||_d + w * discriminator_term.
inline torch::Tensor egbad(const torch::Tensor& x, const torch::Tensor& reconstruction,
                           const torch::Tensor& discriminator_term, double weight,
                           double degree = 1.0) {
  detail::check_pair(x, reconstruction, "egbad score");
  if (!(weight >= 0.0 && weight <= 1.0)) {
    throw invalid_argument("egbad score: weight must lie in [0, 1], got " + std::to_string(weight));
  }
  return (1.0 - weight) * row_norm(x - reconstruction, degree) +
         weight * discriminator_term.reshape({-1});
}

}  // namespace gad::scoring
