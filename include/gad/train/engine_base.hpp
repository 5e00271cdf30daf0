#pragma once
// What every training engine does the same way around its own networks and training step:
// fit from scratch, resume a saved fit, save, load, threshold and the run-time accessors.
// The engines (gad/algan/engine.hpp, gad/alad/engine.hpp) derive from engine_base<Engine,
// Options> (CRTP) and keep only what differs between families. Keeping this in one place
// means a fix to, say, resume()'s data preparation cannot reach one family and miss the other.
//
// An Engine provides, to its friend engine_base:
//   static std::string name(), family_name(), signature();
//   static Options read_options(const io::archive_reader&);
//   static void write_options(io::output_archive&, const Options&);
//     (the engine's own, so that the overload for its options is the one found)
//   fit_data prepare_fit(train, validation, batch_size) const;
//   void begin_fresh_fit(const fit_data&);       // initialize weights, create the fit state
//   fit_report run(const fit_data&, Callbacks&...);   // builds its loop hooks, calls run_loop
//   fit_report end_fit(bool completed);               // restores the best weights, drops the state
//   bool fitting() const;                        // a fit state exists (fit() or resume() runs)
//   void write_modules(io::output_archive&) const;
//   void write_training(io::output_archive&) const;
// and, for reading a file (load_archive below):
//   std::string network_mismatch(const Options& stored) const;  // "" when the shapes match
//   static void check_options(const Options&);   // throws gad::invalid_argument
//   void stage_modules(const io::archive_reader&, io::staged_copies&);
//   std::unique_ptr<fit_state> read_training(const io::archive_reader&, const fit_data&,
//                                            io::staged_copies&);
//   void commit_training(fit_state&);            // what must wait until the file checked out
//   void to_eval();                              // every network in eval mode
//   std::unique_ptr<fit_state> state_;
#include <gad/core/error.hpp>
#include <gad/core/runtime.hpp>
#include <gad/core/threads.hpp>
#include <gad/data/dataset.hpp>
#include <gad/data/preprocessing.hpp>
#include <gad/io/archive.hpp>
#include <gad/io/checkpoint.hpp>
#include <gad/metrics/tensor.hpp>
#include <gad/train/callbacks.hpp>
#include <gad/train/divergence_hint.hpp>
#include <gad/train/fit_loop.hpp>
#include <gad/train/fit_report.hpp>

#include <c10/core/Device.h>
#include <torch/types.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>

namespace gad::train {

template <class Engine, class Options>
class engine_base {
 public:
  /// Trains from freshly initialized weights (a second fit() repeats the first) on `train`;
  /// its labels are ignored, as training data is taken to be normal.
  ///
  /// With a `validation` set (labels 1 = anomalous, both classes present) the detector is
  /// validated every options().validate_every epochs, and at the end holds the weights of the
  /// best validation AUROC at or after options().select_from_epoch (ties go to the later
  /// epoch), else those of the last epoch. A validation set of normals alone (all-0 labels or
  /// none) selects by the family's label-free criterion (fit_report::criterion names it).
  /// Callbacks: gad/train/callbacks.hpp (a hook that returns true stops);
  /// gad/train/checkpoints.hpp has ones that save resumable checkpoints.
  ///
  /// Throws gad::invalid_argument for unusable data and gad::training_error when a loss
  /// becomes non-finite; the detector then keeps the best validated weights so far, or is
  /// left unfitted when there were none.
  template <class... Callbacks>
  fit_report fit(const data::dataset& train, const data::dataset* validation = nullptr,
                 Callbacks&&... callbacks) {
    check_callbacks<Callbacks...>();
    Engine& self = derived();
    const auto data = self.prepare_fit(train, validation, options_.batch_size);
    set_threads(runtime_.threads());
    self.begin_fresh_fit(data);
    return self.run(data, callbacks...);
  }

  /// Continues the fit saved in `checkpoint` (written during fit() by a checkpoint callback)
  /// on the same data, with the result the uninterrupted fit would have given (bit for bit on
  /// the CPU with the same thread count). Options come from the checkpoint, the device and
  /// thread count from this detector. Throws gad::checkpoint_error, leaving the detector as it
  /// was, when the file is not a resumable checkpoint of this detector type and shapes.
  template <class... Callbacks>
  fit_report resume(const std::filesystem::path& checkpoint, const data::dataset& train,
                    const data::dataset* validation = nullptr, Callbacks&&... callbacks) {
    check_callbacks<Callbacks...>();
    Engine& self = derived();
    const io::archive_reader archive(checkpoint);
    if (!archive.has("training")) {
      archive.fail(
          "it holds no training state (it was saved after fit() had finished); load() it to "
          "score, or fit() again");
    }
    // The stored batch size decides whether the data is large enough, not this detector's.
    const Options stored = Engine::read_options(archive);
    const auto data = self.prepare_fit(train, validation, stored.batch_size);
    set_threads(runtime_.threads());
    data::preprocessing recorded = data::preprocessing_io::read(archive, "preprocessing");
    load_archive(archive, &data);
    preprocessing_ = std::move(recorded);
    return self.run(data, callbacks...);
  }

  /// Writes the detector (format version, policies, options, threshold, weights) to `path`
  /// atomically. Called during a fit (from a callback) it also writes what resume() needs:
  /// optimizer states, random streams and history.
  void save(const std::filesystem::path& path) const {
    const Engine& self = derived();
    io::output_archive a;
    io::write_header(a, Engine::family_name(), Engine::signature());
    Engine::write_options(a, options_);
    a.write("threshold", c10::IValue(threshold_));
    a.write("fitted", c10::IValue(fitted_ || self.fitting()));
    self.write_modules(a);
    if (self.fitting()) self.write_training(a);
    if (preprocessing_.recorded())
      data::preprocessing_io::write(a, "preprocessing", preprocessing_);
    io::write_atomically(a, path);
  }

  /// Loads weights, options and threshold saved by save(). The seed, device and thread count
  /// stay this detector's. Fails with gad::checkpoint_error, leaving the detector unchanged,
  /// when the file is missing, corrupt, or was written by a detector of other policies or
  /// networks.
  void load(const std::filesystem::path& path) {
    const io::archive_reader archive(path);
    data::preprocessing recorded = data::preprocessing_io::read(archive, "preprocessing");
    load_archive<typename Engine::fit_data>(archive, nullptr);
    preprocessing_ = std::move(recorded);
  }

  /// How the training inputs were read (see gad/data/preprocessing.hpp); saved with the model
  /// when recorded, and restored by load(). Not recorded unless set.
  const data::preprocessing& preprocessing() const noexcept { return preprocessing_; }
  void set_preprocessing(data::preprocessing p) { preprocessing_ = std::move(p); }

  /// 1 (anomalous) where decision_function(x) >= threshold(), else 0 (metrics::is_anomalous,
  /// the rule every metric uses); int64 [N] on the CPU.
  torch::Tensor predict(const torch::Tensor& x) const {
    return metrics::flag_anomalies(derived().decision_function(x), threshold_).to(torch::kLong);
  }

  double threshold() const noexcept { return threshold_; }
  void set_threshold(double threshold) {
    if (!std::isfinite(threshold)) {
      throw invalid_argument(Engine::name() + " set_threshold: threshold must be finite, got " +
                             std::to_string(threshold));
    }
    threshold_ = threshold;
  }

  bool is_fitted() const noexcept { return fitted_; }

  const Options& options() const noexcept { return options_; }
  const c10::Device& device() const noexcept { return runtime_.device(); }
  std::uint64_t seed() const noexcept { return runtime_.seed(); }
  int threads() const noexcept { return runtime_.threads(); }

 protected:
  /// Applies the run-time settings of `options` (threads, global seed, device); the engine
  /// validates them first.
  explicit engine_base(Options options)
      : options_(std::move(options)), runtime_(options_.runtime), threshold_(options_.threshold) {}

  /// Runs the engine's training loop (`hooks` with its begin_epoch, iteration, validate and
  /// snapshot set) and what follows it in every engine: the fit ends through
  /// Engine::end_fit (also when the loop throws), the contamination threshold is taken from the
  /// training scores, and the callbacks hear of the end.
  template <class... Callbacks>
  fit_report run_loop(loop_hooks hooks, loop_state& loop, bool validation,
                      const torch::Tensor& x_train, Callbacks&... callbacks) {
    Engine& self = derived();
    hooks.epochs = options_.epochs;
    hooks.validate_every = options_.validate_every;
    hooks.validation = validation;
    // select_from_epoch counts epochs run: with 32, the validation after the 32nd epoch is the
    // first that may be kept (the rule of the ALGAN reference code).
    hooks.eligible = [this](int epoch) { return epoch + 1 >= options_.select_from_epoch; };
    hooks.save = [this](const std::filesystem::path& path) { save(path); };
    hooks.read_losses_every = loss_read_interval(device());
    hooks.family = Engine::name();
    hooks.divergence_hint = divergence_hint(device());
    try {
      run_fit_loop(hooks, loop, callbacks...);
    } catch (...) {
      self.end_fit(/*completed=*/false);
      throw;
    }
    fit_report report = self.end_fit(/*completed=*/true);
    if (options_.contamination) {
      threshold_ = metrics::threshold_from_contamination(self.decision_function(x_train),
                                                         *options_.contamination);
    }
    report.threshold = threshold_;
    notify_train_end(train_end_of(report), callbacks...);
    return report;
  }

  // Reads everything first and changes the detector only once the whole file checked out.
  // With `data` (resume) the training section is required and becomes the live fit state.
  template <class FitData>
  void load_archive(const io::archive_reader& archive, const FitData* data) {
    Engine& self = derived();
    io::check_header(archive, Engine::family_name(), Engine::signature());
    Options stored = Engine::read_options(archive);
    const std::string mismatch = self.network_mismatch(stored);
    if (!mismatch.empty()) archive.fail(mismatch);
    // The seed, device and thread count stay this detector's; load_detector() builds a
    // detector from the stored ones.
    stored.runtime = options_.runtime;
    try {
      Engine::check_options(stored);
    } catch (const invalid_argument& e) {
      archive.fail(std::string("its options are invalid: ") + e.what());
    }
    const double threshold = archive.read_double("threshold");
    const bool fitted = archive.read_bool("fitted");
    io::staged_copies copies;
    self.stage_modules(archive, copies);

    decltype(self.state_) st;
    if (data != nullptr) {
      // The fit state is built for the stored options (batch size, EMA, buffers).
      const Options current = std::exchange(options_, stored);
      try {
        st = self.read_training(archive, *data, copies);
      } catch (...) {
        options_ = current;
        throw;
      }
      options_ = current;
    }
    // Commit.
    copies.apply();
    options_ = std::move(stored);
    threshold_ = threshold;
    fitted_ = fitted;
    if (st) self.commit_training(*st);
    self.state_ = std::move(st);
    self.to_eval();
  }

  template <class... Callbacks>
  static void check_callbacks() {
    static_assert((is_callback_v<Callbacks> && ...),
                  "every callback passed to fit() must define at least one of on_iteration_end, "
                  "on_epoch_end, on_validation, on_checkpoint or on_train_end, callable on a "
                  "non-const object");
  }

  Options options_;
  runtime runtime_;
  double threshold_ = 0.0;
  bool fitted_ = false;
  data::preprocessing preprocessing_;

 private:
  Engine& derived() noexcept { return static_cast<Engine&>(*this); }
  const Engine& derived() const noexcept { return static_cast<const Engine&>(*this); }
};

}  // namespace gad::train
