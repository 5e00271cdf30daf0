#pragma once
// Run-time settings of an ALGAN detector. The defaults are the MNIST configuration of the
// authors' reference code (Murase & Fukumizu 2022, repository hanneko/algan_for_t-prism), so
// that `gad::algan<> detector;` trains what the paper's authors trained; every shape is a
// value here rather than a type so the same detector can be pointed at other image sizes.
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
#include <vector>

namespace gad {

/// When the latent batches (z_n for D, z_a for the pseudo-anomalies, z_gen for G) are drawn.
enum class latent_resampling {
  /// The authors' schedule, reproduced as written: their resampling test is on the epoch
  /// number (even epochs) but sits inside the batch loop, so even epochs redraw at each
  /// iteration and odd epochs train every iteration on the batch drawn last.
  reference,
  /// Fresh latents at every iteration, the textbook GAN schedule.
  every_iteration,
};

inline const char* to_string(latent_resampling r) noexcept {
  return r == latent_resampling::reference ? "reference" : "every-iteration";
}

/// How G and D are built (docs/design.md, "ALGAN's two architectures").
enum class algan_architecture {
  /// Fully connected, the reference's MNIST networks.
  mlp,
  /// DCGAN-like: transposed convolutions in G, strided convolutions in D, 4x4 and stride 2 each.
  conv,
};

inline const char* to_string(algan_architecture a) noexcept {
  return a == algan_architecture::mlp ? "mlp" : "conv";
}

struct algan_options {
  // ---- Image and network shape --------------------------------------------------------
  /// Shape of one input image; inputs may be given as [N, C, H, W] or flattened [N, C*H*W].
  std::int64_t channels = 1;
  std::int64_t height = 28;
  std::int64_t width = 28;
  /// Latent dimension of the generator.
  std::int64_t z_dim = 100;
  /// mlp (the reference) or conv; conv reads the two width lists below as channel counts and
  /// needs height and width divisible by 2^(number of widths). See algan_conv_options().
  algan_architecture architecture = algan_architecture::mlp;
  /// Widths of G's hidden layers (Linear + BatchNorm1d + ReLU each), input side first.
  std::vector<std::int64_t> generator_hidden = {512, 1024};
  /// Widths of D's hidden layers (Linear + LeakyReLU each); spectral norm, when the detector's
  /// normalization policy asks for it, wraps exactly these layers and not the output layer.
  std::vector<std::int64_t> discriminator_hidden = {1024, 512};
  double leaky_relu_slope = 0.2;
  double batch_norm_eps = 1e-5;
  double batch_norm_momentum = 0.1;

  // ---- Optimisation -------------------------------------------------------------------
  int epochs = 256;
  /// Real images per iteration; also the size of every fake and buffered group. The last
  /// incomplete batch of an epoch is dropped, as in the reference.
  std::int64_t batch_size = 512;
  double generator_lr = 2e-4;
  double discriminator_lr = 1e-4;
  double adam_beta1 = 0.0;
  double adam_beta2 = 0.9;
  double adam_eps = 1e-8;
  /// Discriminator updates per generator update; they reuse the same latents and real batch.
  int discriminator_steps = 2;
  latent_resampling resampling = latent_resampling::reference;
  /// Push all image groups of a D step through D in one call. Off by default: the reference
  /// makes one call per group, and with spectral norm every call advances the power iteration,
  /// so fusing changes the u/v trajectory (it is faster, not equivalent).
  bool fused_d_forward = false;
  /// Make the fake-normal and pseudo-anomalous batches once per iteration and give them to
  /// every D step. Off by default: the reference makes them anew in each D step. G is not
  /// updated between the D steps, so the fake-normal images come out the same, but each
  /// train-mode G call also moves G's BatchNorm running statistics, which the pseudo-anomalies
  /// (G in eval mode) are made with; sharing saves those G calls and one such update per extra
  /// D step (it is faster, not equivalent).
  bool reuse_d_step_fakes = false;
  /// float32 as the reference, or bfloat16 matrix products (mixed precision, gad/core/
  /// precision.hpp): several times faster on hardware with native bfloat16 (AMX, Ampere), slower
  /// without it, and never bit-identical to float32. Scoring uses it too; D's output layer
  /// stays float32 so that scores keep their resolution.
  precision compute_precision = precision::float32;

  // ---- Pseudo-anomalies (used only with shift::pseudo_anomaly) -----------------------
  /// Standard deviation of the anomalous latent z_a ~ N(0, sigma^2 I); also that of the
  /// pseudo-anomalies a validation set of normals alone is ranked against.
  double sigma = 4.0;
  /// Weight of the fake-normal terms against the pseudo-anomalous terms.
  double alpha = 0.75;
  /// Weight of freshly generated terms against replay-buffered terms.
  double xi = 0.75;
  /// Images kept by each replay buffer; 0 means twice the batch size (the reference).
  std::int64_t buffer_capacity = 0;

  // ---- Weight averaging ----------------------------------------------------------------
  /// When > 0, the detector scores (and validates, and generates) with exponential moving
  /// averages of D's and G's weights, updated after every iteration as
  /// avg <- ema_decay * avg + (1 - ema_decay) * weights (buffers copied, as gad/alad/ema.hpp).
  /// 0 (the reference) scores with the raw weights. The averages smooth the swings of D's
  /// validation AUROC from one epoch to the next, which the raw weights show on MNIST 0-vs-1.
  double ema_decay = 0.0;

  // ---- Model selection -----------------------------------------------------------------
  /// Validate after every this many epochs (when fit() is given a validation set). With
  /// labelled anomalies in it the criterion is its AUROC; with normals alone, the AUROC of
  /// those normals against pseudo-anomalies (label-free selection).
  int validate_every = 8;
  /// Validations take part in checkpoint selection only once epoch + 1 >= this value: early
  /// in training a lucky validation score says little about the model.
  int select_from_epoch = 32;

  // ---- Scoring and decisions -------------------------------------------------------------
  /// Images per forward pass when scoring; affects speed and memory only (D has no batch norm).
  std::int64_t score_batch_size = 1024;
  /// Decision threshold on the score (score >= threshold means anomalous). 0 is D's own
  /// real/fake boundary, the value of the reference notebook.
  double threshold = 0.0;
  /// When set, fit() replaces the threshold by the (1 - contamination) quantile of the
  /// training scores, PyOD's convention. Must lie in (0, 1).
  c10::optional<double> contamination;

  // ---- Seed, threads, device -------------------------------------------------------------
  runtime_options runtime;

  std::int64_t image_numel() const noexcept { return channels * height * width; }
  std::int64_t replay_capacity() const noexcept {
    return buffer_capacity == 0 ? 2 * batch_size : buffer_capacity;
  }
};

/// The convolutional preset for images of the given shape (defaults: MNIST): G 64 -> 32 channels,
/// D 32 -> 64, everything else the reference's. The widths keep one training iteration at about
/// the cost of the reference MLPs on 28x28 images (about 1.7 M multiply-adds per image in D
/// against 1.3 M), so the image architecture trains in the same CPU time.
inline algan_options algan_conv_options(std::int64_t channels = 1, std::int64_t height = 28,
                                        std::int64_t width = 28) {
  algan_options o;
  o.channels = channels;
  o.height = height;
  o.width = width;
  o.architecture = algan_architecture::conv;
  o.generator_hidden = {64, 32};
  o.discriminator_hidden = {32, 64};
  return o;
}

/// Calls f(option_field, field) for every field of `o` (const or not), runtime settings
/// last. This list is the options' one declaration besides their defaults: a field missing
/// here is neither saved nor a flag of the `gad` tool.
template <class Options, class F>
void visit_algan_options(Options& o, F&& f) {
  using field = option_field;
  using d = option_domain;
  f(field{"channels", "image channels (default: taken from the data)"}, o.channels);
  f(field{"height", "image height in pixels (default: taken from the data)"}, o.height);
  f(field{"width", "image width in pixels (default: taken from the data)"}, o.width);
  f(field{"z_dim", "latent dimension of the generator"}.in(d::positive), o.z_dim);
  f(field{"architecture",
          "ALGAN networks: mlp (the reference) or conv (DCGAN-like; the widths become channel "
          "counts, by default G 64,32 and D 32,64)"}
        .later(),
    o.architecture);
  f(field{"generator_hidden", "widths of G's hidden layers, comma separated"}, o.generator_hidden);
  f(field{"discriminator_hidden", "widths of D's hidden layers, comma separated"},
    o.discriminator_hidden);
  f(field{"leaky_relu_slope", "negative slope of D's LeakyReLU"}.in(d::non_negative),
    o.leaky_relu_slope);
  f(field{"batch_norm_eps", "BatchNorm epsilon in G"}.in(d::positive), o.batch_norm_eps);
  f(field{"batch_norm_momentum", "BatchNorm momentum in G"}.in(d::unit_closed),
    o.batch_norm_momentum);
  visit_length_options(o, f);
  f(field{"generator_lr", "Adam learning rate of G"}.in(d::positive), o.generator_lr);
  f(field{"discriminator_lr", "Adam learning rate of D"}.in(d::positive), o.discriminator_lr);
  visit_adam_options(o, f);
  f(field{"discriminator_steps", "D updates per G update"}.in(d::positive), o.discriminator_steps);
  f(field{"resampling", "latent resampling: reference (the authors' schedule) or every-iteration"},
    o.resampling);
  f(field{"fused_d_forward",
          "one D call per D step (faster; changes the spectral-norm trajectory)"},
    o.fused_d_forward);
  f(field{"reuse_d_step_fakes",
          "make the fakes once per iteration for all D steps (faster; one BatchNorm update less)"}
        .later(),
    o.reuse_d_step_fakes);
  f(field{"compute_precision",
          "float32, or bfloat16 matrix products (faster only on AMX/AVX512-BF16 CPUs and "
          "Ampere+ GPUs)"}
        .later(),
    o.compute_precision);
  f(field{"sigma", "standard deviation of the pseudo-anomalous latents"}
        .in(d::positive)
        .for_pseudo_anomalies(),
    o.sigma);
  f(field{"alpha", "weight of fake-normal against pseudo-anomalous loss terms"}
        .in(d::unit_closed)
        .for_pseudo_anomalies(),
    o.alpha);
  f(field{"xi", "weight of fresh against replay-buffered loss terms"}
        .in(d::unit_closed)
        .for_pseudo_anomalies(),
    o.xi);
  f(field{"buffer_capacity", "images per replay buffer, 0 = twice the batch size"}
        .in(d::non_negative, " (0 = 2 x batch_size)")
        .for_pseudo_anomalies(),
    o.buffer_capacity);
  f(field{"ema_decay", "decay of the moving average of G and D that scores, 0 = no averaging"}
        .later()
        .in(d::unit_half_open, " (0 = no averaging)"),
    o.ema_decay);
  visit_selection_options(o, f);
  visit_decision_and_runtime_options(o, f);
}

namespace detail {
inline void algan_require(bool ok, const std::string& message) {
  if (!ok) throw invalid_argument("algan_options: " + message);
}

}  // namespace detail

/// Throws gad::invalid_argument naming the first option outside its domain. The
/// pseudo-anomaly settings are checked only when `pseudo_anomalies` is true, so an ablation
/// (shift::none) is not rejected for values it never reads.
inline void validate(const algan_options& o, bool pseudo_anomalies) {
  // Each field against its declared domain first, so that the rules below, which combine
  // fields, see values that are each valid.
  check_option_domains(
      o, [](auto& x, auto&& f) { visit_algan_options(x, f); }, "algan_options", pseudo_anomalies);
  const auto require = detail::algan_require;
  require(o.channels > 0 && o.height > 0 && o.width > 0,
          "image shape must be positive, got [" + std::to_string(o.channels) + ", " +
              std::to_string(o.height) + ", " + std::to_string(o.width) + "]");
  for (auto w : o.generator_hidden) {
    require(w > 0, "generator_hidden widths must be > 0, got " + std::to_string(w));
  }
  for (auto w : o.discriminator_hidden) {
    require(w > 0, "discriminator_hidden widths must be > 0, got " + std::to_string(w));
  }
  if (o.architecture == algan_architecture::conv) {
    for (const auto* list : {&o.generator_hidden, &o.discriminator_hidden}) {
      const auto levels = static_cast<std::int64_t>(list->size());
      const std::int64_t step = levels < 31 ? std::int64_t{1} << levels : 0;
      require(levels > 0 && step > 0 && o.height % step == 0 && o.width % step == 0,
              "the conv architecture halves the image size once per width of " +
                  std::string(list == &o.generator_hidden ? "generator_hidden"
                                                          : "discriminator_hidden") +
                  ", so height and width must be divisible by 2^" + std::to_string(levels) +
                  ", got " + std::to_string(o.height) + "x" + std::to_string(o.width) +
                  (levels == 0 ? " (and the list must not be empty)" : ""));
    }
  }
  if (pseudo_anomalies) {
    require(o.replay_capacity() >= o.batch_size,
            "buffer_capacity (" + std::to_string(o.replay_capacity()) +
                ") must be at least batch_size (" + std::to_string(o.batch_size) +
                "): every D step samples a full batch from each buffer");
  }
}

}  // namespace gad
