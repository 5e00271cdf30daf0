#pragma once
// The objectives of ALAD (Zenati et al., ICDM 2018) and EGBAD/BiGAN as functions of the
// discriminators' logits, so each can be checked by hand. Every term is a batch mean of binary
// cross-entropy on logits (spec alad-egbad §4.2):
//
//   D_xz      BCE(D_xz(x, E(x)), 1) + BCE(D_xz(G(z), z), 0)
//   D_xx      BCE(D_xx(x, x), 1)    + BCE(D_xx(x, G(E(x))), 0)
//   D_zz      BCE(D_zz(z, z), 1)    + BCE(D_zz(z, E(G(z))), 0)
//   cycle     the D_xx (and, with D_zz, the D_zz) terms with the labels flipped
//   G         BCE(D_xz(G(z), z), 1) + cycle
//   E         BCE(D_xz(x, E(x)), 0) + cycle
//
// The flipped "real pair" terms of the cycle do not depend on G or E and carry no gradient;
// they are kept because the reference logs them (its G and E losses read about 6).
#include <torch/nn/functional/loss.h>
#include <torch/types.h>

namespace gad::losses {

/// Mean BCE of `logits` against the constant label `target`.
inline torch::Tensor bigan_bce(const torch::Tensor& logits, double target) {
  return torch::nn::functional::binary_cross_entropy_with_logits(logits,
                                                                 torch::full_like(logits, target));
}

/// Loss of a discriminator that should call `real` pairs 1 and `fake` pairs 0. The same form
/// serves D_xz (real = encoder pairs), D_xx and D_zz.
inline torch::Tensor pair_discriminator_loss(const torch::Tensor& real_logits,
                                             const torch::Tensor& fake_logits) {
  return bigan_bce(real_logits, 1.0) + bigan_bce(fake_logits, 0.0);
}

/// One cycle term: the discriminator's loss with both labels flipped, so that minimizing it
/// makes (x, G(E(x))) look like (x, x) (or (z, E(G(z))) like (z, z)).
inline torch::Tensor cycle_loss(const torch::Tensor& real_logits,
                                const torch::Tensor& fake_logits) {
  return bigan_bce(real_logits, 0.0) + bigan_bce(fake_logits, 1.0);
}

/// G's loss: fool D_xz on generator pairs, plus the cycle loss (undefined = no cycle, EGBAD).
inline torch::Tensor bigan_generator_loss(const torch::Tensor& generator_pair_logits,
                                          const torch::Tensor& cycle = {}) {
  const torch::Tensor adversarial = bigan_bce(generator_pair_logits, 1.0);
  return cycle.defined() ? adversarial + cycle : adversarial;
}

/// E's loss: fool D_xz on encoder pairs, plus the cycle loss (undefined = no cycle, EGBAD).
inline torch::Tensor bigan_encoder_loss(const torch::Tensor& encoder_pair_logits,
                                        const torch::Tensor& cycle = {}) {
  const torch::Tensor adversarial = bigan_bce(encoder_pair_logits, 0.0);
  return cycle.defined() ? adversarial + cycle : adversarial;
}

}  // namespace gad::losses
