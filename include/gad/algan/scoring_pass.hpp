#pragma once
// How ALGAN scores: D's logits in eval mode, batch by batch, through the detector's scoring
// rule; and the validation AUROC that selects the kept epoch, with or without labelled
// anomalies.
#include <gad/algan/generator.hpp>
#include <gad/algan/options.hpp>
#include <gad/core/device.hpp>
#include <gad/core/error.hpp>
#include <gad/core/precision.hpp>
#include <gad/detail/module_state.hpp>
#include <gad/metrics/roc.hpp>
#include <gad/policy/scoring.hpp>
#include <gad/train/divergence_hint.hpp>
#include <gad/train/fit_report.hpp>

#include <ATen/core/Generator.h>
#include <torch/nn/functional/activation.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace gad::algan_detail {

// What a scoring rule's compute() reads on ALGAN (gad/policy/scoring.hpp): D's logit of
// each image of the batch, and the options.
struct score_view {
  torch::Tensor logits;
  const algan_options& opts;
  const torch::Tensor& logit() const { return logits; }
  const algan_options& options() const { return opts; }
  torch::Tensor softplus(const torch::Tensor& t) const {
    return torch::nn::functional::softplus(t);
  }
};

// Scores in eval mode, batched; `flat` is [N, C*H*W] float on any device.
template <class Scoring, class Discriminator>
torch::Tensor score_flat(const algan_options& o, const c10::Device& device, Discriminator d,
                         const torch::Tensor& flat) {
  static_assert(detail::has_compute<Scoring, score_view>::value,
                "the scoring rule needs `template <class View> static auto compute(const View& "
                "v)`, returning one score per sample of v's batch");
  torch::NoGradGuard no_grad;
  detail::mode_scope eval(*d, false);
  precision_scope mixed(o.compute_precision, device);
  const std::int64_t n = flat.size(0);
  if (n == 0) return torch::empty({0}, torch::kFloat);
  std::vector<torch::Tensor> parts;
  for (std::int64_t i = 0; i < n; i += o.score_batch_size) {
    const torch::Tensor xb = flat.slice(0, i, std::min(n, i + o.score_batch_size));
    const score_view view{d->forward(xb.to(device)).reshape({-1}), o};
    // Without a compute() only the static_assert above speaks.
    if constexpr (detail::has_compute<Scoring, score_view>::value) {
      parts.push_back(Scoring::compute(view).to(torch::kCPU));
    }
  }
  return torch::cat(parts, 0);
}

// Without labelled anomalies, the held-out normals are ranked against pseudo-anomalies:
// G(z) with z ~ N(0, sigma^2 I) from latents fixed by the seed, as many as there are
// normals, made by the scoring G in eval mode. D is trained to reject such images but never
// sees the held-out normals, so this AUROC falls when D's boundary stops generalizing to
// new normals, which is when the AUROC against real anomalies falls too (measured on the
// validation split of MNIST 0-vs-1: examples/algan_mnist/README.md).
inline validation_criterion label_free_criterion() {
  return {"AUROC against pseudo-anomalies", /*higher_is_better=*/true};
}

// The AUROC of a validation set: against its labels, or, with normals alone, against as many
// pseudo-anomalies drawn from `latents`.
template <class Scoring, class Discriminator>
double validation_value(const algan_options& o, const c10::Device& device, at::Generator latents,
                        nn::AlganGenerator g, Discriminator d, const torch::Tensor& x_val,
                        const std::vector<int>& y_val, int epoch) {
  torch::Tensor scores = score_flat<Scoring>(o, device, d, x_val);
  std::vector<int> labels = y_val;
  if (labels.empty()) {
    const std::int64_t n = x_val.size(0);
    const torch::Tensor z = torch::randn({n, o.z_dim}, latents) * o.sigma;
    std::vector<torch::Tensor> fakes;
    for (std::int64_t i = 0; i < n; i += o.score_batch_size) {
      const torch::Tensor zb = z.slice(0, i, std::min(n, i + o.score_batch_size));
      fakes.push_back(score_flat<Scoring>(
          o, device, d, nn::make_pseudo_anomalies(g, host_to_device(zb, device))));
    }
    scores = torch::cat({scores, torch::cat(fakes, 0)}, 0);
    labels.assign(static_cast<std::size_t>(n), 0);
    labels.resize(static_cast<std::size_t>(2 * n), 1);
  }
  scores = scores.to(torch::kDouble).contiguous();
  if (!detail::all_finite(scores)) {
    throw training_error("ALGAN training diverged: non-finite validation scores after epoch " +
                         std::to_string(epoch) + train::divergence_hint(device));
  }
  const double* p = scores.data_ptr<double>();
  return metrics::auroc(std::vector<double>(p, p + scores.numel()), labels);
}

}  // namespace gad::algan_detail
