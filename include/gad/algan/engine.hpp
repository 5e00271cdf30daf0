#pragma once
// The ALGAN engine: gad::detector<discriminators<disc::x>, N, score::neg_logit, L> inherits
// engine<family::algan, P>. It holds G and D and connects ALGAN's own pieces to the shared
// engine core (train::engine_base, the fit loop): the training iteration and fit state
// (gad/algan/training_step.hpp, the reference's step with its quirks and the options that
// change them), input checks (image_input.hpp), scoring and validation (scoring_pass.hpp) and
// the latent-shift strategy's context (shift_context.hpp).
//
// Latent-shift policy:
//   shift::pseudo_anomaly  ALGAN: D also learns to reject G(z_a), z_a ~ N(0, sigma^2 I), and
//                          replay-buffered fakes, weighted by alpha and xi.
//   shift::none            the ablation: a plain GAN whose discriminator scores images.
// Normalization policy: it builds D's hidden layers, spectral or plain
// (gad/nn/normalized_layer.hpp).
#include <gad/alad/ema.hpp>
#include <gad/algan/image_input.hpp>
#include <gad/algan/losses.hpp>
#include <gad/algan/networks.hpp>
#include <gad/algan/options.hpp>
#include <gad/algan/options_io.hpp>
#include <gad/algan/replay_buffer.hpp>
#include <gad/algan/scoring_pass.hpp>
#include <gad/algan/shift_context.hpp>
#include <gad/algan/training_step.hpp>
#include <gad/core/error.hpp>
#include <gad/core/precision.hpp>
#include <gad/core/runtime.hpp>
#include <gad/core/threads.hpp>
#include <gad/data/dataset.hpp>
#include <gad/detail/module_state.hpp>
#include <gad/detail/shape_string.hpp>
#include <gad/io/archive.hpp>
#include <gad/io/checkpoint.hpp>
#include <gad/io/optional_tensor.hpp>
#include <gad/metrics/roc.hpp>
#include <gad/policy/detector.hpp>
#include <gad/policy/signature.hpp>
#include <gad/train/callbacks.hpp>
#include <gad/train/engine_base.hpp>
#include <gad/train/fit_data.hpp>
#include <gad/train/fit_loop.hpp>
#include <gad/train/fit_report.hpp>
#include <gad/train/optimizers.hpp>

#include <ATen/core/Generator.h>
#include <c10/util/Optional.h>
#include <torch/nn/functional/activation.h>
#include <torch/nn/module.h>
#include <torch/optim/adam.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace gad {

namespace algan_detail {

using detail::all_finite;
using detail::frozen_parameters;
using detail::restore;
using detail::snapshot;

}  // namespace algan_detail

template <class P>
class engine<family::algan, P>
    : public train::engine_base<engine<family::algan, P>, algan_options> {
  using base_type = train::engine_base<engine, algan_options>;
  friend base_type;

 public:
  using policy_type = P;
  using options_type = algan_options;
  /// The latent-shift strategy (gad/policy/latent_shift.hpp), which this engine calls at
  /// fixed points of its training step.
  using shift_type = typename P::latent_shift;
  /// True for ALGAN proper and strategies derived from it, false for the plain-GAN ablation.
  static constexpr bool pseudo_anomalies = shift_type::pseudo_anomalies;
  static constexpr bool spectral = P::spectral;

  /// D with the normalization policy's hidden layers (gad/nn/normalized_layer.hpp).
  using discriminator_type = nn::AlganDiscriminator<typename P::normalization>;
  using discriminator_impl = nn::AlganDiscriminatorImpl<typename P::normalization>;

  engine() : engine(algan_options{}) {}

  /// Validates the options, applies the run-time settings (threads, global seed, device) and
  /// builds both networks with the reference initialization drawn from the seed.
  explicit engine(algan_options options)
      : base_type((validate(options, pseudo_anomalies), std::move(options))) {
    const bool conv = options_.architecture == algan_architecture::conv;
    G_ = nn::AlganGenerator(nn::AlganGeneratorOptions{
        options_.z_dim, options_.generator_hidden, options_.image_numel(), options_.batch_norm_eps,
        options_.batch_norm_momentum, conv, options_.channels, options_.height, options_.width});
    D_ = discriminator_type(nn::AlganDiscriminatorOptions{
        options_.image_numel(), options_.discriminator_hidden, options_.leaky_relu_slope, conv,
        options_.channels, options_.height, options_.width});
    G_->to(runtime_.device());
    D_->to(runtime_.device());
    initialize_networks();
  }

  // fit(), resume(), save(), load(), predict() and the threshold: train::engine_base.

  /// "ALGAN", for messages.
  static std::string name() { return "ALGAN"; }
  static std::string family_name() { return "algan"; }
  static std::string signature() { return policy_signature<P>(); }
  static algan_options read_options(const io::archive_reader& archive) {
    return io::read_algan_options(archive, "options");
  }
  static void write_options(io::output_archive& a, const algan_options& o) {
    io::write_options(a, "options", o);
  }

  // ---- Scoring ---------------------------------------------------------------------------

  /// Anomaly scores -logit(D(x)) as float32 [N] on the CPU; higher = more anomalous.
  /// `x` is [N, C, H, W] or [N, C*H*W] in [-1, 1] on any device. D runs in eval mode (spectral
  /// norm uses its stored vectors) without gradients, in batches of score_batch_size; its
  /// previous mode is restored. Not safe to call concurrently on one detector (the mode switch
  /// is shared state).
  torch::Tensor decision_function(const torch::Tensor& x) const {
    if (!fitted_) {
      throw error("ALGAN: decision_function() called before a successful fit()");
    }
    const torch::Tensor flat = flatten_images(x, "decision_function");
    return score_flat(flat, D_);
  }

  // ---- Generation ------------------------------------------------------------------------

  /// G(z) for latents [n, z_dim] with G in eval mode (running BatchNorm statistics, the way
  /// pseudo-anomalies are made); images [n, C, H, W] in [-1, 1] on the CPU.
  torch::Tensor generate(const torch::Tensor& z) const {
    if (!z.defined() || z.dim() != 2 || z.size(1) != options_.z_dim) {
      throw invalid_argument("ALGAN generate: expected latents of shape [n, " +
                             std::to_string(options_.z_dim) + "], got " + detail::shape_string(z));
    }
    torch::NoGradGuard no_grad;
    detail::mode_scope eval(*G_, false);
    return G_->forward(z.to(device(), torch::kFloat))
        .reshape({z.size(0), options_.channels, options_.height, options_.width})
        .to(torch::kCPU);
  }

  /// `n` images from z ~ N(0, sigma^2 I): sigma = 1 gives fake-normal images, sigma =
  /// options().sigma pseudo-anomalies. The latents come from `gen`, or, without one, from the
  /// seed's "algan/sample" stream, so equal calls give equal images.
  torch::Tensor sample(std::int64_t n, double sigma = 1.0,
                       c10::optional<at::Generator> gen = c10::nullopt) const {
    if (n <= 0) throw invalid_argument("ALGAN sample: n must be > 0, got " + std::to_string(n));
    if (!(std::isfinite(sigma) && sigma > 0.0)) {
      throw invalid_argument("ALGAN sample: sigma must be > 0, got " + std::to_string(sigma));
    }
    at::Generator g = gen ? *gen : runtime_.generator("algan/sample");
    return generate(torch::randn({n, options_.z_dim}, g) * sigma);
  }

  // ---- Access ----------------------------------------------------------------------------

  nn::AlganGenerator& generator() noexcept { return G_; }
  const nn::AlganGenerator& generator() const noexcept { return G_; }
  discriminator_type& discriminator() noexcept { return D_; }
  const discriminator_type& discriminator() const noexcept { return D_; }
  using base_type::device;
  using base_type::options;

  /// Names of the per-iteration and per-epoch loss columns: the strategy's D terms, then g.
  static std::vector<std::string> loss_names() {
    std::vector<std::string> names = shift_type::loss_names();
    names.emplace_back("g");
    return names;
  }

 private:
  using base_type::fitted_;
  using base_type::options_;
  using base_type::runtime_;
  using base_type::threshold_;

  // Validated tensors of one fit() or resume() call.
  using fit_data = train::fit_data;  // x_train, x_val: [N, C*H*W] on the device

  // What the latent-shift strategy reads and calls (gad/algan/shift_context.hpp).
  using shift_context = algan_shift_context;
  shift_context context(at::Generator* latent) const {
    return shift_context(options_, runtime_, G_, latent);
  }

  // What a fit carries between epochs besides the weights (gad/algan/training_step.hpp).
  using fit_state = algan_fit_state<shift_type, discriminator_type>;
  algan_training_step<shift_type, discriminator_type> step() const {
    return {options_, runtime_, G_, D_};
  }

  fit_data prepare_fit(const data::dataset& train, const data::dataset* validation,
                       std::int64_t batch) const {
    fit_data d = train::prepare_fit_data(name(), train, validation, batch,
                                         [&](const torch::Tensor& x, const std::string& what,
                                             bool) { return prepare_training_images(x, what); });
    // The label-free criterion draws its pseudo-anomalies with sigma, which validate()
    // checks only for the pseudo-anomaly strategy.
    if (d.validation && d.y_val.empty() &&
        !(std::isfinite(options_.sigma) && options_.sigma > 0.0)) {
      throw invalid_argument(
          "ALGAN fit: a validation set of normals alone is ranked against "
          "pseudo-anomalies drawn with sigma, which must be > 0, got " +
          std::to_string(options_.sigma));
    }
    return d;
  }

  std::unique_ptr<torch::optim::Adam> make_optimizer(torch::nn::Module& m, double lr) const {
    return train::make_adam(m, lr, options_.adam_beta1, options_.adam_beta2, options_.adam_eps);
  }

  std::unique_ptr<fit_state> fresh_state(const fit_data& data) const {
    auto st = std::make_unique<fit_state>(context(nullptr), runtime_);
    st->opt_g = make_optimizer(*G_, options_.generator_lr);
    st->opt_d = make_optimizer(*D_, options_.discriminator_lr);
    if (options_.ema_decay > 0.0) {
      // Deep copies: the averages start from the networks as they are now.
      st->avg_g =
          nn::AlganGenerator(std::dynamic_pointer_cast<nn::AlganGeneratorImpl>(G_->clone()));
      st->avg_d = discriminator_type(std::dynamic_pointer_cast<discriminator_impl>(D_->clone()));
      st->avg_g->eval();
      st->avg_d->eval();
    }
    st->loop.report.loss_names = loss_names();
    if (data.validation && data.y_val.empty()) st->loop.report.criterion = label_free_criterion();
    train::start_loop(st->loop, data, options_.batch_size);
    return st;
  }

  template <class... Callbacks>
  fit_report run(const fit_data& data, Callbacks&... callbacks) {
    fitted_ = false;
    G_->train();
    D_->train();
    fit_state& st = *state_;
    train::loop_hooks hooks;
    hooks.begin_epoch = [&](int) {
      st.shuffle.begin_epoch();
      st.order = host_to_device(torch::randperm(data.x_train.size(0), st.shuffle.gen,
                                                torch::TensorOptions().dtype(torch::kLong)),
                                device());
    };
    hooks.iteration = [&](int epoch, std::int64_t it, std::int64_t) {
      return train_iteration(st, data.x_train, epoch, it);
    };
    hooks.validate = [&](int epoch) {
      return validation_value(data.x_val, data.y_val, scoring_g(st), scoring_d(st), epoch);
    };
    hooks.snapshot = [&] {
      return std::vector<std::vector<torch::Tensor>>{algan_detail::snapshot(*scoring_g(st)),
                                                     algan_detail::snapshot(*scoring_d(st))};
    };
    return this->run_loop(std::move(hooks), st.loop, data.validation, data.x_train, callbacks...);
  }

  // Restores the best validated weights, if any, and ends the fit. Without a best checkpoint
  // the detector keeps the last weights when training completed, and is left unfitted when it
  // failed.
  fit_report end_fit(bool completed) {
    fit_report report = std::move(state_->loop.report);
    if (report.best_epoch >= 0) {
      algan_detail::restore(*G_, state_->loop.best[0]);
      algan_detail::restore(*D_, state_->loop.best[1]);
    } else if (state_->avg_g) {
      nn::ema_reset(*G_, *state_->avg_g);
      nn::ema_reset(*D_, *state_->avg_d);
    }
    fitted_ = completed || report.best_epoch >= 0;
    state_.reset();
    G_->eval();
    D_->eval();
    return report;
  }

  torch::Tensor train_iteration(fit_state& st, const torch::Tensor& x_train, int epoch,
                                std::int64_t it) {
    return step().iteration(st, x_train, epoch, it);
  }

  void begin_fresh_fit(const fit_data& data) {
    initialize_networks();
    state_ = fresh_state(data);
  }

  bool fitting() const noexcept { return state_ != nullptr; }

  // The networks the detector scores with are always "generator" and "discriminator", so a
  // checkpoint written during an averaged fit scores with the averages when load()ed; the
  // training weights then go into the training section.
  void write_modules(io::output_archive& a) const {
    const bool averaged = fitting() && state_->avg_g;
    io::write_module(a, "generator", averaged ? *state_->avg_g : *G_);
    io::write_module(a, "discriminator", averaged ? *state_->avg_d : *D_);
  }

  // During a fit: the averages when there are any, else the training networks.
  nn::AlganGenerator& scoring_g(fit_state& st) { return st.avg_g ? st.avg_g : G_; }
  discriminator_type& scoring_d(fit_state& st) { return st.avg_d ? st.avg_d : D_; }

  void write_training(io::output_archive& a) const {
    const fit_state& st = *state_;
    io::output_archive t = io::nested_archive(a);
    train::write_loop_state(t, "loop", st.loop);
    train::write_optimizer(t, "opt_g", *st.opt_g);
    train::write_optimizer(t, "opt_d", *st.opt_d);
    st.shuffle.write(t, "shuffle", st.loop);
    io::write_generator(t, "latent", st.latent);
    shift_type::write(context(nullptr), st.shift, t);
    if (st.avg_g) {
      io::write_module(t, "live_generator", *G_);
      io::write_module(t, "live_discriminator", *D_);
    }
    io::write_optional_tensor(t, "z_normal", st.z.normal);
    io::write_optional_tensor(t, "z_generator", st.z.generator);
    a.write("training", t);
  }

  // ---- Reading a file: the hooks of train::engine_base::load_archive ----------------------

  std::string network_mismatch(const algan_options& stored) const {
    if (same_networks(stored, options_)) return {};
    return "its networks (" + network_summary(stored) + ") differ from this detector's (" +
           network_summary(options_) + ")";
  }
  static void check_options(const algan_options& o) { validate(o, pseudo_anomalies); }
  void stage_modules(const io::archive_reader& archive, io::staged_copies& copies) {
    archive.stage_module("generator", *G_, copies);
    archive.stage_module("discriminator", *D_, copies);
  }
  void commit_training(fit_state&) {}
  void to_eval() {
    G_->eval();
    D_->eval();
  }

  std::unique_ptr<fit_state> read_training(const io::archive_reader& archive, const fit_data& data,
                                           io::staged_copies& copies) {
    const io::archive_reader t = archive.child("training");
    std::unique_ptr<fit_state> st = fresh_state(data);
    if (st->avg_g) {
      // Staged after the top-level networks, so G_ and D_ end with the training weights.
      archive.stage_module("generator", *st->avg_g, copies);
      archive.stage_module("discriminator", *st->avg_d, copies);
      t.stage_module("live_generator", *G_, copies);
      t.stage_module("live_discriminator", *D_, copies);
    }
    const std::vector<std::vector<torch::Tensor>> like{algan_detail::snapshot(*G_),
                                                       algan_detail::snapshot(*D_)};
    train::read_loop_state(t, "loop", st->loop, like, device(), data.validation);
    train::read_optimizer(t, "opt_g", *st->opt_g);
    train::read_optimizer(t, "opt_d", *st->opt_d);
    st->shuffle.read(t, "shuffle");
    t.read_generator("latent", st->latent);
    shift_type::read(context(nullptr), st->shift, t);
    st->z.normal = io::read_optional_rows(t, "z_normal", options_.z_dim, device());
    st->z.generator = io::read_optional_rows(t, "z_generator", options_.z_dim, device());
    return st;
  }

  void initialize_networks() {
    at::Generator init = runtime_.generator("algan/init");
    G_->initialize(init);
    D_->initialize(init);
  }

  static validation_criterion label_free_criterion() {
    return algan_detail::label_free_criterion();
  }

  double validation_value(const torch::Tensor& x_val, const std::vector<int>& y_val,
                          nn::AlganGenerator g, discriminator_type d, int epoch) const {
    return algan_detail::validation_value<typename P::scoring>(
        options_, device(), runtime_.generator("algan/selection"), g, d, x_val, y_val, epoch);
  }

  torch::Tensor flatten_images(const torch::Tensor& x, const std::string& what) const {
    return algan_detail::flatten_images(options_, x, what);
  }
  torch::Tensor prepare_training_images(const torch::Tensor& x, const std::string& what) const {
    return algan_detail::prepare_training_images(options_, x, what).to(device());
  }

  torch::Tensor score_flat(const torch::Tensor& flat, discriminator_type d) const {
    return algan_detail::score_flat<typename P::scoring>(options_, device(), d, flat);
  }

  // Mutable: scoring and sampling are logically const but switch the modules to eval mode
  // for the duration of the call.
  mutable nn::AlganGenerator G_{nullptr};
  mutable discriminator_type D_{nullptr};
  // Present while fit() or resume() runs, so that save() from a callback can write it.
  std::unique_ptr<fit_state> state_;
};

}  // namespace gad
