#pragma once
// ALGAN's objectives as free functions of D's logits, so that they can be checked on their own.
// Every term is binary cross-entropy on logits averaged over its group. The discriminator
// weighs its "fake" groups with alpha (fake-normal vs pseudo-anomalous) and xi (fresh vs
// replay-buffered); these are loss weights, not sample ratios: every group has a full batch.
#include <gad/core/error.hpp>
#include <gad/policy/latent_shift.hpp>

#include <torch/nn/functional/loss.h>
#include <torch/types.h>

namespace gad::losses {

/// Mean BCE of `logits` against the constant label `target` (1 = real, 0 = fake).
inline torch::Tensor bce_with_logits(const torch::Tensor& logits, double target) {
  return torch::nn::functional::binary_cross_entropy_with_logits(logits,
                                                                 torch::full_like(logits, target));
}

/// The per-group BCE terms of one ALGAN discriminator step. The buffered terms are left
/// undefined before the replay buffers are in use (the reference's first epoch).
struct algan_terms {
  torch::Tensor real;              ///< BCE(D(x), 1), real normal images
  torch::Tensor fake_normal;       ///< BCE(D(G(z_n)), 0)
  torch::Tensor fake_anomalous;    ///< BCE(D(G_eval(z_a)), 0), pseudo-anomalies
  torch::Tensor buffer_normal;     ///< BCE(D(buffered fake-normal), 0)
  torch::Tensor buffer_anomalous;  ///< BCE(D(buffered pseudo-anomalies), 0)

  bool has_buffers() const noexcept {
    return buffer_normal.defined() && buffer_anomalous.defined();
  }
};

/// Builds the terms from the logits of each group; pass undefined buffer logits before the
/// buffers are used.
inline algan_terms algan_terms_from_logits(const torch::Tensor& real,
                                           const torch::Tensor& fake_normal,
                                           const torch::Tensor& fake_anomalous,
                                           const torch::Tensor& buffer_normal = {},
                                           const torch::Tensor& buffer_anomalous = {}) {
  if (buffer_normal.defined() != buffer_anomalous.defined()) {
    throw invalid_argument("algan_terms_from_logits: give both buffered groups or neither");
  }
  algan_terms t;
  t.real = bce_with_logits(real, 1.0);
  t.fake_normal = bce_with_logits(fake_normal, 0.0);
  t.fake_anomalous = bce_with_logits(fake_anomalous, 0.0);
  if (buffer_normal.defined()) {
    t.buffer_normal = bce_with_logits(buffer_normal, 0.0);
    t.buffer_anomalous = bce_with_logits(buffer_anomalous, 0.0);
  }
  return t;
}

/// ALGAN's discriminator loss (thesis eq. 4.3, reference train.py), the formula the training
/// step uses (gad::shift::pseudo_anomaly::total):
///   without buffers  L_real + alpha * L_fN + (1 - alpha) * L_fA
///   with buffers     L_real + alpha * (xi * L_fN + (1 - xi) * L_bN)
///                           + (1 - alpha) * (xi * L_fA + (1 - xi) * L_bA)
inline torch::Tensor algan_discriminator_loss(const algan_terms& t, double alpha, double xi) {
  if (!t.has_buffers()) {
    return shift::pseudo_anomaly::total(t.real, t.fake_normal, t.fake_anomalous, alpha);
  }
  return shift::pseudo_anomaly::total(t.real, t.fake_normal, t.fake_anomalous, t.buffer_normal,
                                      t.buffer_anomalous, alpha, xi);
}

/// The plain GAN discriminator loss used by the ablation without pseudo-anomalies:
/// BCE(D(x), 1) + BCE(D(G(z)), 0).
inline torch::Tensor gan_discriminator_loss(const torch::Tensor& real_logits,
                                            const torch::Tensor& fake_logits) {
  return bce_with_logits(real_logits, 1.0) + bce_with_logits(fake_logits, 0.0);
}

/// The non-saturating generator loss BCE(D(G(z_n)), 1). The paper writes the saturating
/// log(1 - D(G(z))); the reference code, which this follows, trains with this form.
inline torch::Tensor generator_loss(const torch::Tensor& fake_logits) {
  return bce_with_logits(fake_logits, 1.0);
}

}  // namespace gad::losses
