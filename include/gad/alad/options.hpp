#pragma once
// Run-time settings of the encoder-based detectors (ALAD, EGBAD/BiGAN): the networks, the
// optimisation, the scoring parameters and the threshold. The presets reproduce the reference
// configurations:
//
//   alad_mnist_options()   ALAD MNIST fork: lr 2e-4, batch 32, EMA 0.999 (spec §3.1, §4)
//   egbad_mnist_options()  EGBAD MNIST: lr 1e-5, batch 100, latent 200 (spec §6)
//   alad_kdd_options(F)    ALAD KDD99: lr 1e-5, batch 50, latent 32, MLPs on F features (§3.4)
//
// A default-constructed bigan_options is alad_mnist_options().
#include <gad/alad/architecture.hpp>
#include <gad/alad/presets.hpp>
#include <gad/core/error.hpp>
#include <gad/core/option_check.hpp>
#include <gad/core/option_field.hpp>
#include <gad/core/precision.hpp>
#include <gad/core/runtime.hpp>
#include <gad/detail/number_string.hpp>
#include <gad/metrics/decision.hpp>
#include <gad/train/shared_options.hpp>

#include <c10/util/Optional.h>

#include <cmath>
#include <cstdint>
#include <string>

namespace gad {

struct bigan_options {
  // ---- Networks ------------------------------------------------------------------------
  nn::architecture network = nn::alad_mnist_architecture();

  // ---- Optimisation --------------------------------------------------------------------
  /// The reference scripts have no usable default (ALAD's is 0); the ALAD MNIST report trained
  /// about 10 epochs.
  int epochs = 10;
  /// Images per step. The D step and the G/E step each take one batch per iteration from two
  /// independent shuffles of the training set; the tail that does not fill a batch is dropped.
  std::int64_t batch_size = 32;
  /// One Adam per network (E, G, D_xz, D_xx, D_zz), all with this learning rate.
  double learning_rate = 2e-4;
  double adam_beta1 = 0.5;
  double adam_beta2 = 0.999;
  double adam_eps = 1e-8;
  /// Decay of the exponential moving averages of the scoring networks' weights.
  double ema_decay = 0.999;
  /// float32 as the references, or bfloat16 matrix products and convolutions (mixed
  /// precision, gad/core/precision.hpp) in training and scoring: faster on hardware with
  /// native bfloat16 (AMX, Ampere), slower without it, never bit-identical to float32.
  precision compute_precision = precision::float32;

  // ---- Scoring ---------------------------------------------------------------------------
  /// Degree d of the norms in the fm score and in both terms of the EGBAD score (>= 1).
  double degree = 1.0;
  /// EGBAD's weight w of the discriminator term: (1 - w) * recon + w * L_D, in [0, 1].
  double egbad_weight = 0.1;
  /// Samples per forward pass when scoring (speed and memory only: scoring is in eval mode).
  std::int64_t score_batch_size = 256;

  // ---- Decisions -------------------------------------------------------------------------
  /// Decision threshold (score >= threshold means anomalous) when contamination is unset.
  double threshold = 0.0;
  /// When set, fit() sets the threshold to the (1 - contamination) quantile of the training
  /// scores (PyOD's convention and default); must lie in (0, 1).
  c10::optional<double> contamination = 0.1;

  // ---- Model selection (only when fit() gets a validation set) ----------------------------
  /// Validate after every this many epochs; the reference validates every epoch.
  int validate_every = 1;
  /// A validation can become the kept checkpoint only once at least this many epochs have run
  /// (epoch + 1 >= select_from_epoch, the same rule as ALGAN's); earlier ones are reported but
  /// never restored, so an early lucky epoch is not kept. 0 and 1 let every validation count.
  int select_from_epoch = 0;
  /// With a validation set of normals only: the score rule (a name all_scores() returns, e.g.
  /// "l1") whose mean over that set picks the kept epoch, lowest first. Empty: the detector's
  /// own rule, which for gad::alad<> is fm, the reference's choice. A rule in pixel space (l1,
  /// l2) keeps one scale across epochs; fm and ch are measured by a discriminator that is
  /// itself still training.
  std::string validation_score;

  // ---- Seed, threads, device -------------------------------------------------------------
  runtime_options runtime;
};

/// The same struct serves both detectors; these names read better at the call site.
using alad_options = bigan_options;
using egbad_options = bigan_options;

inline bigan_options alad_mnist_options() { return bigan_options{}; }

inline bigan_options egbad_mnist_options() {
  bigan_options o;
  o.network = nn::egbad_mnist_architecture();
  o.learning_rate = 1e-5;
  o.batch_size = 100;
  return o;
}

inline bigan_options alad_kdd_options(std::int64_t features = 121) {
  bigan_options o;
  o.network = nn::alad_kdd_architecture(features);
  o.learning_rate = 1e-5;
  o.batch_size = 50;
  // The reference's KDD threshold: the top 20 % of scores are anomalous.
  o.contamination = 0.2;
  return o;
}

/// Calls f(option_field, field) for every scalar field of `o` (the network excepted: see
/// io::write_architecture), runtime settings last. This list is the options' one declaration
/// besides their defaults: a field missing here is neither saved nor a flag of the `gad` tool.
template <class Options, class F>
void visit_bigan_options(Options& o, F&& f) {
  using field = option_field;
  using d = option_domain;
  visit_length_options(o, f);
  f(field{"learning_rate", "Adam learning rate of every network"}.in(d::positive), o.learning_rate);
  visit_adam_options(o, f);
  f(field{"ema_decay", "decay of the moving average of the networks that score"}.in(
        d::unit_half_open),
    o.ema_decay);
  f(field{"compute_precision",
          "float32, or bfloat16 matrix products (faster only on AMX/AVX512-BF16 CPUs and "
          "Ampere+ GPUs)"}
        .later(),
    o.compute_precision);
  f(field{"degree", "degree of the norms in the fm and EGBAD scores"}.in(d::at_least_one,
                                                                         " (a norm's order)"),
    o.degree);
  f(field{"egbad_weight", "EGBAD weight w of the discriminator term"}.in(d::unit_closed),
    o.egbad_weight);
  visit_selection_options(o, f);
  f(field{"validation_score",
          "validation on normals only: the rule whose mean score picks the kept epoch "
          "(default: the model's own)"}
        .later(),
    o.validation_score);
  visit_decision_and_runtime_options(o, f);
}

namespace detail {

inline void bigan_require(bool ok, const std::string& message) {
  if (!ok) throw invalid_argument("bigan_options: " + message);
}
}  // namespace detail

/// Throws gad::invalid_argument naming the first setting outside its domain. The network's
/// layer tables are checked when the networks are built (their errors name the layer).
inline void validate(const bigan_options& o) {
  using detail::bigan_require;
  check_option_domains(
      o, [](auto& x, auto&& f) { visit_bigan_options(x, f); }, "bigan_options");
  const nn::architecture& a = o.network;
  bigan_require(a.input_shape.size() == 1 || a.input_shape.size() == 3,
                "network.input_shape must be {C, H, W} or {F}, got " +
                    std::to_string(a.input_shape.size()) + " dimensions");
  for (auto d : a.input_shape) {
    bigan_require(d > 0, "network.input_shape entries must be > 0, got " + std::to_string(d));
  }
  bigan_require(a.latent_dim > 0,
                "network.latent_dim must be > 0, got " + std::to_string(a.latent_dim));
  bigan_require(std::isfinite(a.init_std) && a.init_std > 0.0,
                "network.init_std must be > 0, got " + detail::format_number(a.init_std));
  bigan_require(
      std::isfinite(a.batch_norm_eps) && a.batch_norm_eps > 0.0,
      "network.batch_norm_eps must be > 0, got " + detail::format_number(a.batch_norm_eps));
  bigan_require(a.batch_norm_momentum >= 0.0 && a.batch_norm_momentum <= 1.0,
                "network.batch_norm_momentum must lie in [0, 1], got " +
                    detail::format_number(a.batch_norm_momentum));
}

}  // namespace gad
