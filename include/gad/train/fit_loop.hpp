#pragma once
// The epoch loop every engine runs: iterations, per-epoch loss means, validation and
// best-checkpoint selection, callbacks, and the state that has to survive an interruption.
// Engines supply what differs (one iteration, the validation score, what a checkpoint holds)
// as a loop_hooks; the bookkeeping is written once here, so a resumed fit and a fresh one go
// through exactly the same code.
#include <gad/core/error.hpp>
#include <gad/io/archive.hpp>
#include <gad/train/callbacks.hpp>
#include <gad/train/fit_report.hpp>

#include <ATen/core/Generator.h>
#include <torch/types.h>

#include <c10/core/Device.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace gad::train {

/// Everything the loop itself carries across iterations. Engines keep it (with their
/// optimizers, generators and buffers) while a fit runs, so a checkpoint taken between epochs,
/// or inside one when the fit is stopped there, restarts the fit exactly where it stopped.
struct loop_state {
  int next_epoch = 0;          ///< first epoch not finished
  std::int64_t iteration = 0;  ///< iterations finished, over the whole fit
  /// Iterations of epoch next_epoch already run, when the fit stopped inside it (else 0), and
  /// the sums of their losses. Engines must then save the state their begin_epoch started
  /// from (the shuffle stream before the epoch's draw), so a resume can draw it again.
  std::int64_t in_epoch = 0;
  std::vector<double> partial_sums;
  fit_report report;  ///< filled as epochs finish
  /// Copies of the best validated weights (one list per network), empty while none.
  std::vector<std::vector<torch::Tensor>> best;
  double seconds_before = 0.0;  ///< training time spent before the last resume
  /// fit_data's fingerprints of the data this fit trains and validates on (empty: none).
  std::string data_fingerprint;
  std::string validation_fingerprint;
};

/// The random stream an engine draws its epoch shuffles from, and only those. It remembers its
/// state from before the current epoch's draw: a fit stopped inside an epoch saves that state,
/// and the resumed fit's begin_epoch draws the very same shuffle again.
struct shuffle_stream {
  explicit shuffle_stream(at::Generator g) : gen(std::move(g)) {}
  at::Generator gen;
  torch::Tensor epoch_start;

  /// Call at the start of begin_epoch, before drawing.
  void begin_epoch() { epoch_start = gen.get_state(); }
  void write(io::output_archive& a, const std::string& key, const loop_state& loop) const {
    if (loop.in_epoch > 0) {
      a.write(key, epoch_start);
    } else {
      io::write_generator(a, key, gen);
    }
  }
  void read(const io::archive_reader& r, const std::string& key) { r.read_generator(key, gen); }
};

/// The engine-specific parts of an epoch loop.
struct loop_hooks {
  int epochs = 0;
  int validate_every = 1;
  bool validation = false;  ///< a validation set was given
  /// Called before an epoch's iterations (to draw its shuffles).
  std::function<void(int epoch)> begin_epoch;
  /// One training iteration; returns its losses in report.loss_names order as a 1-D tensor
  /// that may stay on the training device: the loop reads it to the host and checks it.
  std::function<torch::Tensor(int epoch, std::int64_t in_epoch, std::int64_t overall)> iteration;
  /// How many iterations' losses may wait on the device before the loop reads them in one
  /// transfer (see loss_read_interval); they are always read before an epoch ends.
  std::int64_t read_losses_every = 1;
  /// Names the detector in the message of a non-finite loss ("ALGAN", "ALAD", ...).
  std::string family = "gad";
  /// Ends that message (train::divergence_hint of the training device).
  std::string divergence_hint;
  /// The value of state.report.criterion for the current weights on the validation set.
  std::function<double(int epoch)> validate;
  /// Whether a validation after `epoch` may become the best checkpoint.
  std::function<bool(int epoch)> eligible;
  /// Copies of the weights to keep when a validation is the best so far.
  std::function<std::vector<std::vector<torch::Tensor>>()> snapshot;
  /// Writes a resumable checkpoint of the whole training state.
  std::function<void(const std::filesystem::path&)> save;
};

/// How many iterations the loop lets pass between two reads of the losses on `device`. On the
/// CPU a read costs nothing, so every iteration is read and a non-finite loss stops training
/// in the iteration that produced it. On a GPU each read waits for the queued kernels, so the
/// losses stay there for up to 32 iterations: a non-finite loss is still reported with the
/// exact iteration that produced it, but up to 31 further iterations may run before the
/// report. Checkpoints are written only at epoch ends, after the epoch's losses were read, so
/// none ever holds weights from after a non-finite loss.
inline std::int64_t loss_read_interval(const c10::Device& device) {
  return device.is_cpu() ? 1 : 32;
}

/// Throws training_error when one of `values` (one iteration's losses) is NaN or infinite;
/// `hint` (train::divergence_hint) ends the message.
inline void check_losses_finite(const std::string& family, const std::vector<std::string>& names,
                                const std::vector<double>& values, int epoch, std::int64_t in_epoch,
                                std::int64_t overall, const std::string& hint = "") {
  for (std::size_t k = 0; k < values.size(); ++k) {
    if (std::isfinite(values[k])) continue;
    throw training_error(family + " training diverged: loss " + names[k] + " is " +
                         std::to_string(values[k]) + " at epoch " + std::to_string(epoch) +
                         ", iteration " + std::to_string(in_epoch) + " (iteration " +
                         std::to_string(overall) +
                         " overall); the detector keeps the best checkpoint selected so far, "
                         "if any, and is otherwise left unfitted" + hint);
  }
}

/// Runs epochs state.next_epoch .. hooks.epochs - 1 (or until a callback asks to stop) and
/// keeps `state` current after every complete epoch, and after the iteration where a stop
/// was asked: a stop inside an epoch skips that epoch's end and validation, records the
/// position in `state` and offers one last checkpoint (checkpoint_info::inside_epoch).
template <class... Callbacks>
void run_fit_loop(const loop_hooks& hooks, loop_state& state, Callbacks&... callbacks) {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  const int first_epoch = state.next_epoch;
  const auto seconds_since = [](clock::time_point t) {
    return std::chrono::duration<double>(clock::now() - t).count();
  };
  fit_report& report = state.report;
  const std::int64_t per_epoch = report.iterations_per_epoch;

  // Gives a checkpoint callback the means to write the state as it is now.
  const auto offer_checkpoint = [&](checkpoint_info c) {
    c.epochs = hooks.epochs;
    c.save = [&](const std::filesystem::path& path) {
      const double before = state.seconds_before;
      state.seconds_before += seconds_since(start);
      try {
        hooks.save(path);
      } catch (...) {
        state.seconds_before = before;
        throw;
      }
      state.seconds_before = before;
    };
    return notify_checkpoint(c, callbacks...);
  };

  bool stop = false;
  for (int epoch = state.next_epoch; epoch < hooks.epochs && !stop; ++epoch) {
    const auto epoch_start = clock::now();
    hooks.begin_epoch(epoch);
    const std::size_t width = report.loss_names.size();
    std::vector<double> sums(width, 0.0);
    std::int64_t it = 0;
    if (state.in_epoch > 0) {  // resuming inside this epoch
      if (state.partial_sums.size() != width || state.in_epoch >= per_epoch) {
        throw std::logic_error("gad: inconsistent loop state for a resume inside an epoch");
      }
      it = state.in_epoch;
      sums = state.partial_sums;
      state.in_epoch = 0;
      state.partial_sums.clear();
    }
    // Losses of the iterations since the last read, still on the device; the first of them is
    // iteration `pending_from` of the epoch and `pending_overall` of the fit.
    std::vector<torch::Tensor> pending;
    std::int64_t pending_from = 0;
    std::int64_t pending_overall = 0;
    const auto read_pending = [&] {
      if (pending.empty()) return;
      const torch::Tensor rows = torch::stack(pending).to(torch::kCPU, torch::kDouble).contiguous();
      const double* p = rows.data_ptr<double>();
      const auto count = static_cast<std::int64_t>(pending.size());
      for (std::int64_t r = 0; r < count; ++r) {
        const std::vector<double> values(p + r * static_cast<std::int64_t>(width),
                                         p + (r + 1) * static_cast<std::int64_t>(width));
        const std::int64_t in_epoch = pending_from + r;
        const std::int64_t overall = pending_overall + r;
        check_losses_finite(hooks.family, report.loss_names, values, epoch, in_epoch, overall,
                            hooks.divergence_hint);
        for (std::size_t k = 0; k < width; ++k) sums[k] += values[k];
        if constexpr (sizeof...(Callbacks) > 0) {
          iteration_info info;
          info.epoch = epoch;
          info.epochs = hooks.epochs;
          info.iteration = overall;
          info.iteration_in_epoch = in_epoch;
          info.iterations_per_epoch = per_epoch;
          info.losses = named(report.loss_names, values);
          stop = notify_iteration_end(info, callbacks...) || stop;
        }
      }
      pending.clear();
    };
    for (; it < per_epoch && !stop; ++it, ++state.iteration) {
      torch::Tensor losses = hooks.iteration(epoch, it, state.iteration).detach().reshape({-1});
      if (static_cast<std::size_t>(losses.numel()) != width) {
        throw std::logic_error("gad: a training iteration returned " +
                               std::to_string(losses.numel()) + " losses for " +
                               std::to_string(width) + " names");
      }
      if (pending.empty()) {
        pending_from = it;
        pending_overall = state.iteration;
      }
      pending.push_back(std::move(losses));
      if (static_cast<std::int64_t>(pending.size()) >= hooks.read_losses_every) read_pending();
    }
    read_pending();
    if (it < per_epoch) {
      // Stopped inside the epoch: it has no end, no mean and no validation yet; the state is
      // that of the next iteration, which a resume continues with.
      state.next_epoch = epoch;
      state.in_epoch = it;
      state.partial_sums = sums;
      report.iterations = state.iteration;
      checkpoint_info c;
      c.epoch = epoch;
      c.inside_epoch = true;
      c.stopping = true;
      offer_checkpoint(c);
      break;
    }
    for (auto& s : sums) s /= static_cast<double>(per_epoch);
    report.epoch_losses.push_back(sums);
    report.epochs_run = epoch + 1;
    report.iterations = state.iteration;

    epoch_info info;
    info.epoch = epoch;
    info.epochs = hooks.epochs;
    info.iterations = state.iteration;
    info.losses = named(report.loss_names, sums);
    info.epoch_seconds = seconds_since(epoch_start);
    const double this_run = seconds_since(start);
    info.elapsed_seconds = state.seconds_before + this_run;
    info.eta_seconds =
        this_run / (epoch + 1 - first_epoch) * static_cast<double>(hooks.epochs - epoch - 1);
    stop = notify_epoch_end(info, callbacks...) || stop;

    bool improved = false;
    if (hooks.validation && (epoch + 1) % hooks.validate_every == 0) {
      const auto val_start = clock::now();
      validation_info v;
      v.epoch = epoch;
      v.criterion = report.criterion.name;
      v.value = hooks.validate(epoch);
      v.eligible = hooks.eligible(epoch);
      v.selected = record_validation(report, epoch, v.value, v.eligible,
                                     state.seconds_before + seconds_since(start));
      if (v.selected) state.best = hooks.snapshot();
      improved = v.selected;
      v.best_epoch = report.best_epoch;
      v.best_value = report.best_validation_value;
      v.seconds = seconds_since(val_start);
      stop = notify_validation(v, callbacks...) || stop;
    }
    state.next_epoch = epoch + 1;

    checkpoint_info c;
    c.epoch = epoch;
    c.improved = improved;
    c.stopping = stop && epoch + 1 < hooks.epochs;
    stop = offer_checkpoint(c) || stop;
  }
  report.stopped_early = stop;
  state.seconds_before += seconds_since(start);
  report.wall_seconds = state.seconds_before;
}

// ---- Checkpoint sections --------------------------------------------------------------------

/// Writes `state` under `key`.
inline void write_loop_state(io::output_archive& archive, const std::string& key,
                             const loop_state& state) {
  io::output_archive mine = io::nested_archive(archive);
  const fit_report& r = state.report;
  mine.write("next_epoch", c10::IValue(static_cast<std::int64_t>(state.next_epoch)));
  mine.write("iteration", c10::IValue(state.iteration));
  mine.write("seconds_before", c10::IValue(state.seconds_before));
  mine.write("in_epoch", c10::IValue(state.in_epoch));
  mine.write("partial_losses", c10::IValue(state.partial_sums));
  mine.write("best_epoch", c10::IValue(static_cast<std::int64_t>(r.best_epoch)));
  // The keys keep their first names, from when AUROC was the only criterion, so that older
  // checkpoints still load; a file without "criterion" was selected by AUROC.
  mine.write("best_validation_auroc", c10::IValue(r.best_validation_value));
  mine.write("criterion", c10::IValue(r.criterion.name));
  mine.write("criterion_higher_is_better", c10::IValue(r.criterion.higher_is_better));
  mine.write("iterations_per_epoch", c10::IValue(r.iterations_per_epoch));
  if (!state.data_fingerprint.empty()) {
    mine.write("data_fingerprint", c10::IValue(state.data_fingerprint));
  }
  if (!state.validation_fingerprint.empty()) {
    mine.write("validation_fingerprint", c10::IValue(state.validation_fingerprint));
  }
  mine.write("loss_count", c10::IValue(static_cast<std::int64_t>(r.loss_names.size())));
  std::vector<double> losses;
  for (const auto& row : r.epoch_losses) losses.insert(losses.end(), row.begin(), row.end());
  mine.write("epoch_losses", c10::IValue(losses));
  std::vector<std::int64_t> v_epoch;
  std::vector<std::int64_t> v_eligible;
  std::vector<double> v_auroc;
  std::vector<double> v_seconds;
  for (const auto& v : r.validations) {
    v_epoch.push_back(v.epoch);
    v_eligible.push_back(v.eligible ? 1 : 0);
    v_auroc.push_back(v.value);
    v_seconds.push_back(v.elapsed_seconds);
  }
  mine.write("validation_epochs", c10::IValue(v_epoch));
  mine.write("validation_eligible", c10::IValue(v_eligible));
  mine.write("validation_aurocs", c10::IValue(v_auroc));
  mine.write("validation_seconds", c10::IValue(v_seconds));
  io::output_archive best = io::nested_archive(mine);
  best.write("count", c10::IValue(static_cast<std::int64_t>(state.best.size())));
  for (std::size_t m = 0; m < state.best.size(); ++m) {
    io::output_archive net = io::nested_archive(best);
    net.write("count", c10::IValue(static_cast<std::int64_t>(state.best[m].size())));
    for (std::size_t i = 0; i < state.best[m].size(); ++i) {
      net.write(std::to_string(i), state.best[m][i].to(torch::kCPU));
    }
    best.write(std::to_string(m), net);
  }
  mine.write("best", best);
  archive.write(key, mine);
}

/// Reads what write_loop_state wrote into `state`, whose report must already carry the loss
/// names and iterations per epoch of the current fit (they are checked against the file).
/// `like` gives the shapes the best-weight copies must have; they are moved to `device`.
/// With `validating`, the report's criterion (that of the resumed fit's validation set) must be
/// the one the checkpoint's validations used.
inline void read_loop_state(const io::archive_reader& archive, const std::string& key,
                            loop_state& state, const std::vector<std::vector<torch::Tensor>>& like,
                            const c10::Device& device, bool validating) {
  const io::archive_reader mine = archive.child(key);
  fit_report& r = state.report;
  const std::int64_t per_epoch = mine.read_int("iterations_per_epoch");
  if (per_epoch != r.iterations_per_epoch) {
    mine.fail("the checkpoint was made with " + std::to_string(per_epoch) +
              " iterations per epoch, this training set gives " +
              std::to_string(r.iterations_per_epoch) +
              " (resume with the same training set and batch size)");
  }
  // `state` carries the fingerprints of the data handed to resume(); files written before
  // fingerprints were recorded have none and are not checked, and a resume without a
  // validation set (allowed: it keeps the recorded history) has none to compare.
  const auto same_data = [&](const char* key, const std::string& now, const char* what) {
    if (!mine.has(key) || now.empty()) return;
    const std::string stored = mine.read_string(key);
    if (stored != now) {
      mine.fail(std::string("it was trained on other data than the ") + what +
                " given now (fingerprint " + stored + ", now " + now +
                "): resume with the same data, split and seed as the interrupted fit");
    }
  };
  same_data("data_fingerprint", state.data_fingerprint, "training set");
  const std::int64_t n_losses = mine.read_int("loss_count");
  if (n_losses != static_cast<std::int64_t>(r.loss_names.size())) {
    mine.fail("the checkpoint logs " + std::to_string(n_losses) + " losses, this detector " +
              std::to_string(r.loss_names.size()));
  }
  state.next_epoch = static_cast<int>(mine.read_int("next_epoch"));
  state.iteration = mine.read_int("iteration");
  state.seconds_before = mine.read_double("seconds_before");
  // Files written before fits could stop inside an epoch lack these: they resume at a boundary.
  state.in_epoch = mine.has("in_epoch") ? mine.read_int("in_epoch") : 0;
  state.partial_sums =
      mine.has("partial_losses") ? mine.read_doubles("partial_losses") : std::vector<double>{};
  if (state.in_epoch < 0 || state.in_epoch >= per_epoch ||
      (state.in_epoch > 0 && state.partial_sums.size() != static_cast<std::size_t>(n_losses))) {
    mine.fail("its position inside epoch " + std::to_string(state.next_epoch + 1) +
              " is inconsistent");
  }
  r.best_epoch = static_cast<int>(mine.read_int("best_epoch"));
  r.best_validation_value = mine.read_double("best_validation_auroc");
  validation_criterion stored;
  if (mine.has("criterion")) {
    stored.name = mine.read_string("criterion");
    stored.higher_is_better = mine.read_bool("criterion_higher_is_better");
  }
  const auto v_epoch = mine.read_ints("validation_epochs");
  // A resume without a validation set keeps the recorded history as it was measured; one with
  // a validation set must measure the same thing, or the best checkpoint would be chosen by
  // two rules at once (a file without validations has nothing to conflict with).
  if (!validating) {
    r.criterion = stored;
  } else if (stored != r.criterion && !v_epoch.empty()) {
    mine.fail("its validations measured " + stored.name + ", this validation set gives " +
              r.criterion.name +
              " (resume with the same kind of validation set: with anomalies for AUROC, "
              "normal samples only for the mean score)");
  }
  // After the criterion: another kind of validation set is the clearer message.
  same_data("validation_fingerprint", state.validation_fingerprint, "validation set");
  const std::vector<double> losses = mine.read_doubles("epoch_losses");
  if (n_losses == 0 || losses.size() != static_cast<std::size_t>(state.next_epoch * n_losses)) {
    mine.fail("epoch_losses does not hold one row per finished epoch");
  }
  r.epoch_losses.clear();
  for (std::size_t i = 0; i < losses.size(); i += static_cast<std::size_t>(n_losses)) {
    r.epoch_losses.emplace_back(losses.begin() + static_cast<std::ptrdiff_t>(i),
                                losses.begin() + static_cast<std::ptrdiff_t>(i + n_losses));
  }
  r.epochs_run = state.next_epoch;
  r.iterations = state.iteration;
  const auto v_eligible = mine.read_ints("validation_eligible");
  const auto v_auroc = mine.read_doubles("validation_aurocs");
  // Checkpoints written before the times were recorded lack them; those validations get NaN.
  const auto v_seconds =
      mine.has("validation_seconds")
          ? mine.read_doubles("validation_seconds")
          : std::vector<double>(v_epoch.size(), std::numeric_limits<double>::quiet_NaN());
  if (v_eligible.size() != v_epoch.size() || v_auroc.size() != v_epoch.size() ||
      v_seconds.size() != v_epoch.size()) {
    mine.fail("the validation lists differ in length");
  }
  r.validations.clear();
  for (std::size_t i = 0; i < v_epoch.size(); ++i) {
    r.validations.push_back(
        {static_cast<int>(v_epoch[i]), v_auroc[i], v_eligible[i] != 0, v_seconds[i]});
  }
  const io::archive_reader best = mine.child("best");
  const std::int64_t count = best.read_int("count");
  state.best.clear();
  if (count == 0) return;
  if (count != static_cast<std::int64_t>(like.size())) {
    best.fail("holds " + std::to_string(count) + " networks, this detector " +
              std::to_string(like.size()));
  }
  for (std::size_t m = 0; m < like.size(); ++m) {
    const io::archive_reader net = best.child(std::to_string(m));
    if (net.read_int("count") != static_cast<std::int64_t>(like[m].size())) {
      net.fail("the best-weight copy of network " + std::to_string(m) +
               " has another number of tensors");
    }
    std::vector<torch::Tensor> tensors;
    for (std::size_t i = 0; i < like[m].size(); ++i) {
      tensors.push_back(
          net.read_tensor(std::to_string(i), like[m][i].sizes(), like[m][i].scalar_type())
              .to(device));
    }
    state.best.push_back(std::move(tensors));
  }
}

}  // namespace gad::train
