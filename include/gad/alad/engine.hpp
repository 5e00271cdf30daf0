#pragma once
// The training engine of the encoder-based family: gad::detector<D, N, S, shift::none> with a
// discriminator set containing D_xz inherits engine<family::bigan, P>.
//
//   {D_xz}              EGBAD / BiGAN (Zenati et al. 2018, arXiv 1802.06222)
//   {D_xz, D_xx}        ALAD without the latent cycle (arXiv 1812.02288)
//   {D_xz, D_xx, D_zz}  ALAD with it
//
// One iteration (spec alad-egbad §4.3): a discriminator step on one batch, then a generator +
// encoder step on a batch from an independent shuffle, each with fresh latents, then the moving
// averages. Scores always come from the averaged E, G, D_xz and D_xx in eval mode.
//
// Where this differs from the reference code, on purpose:
//  * D_zz exists only when the policy names it. The reference trains D_zz even when its loss
//    never reaches G and E (--enable_dzz off); that costs time and changes nothing else.
//  * Five Adam instances. The reference shares one TF Adam, whose bias-correction counters then
//    advance five times per iteration; only the first ~1k iterations notice.
//  * Spectral norm advances its power iteration in training-mode forwards only (PyTorch's rule);
//    TF's version also advances it when scoring.
//  * Dropout masks come from LibTorch's global generator, reseeded from the seed's
//    "alad/dropout" stream at the start of every fit (F::dropout takes no generator).
#include <gad/alad/architecture.hpp>
#include <gad/alad/bigan_networks.hpp>
#include <gad/alad/fit_state_io.hpp>
#include <gad/alad/input.hpp>
#include <gad/alad/networks.hpp>
#include <gad/alad/options.hpp>
#include <gad/alad/options_io.hpp>
#include <gad/alad/score_rules.hpp>
#include <gad/alad/score_view.hpp>
#include <gad/alad/scores.hpp>
#include <gad/alad/training_step.hpp>
#include <gad/core/error.hpp>
#include <gad/core/precision.hpp>
#include <gad/core/random.hpp>
#include <gad/core/runtime.hpp>
#include <gad/core/threads.hpp>
#include <gad/data/dataset.hpp>
#include <gad/detail/batches.hpp>
#include <gad/detail/module_state.hpp>
#include <gad/detail/shape_string.hpp>
#include <gad/io/archive.hpp>
#include <gad/io/checkpoint.hpp>
#include <gad/metrics/roc.hpp>
#include <gad/policy/detector.hpp>
#include <gad/policy/signature.hpp>
#include <gad/train/callbacks.hpp>
#include <gad/train/divergence_hint.hpp>
#include <gad/train/engine_base.hpp>
#include <gad/train/fit_data.hpp>
#include <gad/train/fit_loop.hpp>
#include <gad/train/fit_report.hpp>

#include <ATen/core/Generator.h>
#include <torch/nn/module.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace gad {

namespace alad_detail {

inline std::vector<double> to_doubles(const torch::Tensor& t) {
  const torch::Tensor c = t.to(torch::kCPU, torch::kDouble).contiguous();
  const double* p = c.data_ptr<double>();
  return std::vector<double>(p, p + c.numel());
}

}  // namespace alad_detail

template <class P>
class engine<family::bigan, P>
    : public train::engine_base<engine<family::bigan, P>, bigan_options> {
  using base_type = train::engine_base<engine, bigan_options>;
  friend base_type;

 public:
  using policy_type = P;
  using options_type = bigan_options;
  using scoring_type = typename P::scoring;
  static constexpr bool has_dxx = P::template has<disc::xx>;
  static constexpr bool has_dzz = P::template has<disc::zz>;
  static constexpr bool spectral = P::spectral;

  static_assert(std::is_same_v<typename P::latent_shift, shift::none>,
                "ALAD and EGBAD take no latent-shift policy: use gad::shift::none");
  /// The networks, with the normalization policy's layers where the family wraps them
  /// (gad/nn/normalized_layer.hpp); the generator is never normalized.
  using normalization = typename P::normalization;
  using encoder_type = nn::AladEncoder<normalization>;
  using dxz_type = nn::AladDxz<normalization>;
  using dxx_type = nn::AladDxx<normalization>;
  using dzz_type = nn::AladDzz<normalization>;

  /// The reference configuration of the discriminator set: alad_mnist_options() with D_xx,
  /// egbad_mnist_options() without.
  static bigan_options default_options() {
    return has_dxx ? alad_mnist_options() : egbad_mnist_options();
  }

  engine() : engine(default_options()) {}

  /// Validates the options, applies the run-time settings (threads, global seed, device) and
  /// builds the networks (and their averaged copies) from options.network.
  explicit engine(bigan_options options)
      : base_type((check(options), std::move(options))), nets_(this->options_.network) {
    for (auto* m : nets_.all_modules()) m->to(runtime_.device());
    initialize_networks();
  }

  // fit(), resume(), save(), load(), predict() and the threshold: train::engine_base. On CUDA
  // a resumed fit draws other dropout masks than the uninterrupted one would have: the
  // device's own generator, which F::dropout uses, is not saved.

  static std::string family_name() { return "bigan"; }
  static std::string signature() { return policy_signature<P>(); }
  static bigan_options read_options(const io::archive_reader& archive) {
    return io::read_bigan_options(archive, "options");
  }
  static void write_options(io::output_archive& a, const bigan_options& o) {
    io::write_options(a, "options", o);
  }

  // ---- Scoring ---------------------------------------------------------------------------

  /// Scores of the policy's rule as float32 [N] on the CPU; higher = more anomalous.
  /// `x` is [N, input_shape...] or [N, prod(input_shape)] on any device. The averaged networks
  /// run in eval mode (batch-norm running statistics, no dropout) without gradients, in batches
  /// of score_batch_size; their previous modes are restored. Not safe to call concurrently on
  /// one detector (the mode switch is shared state).
  torch::Tensor decision_function(const torch::Tensor& x) const {
    require_fitted("decision_function");
    return score(prepare(x, "decision_function", false));
  }

  /// Every rule this discriminator set supports, from one pass over `x`: ch, l1, l2, fm with
  /// D_xx (ALAD computes all four); egbad-fm, egbad-ch, l1, l2 without (plus the policy's own
  /// EGBAD rule when it is one and D_xx is present).
  named_scores all_scores(const torch::Tensor& x) const {
    require_fitted("all_scores");
    return score_rules(prepare(x, "all_scores", false), all_rules());
  }

  /// E(x) with the averaged encoder in eval mode: [N, latent_dim] on the CPU.
  torch::Tensor encode(const torch::Tensor& x) const {
    const torch::Tensor xs = prepare(x, "encode", false);
    torch::NoGradGuard no_grad;
    detail::mode_scope eval({nets_.ema_E.ptr().get()}, false);
    return detail::map_batches(xs, options_.score_batch_size,
                               [&](const torch::Tensor& xb) { return nets_.ema_E->forward(xb); });
  }

  /// G(E(x)) with the averaged networks in eval mode: [N, input_shape...] on the CPU.
  torch::Tensor reconstruct(const torch::Tensor& x) const {
    const torch::Tensor xs = prepare(x, "reconstruct", false);
    torch::NoGradGuard no_grad;
    detail::mode_scope eval({nets_.ema_E.ptr().get(), nets_.ema_G.ptr().get()}, false);
    return detail::map_batches(xs, options_.score_batch_size, [&](const torch::Tensor& xb) {
      return nets_.ema_G->forward(nets_.ema_E->forward(xb));
    });
  }

  // ---- Access ----------------------------------------------------------------------------

  /// The networks being trained. dxx() and dzz() exist only when the set contains them.
  encoder_type& encoder() noexcept { return nets_.E; }
  nn::AladGenerator& generator() noexcept { return nets_.G; }
  dxz_type& dxz() noexcept { return net<disc::xz>(); }
  template <class Set = typename P::discriminator_set>
  dxx_type& dxx() noexcept {
    static_assert(Set::template has<disc::xx>,
                  "dxx() needs a discriminator set that contains disc::xx");
    return net<disc::xx>();
  }
  template <class Set = typename P::discriminator_set>
  dzz_type& dzz() noexcept {
    static_assert(Set::template has<disc::zz>,
                  "dzz() needs a discriminator set that contains disc::zz");
    return net<disc::zz>();
  }
  /// Their moving averages, which score (D_zz scores nothing and has none).
  encoder_type& averaged_encoder() noexcept { return nets_.ema_E; }
  nn::AladGenerator& averaged_generator() noexcept { return nets_.ema_G; }
  dxz_type& averaged_dxz() noexcept { return averaged<disc::xz>(); }
  template <class Set = typename P::discriminator_set>
  dxx_type& averaged_dxx() noexcept {
    static_assert(Set::template has<disc::xx>,
                  "averaged_dxx() needs a discriminator set that contains disc::xx");
    return averaged<disc::xx>();
  }

  using base_type::device;
  using base_type::options;

  /// "ALAD" or "EGBAD", for messages.
  static std::string name() { return has_dxx ? "ALAD" : "EGBAD"; }

  /// The name under which all_scores() returns decision_function()'s rule, so that a caller
  /// who wants both makes one pass instead of two.
  static std::string score_name() { return scoring_type::name; }

  /// Names of the per-iteration and per-epoch loss columns: the discriminators' losses, their
  /// sum d, then g and e (each including the cycle terms, as the reference logs them).
  static std::vector<std::string> loss_names() {
    std::vector<std::string> names{"d_xz"};
    if constexpr (has_dxx) names.push_back("d_xx");
    if constexpr (has_dzz) names.push_back("d_zz");
    names.insert(names.end(), {"d", "g", "e"});
    return names;
  }

 private:
  using base_type::fitted_;
  using base_type::options_;
  using base_type::runtime_;
  using base_type::threshold_;

  using networks_type = bigan_networks<typename P::discriminator_set, normalization>;
  using score_view = bigan_score_view<typename P::discriminator_set, normalization>;
  using rule = bigan_rule<score_view>;
  using step_type = bigan_training_step<typename P::discriminator_set, normalization>;
  using fit_state = bigan_fit_state;

  static rule policy_rule() { return bigan_rule_of<scoring_type, score_view>(); }
  static std::vector<rule> all_rules() {
    return bigan_all_rules<scoring_type, score_view, has_dxx>();
  }
  step_type step() const { return step_type(options_, device(), nets_); }

  using fit_data = train::fit_data;  // x_train, x_val: [N, input_shape...] on the device

  fit_data prepare_fit(const data::dataset& train, const data::dataset* validation,
                       std::int64_t batch) const {
    return train::prepare_fit_data(
        name(), train, validation, batch,
        [&](const torch::Tensor& x, const std::string& what, bool training_set) {
          return prepare(x, "fit (" + what + ")", training_set);
        });
  }

  // The options' domains, and a validation_score this discriminator set can compute.
  static void check(const bigan_options& o) {
    validate(o);
    (void)validation_rule(o);
  }

  // Without labelled anomalies, validation is the mean score of held-out normals (the
  // reference's early-stopping "valid loss", there with fm), which a model that reconstructs
  // unseen normals well keeps low.
  static rule validation_rule(const bigan_options& o) {
    if (o.validation_score.empty()) return policy_rule();
    return bigan_rule_named(all_rules(), o.validation_score, "bigan_options: validation_score",
                            name());
  }

  std::unique_ptr<fit_state> fresh_state(const fit_data& data) const {
    auto st = std::make_unique<fit_state>(runtime_);
    st->opt = step().make_optimizers();
    st->loop.report.loss_names = loss_names();
    // From options_, which during a resume are already the checkpoint's.
    if (data.validation && data.y_val.empty()) {
      st->loop.report.criterion = {"mean " + std::string(validation_rule(options_).name) + " score",
                                   /*higher_is_better=*/false};
    }
    train::start_loop(st->loop, data, options_.batch_size);
    return st;
  }

  template <class... Callbacks>
  fit_report run(const fit_data& data, Callbacks&... callbacks) {
    fitted_ = false;
    for (auto* m : nets_.training_modules()) m->train();
    fit_state& st = *state_;
    train::loop_hooks hooks;
    const step_type s = step();
    hooks.begin_epoch = [&](int) { s.begin_epoch(st, data.x_train.size(0)); };
    hooks.iteration = [&](int, std::int64_t it, std::int64_t) {
      return s.iteration(st, data.x_train, it);
    };
    hooks.validate = [&](int epoch) { return validation_value(data.x_val, data.y_val, epoch); };
    hooks.snapshot = [&] { return snapshot_scoring_networks(); };
    return this->run_loop(std::move(hooks), st.loop, data.validation, data.x_train, callbacks...);
  }

  // Restores the best validated weights, if any, and ends the fit. Without a best checkpoint
  // the detector keeps the last weights when training completed, and is left unfitted when it
  // failed.
  fit_report end_fit(bool completed) {
    fit_report report = std::move(state_->loop.report);
    if (report.best_epoch >= 0) restore_scoring_networks(state_->loop.best);
    fitted_ = completed || report.best_epoch >= 0;
    state_.reset();
    for (auto* m : nets_.training_modules()) m->eval();
    return report;
  }

  void begin_fresh_fit(const fit_data& data) {
    torch::manual_seed(derive_seed(runtime_.seed(), "alad/dropout"));
    initialize_networks();
    state_ = fresh_state(data);
  }

  bool fitting() const noexcept { return state_ != nullptr; }

  void write_modules(io::output_archive& a) const {
    for (const auto& [key, module] : nets_.named_modules()) io::write_module(a, key, *module);
  }

  void write_training(io::output_archive& a) const {
    write_bigan_training<typename P::discriminator_set>(a, *state_);
  }

  // ---- Reading a file: the hooks of train::engine_base::load_archive ----------------------

  std::string network_mismatch(const bigan_options& stored) const {
    if (same_networks(stored.network, options_.network)) return {};
    return "its networks ('" + stored.network.name + "', latent " +
           std::to_string(stored.network.latent_dim) + ") differ from this detector's ('" +
           options_.network.name + "', latent " + std::to_string(options_.network.latent_dim) + ")";
  }
  static void check_options(const bigan_options& o) { check(o); }
  void stage_modules(const io::archive_reader& archive, io::staged_copies& copies) {
    for (const auto& [key, module] : nets_.named_modules())
      archive.stage_module(key, *module, copies);
  }

  std::unique_ptr<fit_state> read_training(const io::archive_reader& archive, const fit_data& data,
                                           io::staged_copies&) {
    std::unique_ptr<fit_state> st = fresh_state(data);
    read_bigan_training<typename P::discriminator_set>(archive, *st, snapshot_scoring_networks(),
                                                       device(), data.validation);
    return st;
  }
  void commit_training(fit_state& st) { commit_bigan_dropout(st); }
  void to_eval() {
    for (auto* m : nets_.all_modules()) m->eval();
  }

  // One "alad/init" stream, drawn in a fixed network order; the averages start as copies.
  void initialize_networks() {
    at::Generator init = runtime_.generator("alad/init");
    nets_.initialize(options_.network, init);
  }

  std::vector<std::vector<torch::Tensor>> snapshot_scoring_networks() const {
    std::vector<std::vector<torch::Tensor>> out;
    for (auto* m : nets_.scoring_modules()) out.push_back(detail::snapshot(*m));
    return out;
  }

  void restore_scoring_networks(const std::vector<std::vector<torch::Tensor>>& saved) {
    const auto modules = nets_.scoring_modules();
    for (std::size_t i = 0; i < modules.size(); ++i) detail::restore(*modules[i], saved[i]);
  }

  // AUROC with labels, else the mean score of the (all normal) validation samples.
  double validation_value(const torch::Tensor& x_val, const std::vector<int>& y_val, int epoch) {
    const torch::Tensor scores =
        y_val.empty() ? score_rules(x_val, {validation_rule(options_)}).front().second
                      : score(x_val);
    if (!detail::all_finite(scores)) {
      throw training_error(name() + " training diverged: non-finite validation scores after " +
                           "epoch " + std::to_string(epoch) + train::divergence_hint(device()));
    }
    if (y_val.empty()) return scores.to(torch::kDouble).mean().item<double>();
    return metrics::auroc(alad_detail::to_doubles(scores), y_val);
  }

  void require_fitted(const char* what) const {
    if (!fitted_) throw error(name() + ": " + what + "() called before a successful fit()");
  }

  torch::Tensor prepare(const torch::Tensor& x, const std::string& what, bool training) const {
    return alad_detail::prepare_input(options_.network, name() + " " + what + ": ", x, training)
        .to(device());
  }

  torch::Tensor score(const torch::Tensor& xs) const {
    return score_rules(xs, {policy_rule()}).front().second;
  }

  named_scores score_rules(const torch::Tensor& xs, const std::vector<rule>& rules) const {
    return bigan_score_rules<scoring_type>(options_, device(), nets_, xs, rules);
  }

  template <class Tag>
  nn::bigan_discriminator_t<Tag, normalization>& net() const {
    return nets_.template net<Tag>();
  }
  template <class Tag>
  nn::bigan_discriminator_t<Tag, normalization>& averaged() const {
    return nets_.template averaged<Tag>();
  }

  networks_type nets_;
  // Present while fit() or resume() runs, so that save() from a callback can write it.
  std::unique_ptr<fit_state> state_;
};

}  // namespace gad
