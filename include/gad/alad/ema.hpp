#pragma once
// Exponential moving averages of network weights, as TF's ExponentialMovingAverage without
// num_updates (what the ALAD and EGBAD references use to score):
//   shadow <- decay * shadow + (1 - decay) * value   after every optimizer step.
// Only trainable parameters are averaged. Buffers (batch-norm running statistics, the
// spectral-norm vectors) are copied as they are, because the references never average them
// and score with their raw values.
//
// The shadow is a second instance of the same network, so it can run forward passes itself.
#include <gad/core/error.hpp>

#include <torch/nn/module.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <cstddef>
#include <string>

namespace gad::nn {

namespace detail {
inline void ema_check_structure(const torch::nn::Module& shadow, const torch::nn::Module& source,
                                const char* who) {
  const auto sp = shadow.named_parameters();
  const auto vp = source.named_parameters();
  const auto sb = shadow.named_buffers();
  const auto vb = source.named_buffers();
  if (sp.size() != vp.size() || sb.size() != vb.size()) {
    throw invalid_argument(std::string(who) + ": the shadow and the source network differ (" +
                           std::to_string(sp.size()) + " vs " + std::to_string(vp.size()) +
                           " parameters, " + std::to_string(sb.size()) + " vs " +
                           std::to_string(vb.size()) + " buffers)");
  }
  for (std::size_t i = 0; i < sp.size(); ++i) {
    if (sp[i].key() != vp[i].key() || !sp[i].value().sizes().equals(vp[i].value().sizes())) {
      throw invalid_argument(std::string(who) + ": parameter '" + sp[i].key() +
                             "' does not match '" + vp[i].key() + "'");
    }
  }
  for (std::size_t i = 0; i < sb.size(); ++i) {
    if (sb[i].key() != vb[i].key() || !sb[i].value().sizes().equals(vb[i].value().sizes())) {
      throw invalid_argument(std::string(who) + ": buffer '" + sb[i].key() + "' does not match '" +
                             vb[i].key() + "'");
    }
  }
}
}  // namespace detail

/// Makes `shadow` an exact copy of `source` (parameters and buffers): the average's start.
inline void ema_reset(torch::nn::Module& shadow, const torch::nn::Module& source) {
  detail::ema_check_structure(shadow, source, "ema_reset");
  torch::NoGradGuard no_grad;
  auto sp = shadow.parameters();
  const auto vp = source.parameters();
  for (std::size_t i = 0; i < sp.size(); ++i) sp[i].copy_(vp[i]);
  auto sb = shadow.buffers();
  const auto vb = source.buffers();
  for (std::size_t i = 0; i < sb.size(); ++i) sb[i].copy_(vb[i]);
}

/// One averaging step: parameters move towards `source` by (1 - decay); buffers are copied.
inline void ema_update(torch::nn::Module& shadow, const torch::nn::Module& source, double decay) {
  if (!(decay >= 0.0 && decay <= 1.0)) {
    throw invalid_argument("ema_update: decay must lie in [0, 1], got " + std::to_string(decay));
  }
  torch::NoGradGuard no_grad;
  auto sp = shadow.parameters();
  const auto vp = source.parameters();
  auto sb = shadow.buffers();
  const auto vb = source.buffers();
  if (sp.size() != vp.size() || sb.size() != vb.size()) {
    detail::ema_check_structure(shadow, source, "ema_update");
  }
  // lerp_: shadow + (1 - decay) * (source - shadow), TF's own formulation.
  for (std::size_t i = 0; i < sp.size(); ++i) sp[i].lerp_(vp[i], 1.0 - decay);
  for (std::size_t i = 0; i < sb.size(); ++i) sb[i].copy_(vb[i]);
}

}  // namespace gad::nn
