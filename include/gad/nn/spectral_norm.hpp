#pragma once
// Spectral normalization (Miyato et al. 2018) as PyTorch's hook-based
// torch.nn.utils.spectral_norm computes it with dim = 0, which LibTorch 1.13's C++ frontend
// lacks. The functions here are the shared arithmetic; SpectralLinear and SpectralConv2d hold
// the state. Matching PyTorch step for step matters because the ported detectors' training
// dynamics (and any checkpoint loaded from Python) depend on exactly when u and v move.
#include <gad/core/error.hpp>
#include <gad/detail/shape_string.hpp>

#include <ATen/core/Generator.h>
#include <c10/util/Optional.h>
#include <torch/arg.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <cstdint>
#include <string>
#include <utility>

namespace gad::nn {


/// Settings of the power iteration, with PyTorch's defaults.
struct SpectralNormOptions {
  SpectralNormOptions() = default;
  /// Power iterations per training-mode forward; must be >= 1.
  TORCH_ARG(std::int64_t, n_power_iterations) = 1;
  /// Floor on a vector's norm when normalizing; must be > 0.
  TORCH_ARG(double, eps) = 1e-12;
};

/// Throws gad::invalid_argument unless `options` is usable.
inline void check_spectral_norm_options(const SpectralNormOptions& options) {
  if (options.n_power_iterations() < 1) {
    throw invalid_argument("spectral norm: n_power_iterations must be >= 1, got " +
                           std::to_string(options.n_power_iterations()));
  }
  // The negated form also rejects NaN.
  if (!(options.eps() > 0.0)) {
    throw invalid_argument("spectral norm: eps must be > 0, got " + std::to_string(options.eps()));
  }
}

/// The weight as the [out, numel / out] matrix whose largest singular value is estimated.
inline torch::Tensor spectral_weight_matrix(const torch::Tensor& weight) {
  return weight.reshape({weight.size(0), -1});
}

/// x / max(||x||_2, eps), the same expression as torch.nn.functional.normalize on a vector.
inline torch::Tensor spectral_l2_normalize(const torch::Tensor& x, double eps) {
  return x / x.norm().clamp_min(eps);
}

/// Draws the initial (u, v) for `weight`: normalized N(0, 1) vectors of sizes out and
/// numel / out, u first, as PyTorch draws them. Drawing happens on the CPU so that a seeded
/// generator gives the same vectors on every device; the result has `weight`'s dtype and device.
inline std::pair<torch::Tensor, torch::Tensor> spectral_init_vectors(
    const torch::Tensor& weight, double eps, c10::optional<at::Generator> gen = c10::nullopt) {
  torch::NoGradGuard no_grad;
  const std::int64_t rows = weight.size(0);
  const std::int64_t cols = rows == 0 ? 0 : weight.numel() / rows;
  const auto cpu = torch::TensorOptions().dtype(weight.dtype()).device(torch::kCPU);
  torch::Tensor u = spectral_l2_normalize(torch::randn({rows}, gen, cpu), eps);
  torch::Tensor v = spectral_l2_normalize(torch::randn({cols}, gen, cpu), eps);
  return {u.to(weight.device()), v.to(weight.device())};
}

/// Runs `options.n_power_iterations()` steps v <- normalize(W^T u), u <- normalize(W v) and
/// writes the result into `u` and `v` in place (so module buffers are updated). No autograd
/// graph is recorded: PyTorch treats the estimated singular vectors as constants.
inline void spectral_power_iteration_(const torch::Tensor& weight_mat, torch::Tensor& u,
                                      torch::Tensor& v, const SpectralNormOptions& options) {
  torch::NoGradGuard no_grad;
  for (std::int64_t i = 0; i < options.n_power_iterations(); ++i) {
    v.copy_(spectral_l2_normalize(torch::mv(weight_mat.t(), u), options.eps()));
    u.copy_(spectral_l2_normalize(torch::mv(weight_mat, v), options.eps()));
  }
}

/// sigma = u . (W v), differentiable in W (u and v are used as given).
inline torch::Tensor spectral_sigma(const torch::Tensor& weight_mat, const torch::Tensor& u,
                                    const torch::Tensor& v) {
  return torch::dot(u, torch::mv(weight_mat, v));
}

/// sigma from the stored u and v without advancing them, differentiable in weight_orig: what
/// the next eval-mode forward divides by.
inline torch::Tensor spectral_stored_sigma(const torch::Tensor& weight_orig, const torch::Tensor& u,
                                           const torch::Tensor& v) {
  return spectral_sigma(spectral_weight_matrix(weight_orig), u.clone(), v.clone());
}

/// weight_orig / sigma, the weight a spectrally normalized layer applies. With
/// `do_power_iteration` (training mode) u and v are first advanced in place.
///
/// Clones of u and v enter sigma so that autograd never saves the buffers themselves: a later
/// training forward updates them in place, which would otherwise invalidate a pending backward.
inline torch::Tensor spectral_normalized_weight(const torch::Tensor& weight_orig, torch::Tensor& u,
                                                torch::Tensor& v,
                                                const SpectralNormOptions& options,
                                                bool do_power_iteration) {
  if (do_power_iteration) {
    torch::NoGradGuard no_grad;
    spectral_power_iteration_(spectral_weight_matrix(weight_orig), u, v, options);
  }
  return weight_orig / spectral_stored_sigma(weight_orig, u, v);
}

/// Copies `new_weight` into `weight_orig` (u and v are kept) after checking the shape; `who`
/// names the layer in the error message.
inline void spectral_copy_weight(const std::string& who, const torch::Tensor& weight_orig,
                                 const torch::Tensor& new_weight) {
  if (!new_weight.defined() || new_weight.sizes() != weight_orig.sizes()) {
    throw invalid_argument(who + "::reset_weight: expected shape " +
                           gad::detail::shape_string(weight_orig) + ", got " +
                           gad::detail::shape_string(new_weight));
  }
  torch::NoGradGuard no_grad;
  weight_orig.copy_(new_weight);
}

}  // namespace gad::nn
