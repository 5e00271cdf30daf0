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
#include <gad/alad/discriminator_nets.hpp>
#include <gad/alad/ema.hpp>
#include <gad/alad/input.hpp>
#include <gad/alad/losses.hpp>
#include <gad/alad/networks.hpp>
#include <gad/alad/options.hpp>
#include <gad/alad/options_io.hpp>
#include <gad/alad/scores.hpp>
#include <gad/core/error.hpp>
#include <gad/core/precision.hpp>
#include <gad/core/random.hpp>
#include <gad/core/runtime.hpp>
#include <gad/core/threads.hpp>
#include <gad/data/dataset.hpp>
#include <gad/detail/module_state.hpp>
#include <gad/detail/shape_string.hpp>
#include <gad/io/archive.hpp>
#include <gad/io/checkpoint.hpp>
#include <gad/metrics/roc.hpp>
#include <gad/policy/detector.hpp>
#include <gad/policy/signature.hpp>
#include <gad/train/callbacks.hpp>
#include <gad/train/engine_base.hpp>
#include <gad/train/fit_loop.hpp>
#include <gad/train/fit_report.hpp>
#include <gad/train/optimizers.hpp>
#include <gad/train/validation_labels.hpp>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/core/Generator.h>
#include <c10/util/Optional.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/optim/adam.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace gad {

/// Scores by rule name ("ch", "l1", "l2", "fm", "egbad-fm", "egbad-ch"), each float32 [N].
using named_scores = std::vector<std::pair<std::string, torch::Tensor>>;

namespace alad_detail {

using detail::all_finite;
using detail::frozen_batch_stats;
using detail::frozen_parameters;
using detail::mode_scope;
using detail::restore;
using detail::snapshot;

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
  explicit engine(bigan_options options) : base_type((check(options), std::move(options))) {
    const nn::architecture& a = options_.network;
    E_ = encoder_type(a);
    G_ = nn::AladGenerator(a);
    net<disc::xz>() = dxz_type(a);
    ema_E_ = encoder_type(a);
    ema_G_ = nn::AladGenerator(a);
    averaged<disc::xz>() = dxz_type(a);
    if constexpr (has_dxx) {
      net<disc::xx>() = dxx_type(a);
      averaged<disc::xx>() = dxx_type(a);
    }
    if constexpr (has_dzz) net<disc::zz>() = dzz_type(a);
    for (auto* m : all_modules()) m->to(runtime_.device());
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
    alad_detail::mode_scope eval({ema_E_.ptr().get()}, false);
    return batched(xs, [&](const torch::Tensor& xb) { return ema_E_->forward(xb); });
  }

  /// G(E(x)) with the averaged networks in eval mode: [N, input_shape...] on the CPU.
  torch::Tensor reconstruct(const torch::Tensor& x) const {
    const torch::Tensor xs = prepare(x, "reconstruct", false);
    torch::NoGradGuard no_grad;
    alad_detail::mode_scope eval({ema_E_.ptr().get(), ema_G_.ptr().get()}, false);
    return batched(xs,
                   [&](const torch::Tensor& xb) { return ema_G_->forward(ema_E_->forward(xb)); });
  }

  // ---- Access ----------------------------------------------------------------------------

  /// The networks being trained. dxx() and dzz() exist only when the set contains them.
  encoder_type& encoder() noexcept { return E_; }
  nn::AladGenerator& generator() noexcept { return G_; }
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
  encoder_type& averaged_encoder() noexcept { return ema_E_; }
  nn::AladGenerator& averaged_generator() noexcept { return ema_G_; }
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

  class score_view;

  // A scoring rule as the run time sees it: all_scores() and options().validation_score pick
  // rules by name.
  struct rule {
    const char* name;
    torch::Tensor (*compute)(const score_view&);
  };

  template <class S>
  static rule rule_of() {
    return {S::name, [](const score_view& v) -> torch::Tensor {
              // Without a compute() only score_rules' static_assert speaks.
              if constexpr (detail::has_compute<S, score_view>::value) {
                return S::compute(v);
              } else {
                return torch::Tensor();
              }
            }};
  }

  static rule policy_rule() { return rule_of<scoring_type>(); }

  // What all_scores() reports: ALAD's four rules with D_xx, EGBAD's two and the
  // reconstruction norms without, and the policy's own rule where it is none of those (EGBAD's
  // with D_xx, or a rule of the user's).
  static std::vector<rule> all_rules() {
    std::vector<rule> rules;
    if constexpr (has_dxx) {
      rules = {rule_of<score::ch>(), rule_of<score::l1>(), rule_of<score::l2>(),
               rule_of<score::fm>()};
    } else {
      rules = {rule_of<score::egbad<score::egbad_term::fm>>(),
               rule_of<score::egbad<score::egbad_term::ch>>(), rule_of<score::l1>(),
               rule_of<score::l2>()};
    }
    const std::string own = scoring_type::name;
    if (std::none_of(rules.begin(), rules.end(), [&](const rule& r) { return own == r.name; })) {
      rules.push_back(policy_rule());
    }
    return rules;
  }

  struct optimizers {
    std::unique_ptr<torch::optim::Adam> e, g, dxz, dxx, dzz;
  };

  // Validated tensors of one fit() or resume() call.
  struct fit_data {
    torch::Tensor x_train;  // [N, input_shape...] on the device
    torch::Tensor x_val;
    std::vector<int> y_val;  // empty when the validation set holds only normals
    bool validation = false;
  };

  // What a fit carries between epochs besides the weights; saved by save() during a fit.
  struct fit_state {
    explicit fit_state(const runtime& rt)
        : shuffle(rt.generator("alad/shuffle")), latent(rt.generator("alad/latent")) {}
    train::loop_state loop;
    optimizers opt;
    train::shuffle_stream shuffle;
    at::Generator latent;
    torch::Tensor order_d;  // this epoch's shuffles, one per step
    torch::Tensor order_g;
    torch::Tensor dropout_state;  // read from a checkpoint, set by commit_training()
  };

  fit_data prepare_fit(const data::dataset& train, const data::dataset* validation,
                       std::int64_t batch) const {
    fit_data d;
    d.x_train = prepare(train.images, "fit (training set)", true);
    const std::int64_t n_train = d.x_train.size(0);
    if (n_train == 0) throw invalid_argument(name() + " fit: the training set is empty");
    if (batch > n_train) {
      throw invalid_argument(name() + " fit: batch_size " + std::to_string(batch) +
                             " is larger than the training set (" + std::to_string(n_train) +
                             " samples); lower batch_size");
    }
    if (validation != nullptr) {
      d.x_val = prepare(validation->images, "fit (validation set)", false);
      d.y_val = train::validation_labels(*validation, d.x_val.size(0), name());
      d.validation = true;
    }
    return d;
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
    std::string known;
    for (rule r : all_rules()) {
      if (o.validation_score == r.name) return r;
      known += std::string(known.empty() ? "" : ", ") + r.name;
    }
    throw invalid_argument("bigan_options: validation_score '" + o.validation_score +
                           "' is not a rule " + name() + " computes (" + known + ")");
  }

  std::unique_ptr<fit_state> fresh_state(const fit_data& data) const {
    auto st = std::make_unique<fit_state>(runtime_);
    st->opt = make_optimizers();
    st->loop.report.loss_names = loss_names();
    // From options_, which during a resume are already the checkpoint's.
    if (data.validation && data.y_val.empty()) {
      st->loop.report.criterion = {"mean " + std::string(validation_rule(options_).name) + " score",
                                   /*higher_is_better=*/false};
    }
    // the tail is dropped, as in the reference
    st->loop.report.iterations_per_epoch = data.x_train.size(0) / options_.batch_size;
    return st;
  }

  template <class... Callbacks>
  fit_report run(const fit_data& data, Callbacks&... callbacks) {
    fitted_ = false;
    for (auto* m : training_modules()) m->train();
    fit_state& st = *state_;
    train::loop_hooks hooks;
    hooks.begin_epoch = [&](int) {
      // Two independent shuffles: the D step and the G/E step see different samples.
      const auto long_cpu = torch::TensorOptions().dtype(torch::kLong);
      const std::int64_t n = data.x_train.size(0);
      st.shuffle.begin_epoch();
      st.order_d = host_to_device(torch::randperm(n, st.shuffle.gen, long_cpu), device());
      st.order_g = host_to_device(torch::randperm(n, st.shuffle.gen, long_cpu), device());
    };
    hooks.iteration = [&](int, std::int64_t it, std::int64_t) {
      const std::int64_t batch = options_.batch_size;
      const auto rows = [&](const torch::Tensor& order) {
        return data.x_train.index_select(0, order.slice(0, it * batch, (it + 1) * batch));
      };
      std::vector<torch::Tensor> values =
          discriminator_step(st.opt, rows(st.order_d), draw_latents(st.latent));
      const std::vector<torch::Tensor> ge =
          generator_encoder_step(st.opt, rows(st.order_g), draw_latents(st.latent));
      values.insert(values.end(), ge.begin(), ge.end());
      return torch::stack(values);
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
    for (auto* m : training_modules()) m->eval();
    return report;
  }

  // Every network under its checkpoint key, the averaged copies included.
  std::vector<std::pair<std::string, torch::nn::Module*>> named_modules() const {
    std::vector<std::pair<std::string, torch::nn::Module*>> out{
        {"encoder", E_.ptr().get()},
        {"generator", G_.ptr().get()},
        {"dxz", net<disc::xz>().ptr().get()}};
    if constexpr (has_dxx) out.emplace_back("dxx", net<disc::xx>().ptr().get());
    if constexpr (has_dzz) out.emplace_back("dzz", net<disc::zz>().ptr().get());
    out.emplace_back("averaged_encoder", ema_E_.ptr().get());
    out.emplace_back("averaged_generator", ema_G_.ptr().get());
    out.emplace_back("averaged_dxz", averaged<disc::xz>().ptr().get());
    if constexpr (has_dxx) out.emplace_back("averaged_dxx", averaged<disc::xx>().ptr().get());
    return out;
  }

  // The optimizers with their checkpoint keys (those of absent discriminators are left out).
  static std::vector<std::pair<const char*, torch::optim::Adam*>> named_optimizers(
      const optimizers& o) {
    std::vector<std::pair<const char*, torch::optim::Adam*>> out{
        {"opt_e", o.e.get()}, {"opt_g", o.g.get()}, {"opt_dxz", o.dxz.get()}};
    if constexpr (has_dxx) out.emplace_back("opt_dxx", o.dxx.get());
    if constexpr (has_dzz) out.emplace_back("opt_dzz", o.dzz.get());
    return out;
  }

  void begin_fresh_fit(const fit_data& data) {
    torch::manual_seed(derive_seed(runtime_.seed(), "alad/dropout"));
    initialize_networks();
    state_ = fresh_state(data);
  }

  bool fitting() const noexcept { return state_ != nullptr; }

  void write_modules(io::output_archive& a) const {
    for (const auto& [key, module] : named_modules()) io::write_module(a, key, *module);
  }

  void write_training(io::output_archive& a) const {
    const fit_state& st = *state_;
    io::output_archive t = io::nested_archive(a);
    train::write_loop_state(t, "loop", st.loop);
    for (const auto& [key, opt] : named_optimizers(st.opt)) train::write_optimizer(t, key, *opt);
    st.shuffle.write(t, "shuffle", st.loop);
    io::write_generator(t, "latent", st.latent);
    // Dropout draws from LibTorch's global CPU generator (F::dropout takes no generator).
    io::write_generator(t, "dropout", at::detail::getDefaultCPUGenerator());
    a.write("training", t);
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
    for (const auto& [key, module] : named_modules()) archive.stage_module(key, *module, copies);
  }

  std::unique_ptr<fit_state> read_training(const io::archive_reader& archive, const fit_data& data,
                                           io::staged_copies&) {
    const io::archive_reader t = archive.child("training");
    std::unique_ptr<fit_state> st = fresh_state(data);
    train::read_loop_state(t, "loop", st->loop, snapshot_scoring_networks(), device(),
                           data.validation);
    for (const auto& [key, opt] : named_optimizers(st->opt)) train::read_optimizer(t, key, *opt);
    st->shuffle.read(t, "shuffle");
    t.read_generator("latent", st->latent);
    // Tried on a scratch generator now; the global one changes only in commit_training().
    st->dropout_state = t.read_tensor("dropout");
    try {
      at::Generator scratch = at::detail::createCPUGenerator();
      scratch.set_state(st->dropout_state);
    } catch (const std::exception& e) {
      t.fail(std::string("'training/dropout' is not a valid generator state: ") + e.what());
    }
    return st;
  }

  // Dropout draws from LibTorch's global CPU generator (F::dropout takes no generator).
  void commit_training(fit_state& st) {
    at::Generator dropout = at::detail::getDefaultCPUGenerator();
    dropout.set_state(st.dropout_state);
  }
  void to_eval() {
    for (auto* m : all_modules()) m->eval();
  }

  std::vector<torch::nn::Module*> training_modules() const {
    std::vector<torch::nn::Module*> out{E_.ptr().get(), G_.ptr().get(),
                                        net<disc::xz>().ptr().get()};
    if constexpr (has_dxx) out.push_back(net<disc::xx>().ptr().get());
    if constexpr (has_dzz) out.push_back(net<disc::zz>().ptr().get());
    return out;
  }

  std::vector<torch::nn::Module*> scoring_modules() const {
    std::vector<torch::nn::Module*> out{ema_E_.ptr().get(), ema_G_.ptr().get(),
                                        averaged<disc::xz>().ptr().get()};
    if constexpr (has_dxx) out.push_back(averaged<disc::xx>().ptr().get());
    return out;
  }

  std::vector<torch::nn::Module*> all_modules() const {
    auto out = training_modules();
    const auto more = scoring_modules();
    out.insert(out.end(), more.begin(), more.end());
    return out;
  }

  // One "alad/init" stream, drawn in a fixed network order; the averages start as copies.
  void initialize_networks() {
    at::Generator init = runtime_.generator("alad/init");
    const nn::architecture& a = options_.network;
    E_->initialize(a, init);
    G_->initialize(a, init);
    net<disc::xz>()->initialize(a, init);
    if constexpr (has_dxx) net<disc::xx>()->initialize(a, init);
    if constexpr (has_dzz) net<disc::zz>()->initialize(a, init);
    nn::ema_reset(*ema_E_, *E_);
    nn::ema_reset(*ema_G_, *G_);
    nn::ema_reset(*averaged<disc::xz>(), *net<disc::xz>());
    if constexpr (has_dxx) nn::ema_reset(*averaged<disc::xx>(), *net<disc::xx>());
    for (auto* m : scoring_modules()) m->eval();
  }

  optimizers make_optimizers() const {
    const auto adam = [&](torch::nn::Module& m) {
      return train::make_adam(m, options_.learning_rate, options_.adam_beta1, options_.adam_beta2,
                              options_.adam_eps);
    };
    optimizers o;
    o.e = adam(*E_);
    o.g = adam(*G_);
    o.dxz = adam(*net<disc::xz>());
    if constexpr (has_dxx) o.dxx = adam(*net<disc::xx>());
    if constexpr (has_dzz) o.dzz = adam(*net<disc::zz>());
    return o;
  }

  // z ~ N(0, I) drawn on the CPU and moved, so one seed gives the same latents on every device.
  torch::Tensor draw_latents(at::Generator& gen) const {
    return host_to_device(torch::randn({options_.batch_size, options_.network.latent_dim}, gen),
                          device());
  }

  // Updates D_xz, D_xx and D_zz from one forward pass, each with its own optimizer; returns
  // their losses and the sum, on the device (the fit loop reads and checks them).
  std::vector<torch::Tensor> discriminator_step(optimizers& opt, const torch::Tensor& x,
                                                const torch::Tensor& z) {
    // Logits of each discriminator on its real and its fake pair, as float32 for the losses.
    std::array<torch::Tensor, 2> xz, xx, zz;
    {
      // Ends before backward() and the optimizer steps (see precision_scope).
      precision_scope mixed(options_.compute_precision, device());
      torch::Tensor z_enc, x_gen, x_rec, z_rec;
      {
        // E and G run in training mode (batch statistics) but, as in the reference, only their
        // own step moves their running statistics.
        torch::NoGradGuard no_grad;
        alad_detail::frozen_batch_stats keep_e(*E_);
        alad_detail::frozen_batch_stats keep_g(*G_);
        z_enc = E_->forward(x);
        x_gen = G_->forward(z);
        if constexpr (has_dxx) x_rec = G_->forward(z_enc);
        if constexpr (has_dzz) z_rec = E_->forward(x_gen);
      }
      xz = {float_logits(net<disc::xz>()->forward(x, z_enc)),
            float_logits(net<disc::xz>()->forward(x_gen, z))};
      if constexpr (has_dxx) {
        xx = {float_logits(net<disc::xx>()->forward(x, x)),
              float_logits(net<disc::xx>()->forward(x, x_rec))};
      }
      if constexpr (has_dzz) {
        zz = {float_logits(net<disc::zz>()->forward(z, z)),
              float_logits(net<disc::zz>()->forward(z, z_rec))};
      }
    }
    opt.dxz->zero_grad();
    const torch::Tensor loss_xz = losses::pair_discriminator_loss(xz[0], xz[1]);
    torch::Tensor total = loss_xz;
    std::vector<torch::Tensor> values{loss_xz.detach()};
    if constexpr (has_dxx) {
      opt.dxx->zero_grad();
      const torch::Tensor loss_xx = losses::pair_discriminator_loss(xx[0], xx[1]);
      total = total + loss_xx;
      values.push_back(loss_xx.detach());
    }
    if constexpr (has_dzz) {
      opt.dzz->zero_grad();
      const torch::Tensor loss_zz = losses::pair_discriminator_loss(zz[0], zz[1]);
      total = total + loss_zz;
      values.push_back(loss_zz.detach());
    }
    values.push_back(total.detach());
    // The three losses share no parameters, so one backward gives each network its own gradient.
    total.backward();
    opt.dxz->step();
    nn::ema_update(*averaged<disc::xz>(), *net<disc::xz>(), options_.ema_decay);
    if constexpr (has_dxx) {
      opt.dxx->step();
      nn::ema_update(*averaged<disc::xx>(), *net<disc::xx>(), options_.ema_decay);
    }
    if constexpr (has_dzz) opt.dzz->step();
    return values;
  }

  // Updates G and E from one forward pass against the just-updated discriminators. Both losses
  // contain the cycle terms, which depend on both networks, so each network takes the gradient
  // of its own loss only.
  std::vector<torch::Tensor> generator_encoder_step(optimizers& opt, const torch::Tensor& x,
                                                    const torch::Tensor& z) {
    alad_detail::frozen_parameters freeze_xz(*net<disc::xz>());
    alad_detail::frozen_batch_stats keep_xz(*net<disc::xz>());
    std::unique_ptr<alad_detail::frozen_parameters> freeze_xx, freeze_zz;
    std::unique_ptr<alad_detail::frozen_batch_stats> keep_xx, keep_zz;
    if constexpr (has_dxx) {
      freeze_xx = std::make_unique<alad_detail::frozen_parameters>(*net<disc::xx>());
      keep_xx = std::make_unique<alad_detail::frozen_batch_stats>(*net<disc::xx>());
    }
    if constexpr (has_dzz) {
      freeze_zz = std::make_unique<alad_detail::frozen_parameters>(*net<disc::zz>());
      keep_zz = std::make_unique<alad_detail::frozen_batch_stats>(*net<disc::zz>());
    }

    torch::Tensor l_enc, l_gen;
    std::array<torch::Tensor, 2> xx, zz;
    {
      precision_scope mixed(options_.compute_precision, device());
      const torch::Tensor z_enc = E_->forward(x);
      const torch::Tensor x_gen = G_->forward(z);
      l_enc = float_logits(net<disc::xz>()->forward(x, z_enc));
      l_gen = float_logits(net<disc::xz>()->forward(x_gen, z));
      if constexpr (has_dxx) {
        const torch::Tensor x_rec = G_->forward(z_enc);
        xx = {float_logits(net<disc::xx>()->forward(x, x)),
              float_logits(net<disc::xx>()->forward(x, x_rec))};
      }
      if constexpr (has_dzz) {
        const torch::Tensor z_rec = E_->forward(x_gen);
        zz = {float_logits(net<disc::zz>()->forward(z, z)),
              float_logits(net<disc::zz>()->forward(z, z_rec))};
      }
    }
    torch::Tensor cycle;
    if constexpr (has_dxx) cycle = losses::cycle_loss(xx[0], xx[1]);
    if constexpr (has_dzz) cycle = cycle + losses::cycle_loss(zz[0], zz[1]);
    const torch::Tensor loss_g = losses::bigan_generator_loss(l_gen, cycle);
    const torch::Tensor loss_e = losses::bigan_encoder_loss(l_enc, cycle);
    const std::vector<torch::Tensor> values{loss_g.detach(), loss_e.detach()};

    const auto apply = [](const torch::Tensor& loss, torch::nn::Module& net, bool retain) {
      auto params = net.parameters();
      auto grads = torch::autograd::grad({loss}, params, {}, retain, false,
                                         /*allow_unused=*/true);
      for (std::size_t i = 0; i < params.size(); ++i) params[i].mutable_grad() = grads[i];
    };
    apply(loss_g, *G_, /*retain=*/true);
    apply(loss_e, *E_, /*retain=*/false);
    opt.g->step();
    opt.e->step();
    nn::ema_update(*ema_G_, *G_, options_.ema_decay);
    nn::ema_update(*ema_E_, *E_, options_.ema_decay);
    return values;
  }

  std::vector<std::vector<torch::Tensor>> snapshot_scoring_networks() const {
    std::vector<std::vector<torch::Tensor>> out;
    for (auto* m : scoring_modules()) out.push_back(alad_detail::snapshot(*m));
    return out;
  }

  void restore_scoring_networks(const std::vector<std::vector<torch::Tensor>>& saved) {
    const auto modules = scoring_modules();
    for (std::size_t i = 0; i < modules.size(); ++i) alad_detail::restore(*modules[i], saved[i]);
  }

  // AUROC with labels, else the mean score of the (all normal) validation samples.
  double validation_value(const torch::Tensor& x_val, const std::vector<int>& y_val, int epoch) {
    const torch::Tensor scores =
        y_val.empty() ? score_rules(x_val, {validation_rule(options_)}).front().second
                      : score(x_val);
    if (!alad_detail::all_finite(scores)) {
      throw training_error(name() + " training diverged: non-finite validation scores after " +
                           "epoch " + std::to_string(epoch));
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

  // Discriminator outputs as float32 (a no-op in float32 precision): losses and scores are
  // computed in float32 whatever precision the networks ran in.
  static torch::Tensor float_logits(const nn::discriminator_output& o) {
    return o.logits.to(torch::kFloat);
  }
  static nn::discriminator_output float_output(nn::discriminator_output o) {
    o.logits = o.logits.to(torch::kFloat);
    if (o.features.defined()) o.features = o.features.to(torch::kFloat);
    return o;
  }

  // Runs `f` on batches of score_batch_size and concatenates the results on the CPU.
  template <class F>
  torch::Tensor batched(const torch::Tensor& xs, F&& f) const {
    const std::int64_t n = xs.size(0);
    const std::int64_t step = options_.score_batch_size;
    std::vector<torch::Tensor> parts;
    for (std::int64_t i = 0; i < n; i += step) {
      parts.push_back(f(xs.slice(0, i, std::min(n, i + step))).to(torch::kCPU));
    }
    if (parts.empty()) return f(xs).to(torch::kCPU);
    return torch::cat(parts, 0);
  }

  torch::Tensor score(const torch::Tensor& xs) const {
    return score_rules(xs, {policy_rule()}).front().second;
  }

  named_scores score_rules(const torch::Tensor& xs, const std::vector<rule>& rules) const {
    static_assert(detail::has_compute<scoring_type, score_view>::value,
                  "the scoring rule needs `template <class View> static auto compute(const View& "
                  "v)`, returning one score per sample of v's batch");
    named_scores out;
    const std::int64_t n = xs.size(0);
    if (n == 0) {
      for (const rule& r : rules) out.emplace_back(r.name, torch::empty({0}, torch::kFloat));
      return out;
    }
    torch::NoGradGuard no_grad;
    alad_detail::mode_scope eval(scoring_modules(), false);
    std::vector<std::vector<torch::Tensor>> parts(rules.size());
    const std::int64_t step = options_.score_batch_size;
    for (std::int64_t i = 0; i < n; i += step) {
      // One view per batch: the networks run once, for the first rule that needs them.
      const score_view view(*this, xs.slice(0, i, std::min(n, i + step)));
      for (std::size_t k = 0; k < rules.size(); ++k) {
        parts[k].push_back(rules[k].compute(view).to(torch::kCPU, torch::kFloat));
      }
    }
    for (std::size_t k = 0; k < rules.size(); ++k) {
      out.emplace_back(rules[k].name, torch::cat(parts[k], 0));
    }
    return out;
  }

  // What a scoring rule's compute() reads (gad/policy/scoring.hpp), for one batch: the
  // averaged networks' outputs, computed on first use in the options' precision and handed
  // out as float32, and the arithmetic the rules share.
  class score_view {
   public:
    score_view(const engine& e, torch::Tensor x) : e_(e), x_(std::move(x)) {}

    const torch::Tensor& x() const { return x_; }
    const bigan_options& options() const { return e_.options_; }
    const torch::Tensor& reconstruction() const {
      run_encoder_generator();
      return rec_float_;
    }
    const nn::discriminator_output& dxx_real() const {
      run_dxx();
      return xx_real_;
    }
    const nn::discriminator_output& dxx_fake() const {
      run_dxx();
      return xx_fake_;
    }
    const nn::discriminator_output& dxz_real() const {
      run_dxz();
      return xz_real_;
    }
    const nn::discriminator_output& dxz_fake() const {
      run_dxz();
      return xz_fake_;
    }
    torch::Tensor row_norm(const torch::Tensor& t, double degree) const {
      return scoring::row_norm(t, degree);
    }
    torch::Tensor softplus(const torch::Tensor& t) const {
      return torch::nn::functional::softplus(t);
    }

   private:
    void run_encoder_generator() const {
      if (rec_.defined()) return;
      precision_scope mixed(e_.options_.compute_precision, e_.device());
      z_ = e_.ema_E_->forward(x_);
      rec_ = e_.ema_G_->forward(z_);
      rec_float_ = rec_.to(torch::kFloat);
    }
    void run_dxx() const {
      static_assert(has_dxx,
                    "this scoring rule reads D_xx: list part::dxx_pair in its needs, and use it "
                    "with a discriminator set that contains disc::xx");
      if (xx_real_.logits.defined()) return;
      run_encoder_generator();
      precision_scope mixed(e_.options_.compute_precision, e_.device());
      xx_real_ = float_output(e_.template averaged<disc::xx>()->forward(x_, x_));
      xx_fake_ = float_output(e_.template averaged<disc::xx>()->forward(x_, rec_));
    }
    void run_dxz() const {
      if (xz_real_.logits.defined()) return;
      run_encoder_generator();
      precision_scope mixed(e_.options_.compute_precision, e_.device());
      // EGBAD pairs the same latent E(x) with x and with its reconstruction.
      xz_real_ = float_output(e_.template averaged<disc::xz>()->forward(x_, z_));
      xz_fake_ = float_output(e_.template averaged<disc::xz>()->forward(rec_, z_));
    }

    const engine& e_;
    torch::Tensor x_;
    mutable torch::Tensor z_, rec_, rec_float_;
    mutable nn::discriminator_output xx_real_, xx_fake_, xz_real_, xz_fake_;
  };

  // The discriminator `Tag` of the set, and its moving average.
  template <class Tag>
  nn::bigan_discriminator_t<Tag, normalization>& net() const {
    return D_.template get<Tag>();
  }
  template <class Tag>
  nn::bigan_discriminator_t<Tag, normalization>& averaged() const {
    return ema_D_.template get<Tag>();
  }

  // Mutable: scoring is logically const but switches the averaged networks to eval mode for
  // the duration of the call.
  mutable encoder_type E_{nullptr};
  mutable nn::AladGenerator G_{nullptr};
  mutable encoder_type ema_E_{nullptr};
  mutable nn::AladGenerator ema_G_{nullptr};
  // Exactly the discriminators the set names, and the averages of those that score.
  mutable nn::discriminator_nets<typename P::discriminator_set, normalization> D_;
  mutable nn::discriminator_nets<nn::averaged_set_t<typename P::discriminator_set>, normalization>
      ema_D_;
  // Present while fit() or resume() runs, so that save() from a callback can write it.
  std::unique_ptr<fit_state> state_;
};

}  // namespace gad
