#pragma once
// The commands, written once for any detector type D; detector_list<Ds...> picks the D that a
// command's policies name. Each family's list is instantiated in its own translation unit
// (detectors_*.cpp) so that the tool's build spreads over cores.
#include "option_flags.hpp"
#include "requests.hpp"
#include "results.hpp"

#include <gad/core/error.hpp>
#include <gad/io/atomic_file.hpp>
#include <gad/io/checkpoint.hpp>
#include <gad/io/folder_lock.hpp>
#include <gad/policy/signature.hpp>
#include <gad/report/csv_loss_log.hpp>
#include <gad/report/plot/image_grid.hpp>
#include <gad/report/progress_bar.hpp>
#include <gad/train/callbacks.hpp>
#include <gad/train/checkpoints.hpp>
#include <gad/train/early_stopping.hpp>
#include <gad/train/signal_stop.hpp>
#include <gad/train/stop_request.hpp>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>

namespace gad_cli {

namespace fs = std::filesystem;

template <class D>
inline constexpr bool is_algan_v = std::is_same_v<typename D::options_type, gad::algan_options>;

template <class D>
bool selected_by(const policy_choice& c) {
  using P = typename D::policy_type;
  return c.discriminators ==
             gad::detail::discriminator_names<typename P::discriminator_set>::get() &&
         c.normalization == gad::policy_name<typename P::normalization>::value &&
         c.scoring == gad::policy_name<typename P::scoring>::value &&
         c.latent_shift == gad::policy_name<typename P::latent_shift>::value;
}

/// The tool's callbacks in one object, because which of them run is decided at run time.
struct cli_callbacks {
  std::optional<gad::report::progress_bar> bar;
  std::optional<gad::report::csv_loss_log> log;
  std::optional<gad::train::checkpoint_every> checkpoints;
  std::optional<gad::train::early_stopping> early_stop;
  gad::train::stop_request* stop = nullptr;    // set by SIGINT / SIGTERM
  std::filesystem::path interrupt_checkpoint;  // written when a signal stops the fit

  bool on_iteration_end(const gad::train::iteration_info& i) {
    if (bar) bar->on_iteration_end(i);
    if (log) log->on_iteration_end(i);
    return stop != nullptr && stop->requested();
  }
  void on_epoch_end(const gad::train::epoch_info& e) {
    if (bar) bar->on_epoch_end(e);
    if (log) log->on_epoch_end(e);
  }
  bool on_validation(const gad::train::validation_info& v) {
    if (bar) bar->on_validation(v);
    return early_stop && early_stop->on_validation(v);
  }
  void on_checkpoint(const gad::train::checkpoint_info& c) {
    if (checkpoints) {
      checkpoints->on_checkpoint(c);  // saves a stopping fit too
    } else if (c.stopping && stop != nullptr && stop->requested()) {
      c.save(interrupt_checkpoint);
    }
  }
  void on_train_end(const gad::train::train_end_info& t) {
    if (bar) bar->on_train_end(t);
    if (log) log->on_train_end(t);
  }
};

using gad::report::seconds_since;

inline json runtime_json(const c10::Device& device, int threads, std::uint64_t seed) {
  return json{{"device", device.str()},
              {"threads", threads},
              {"hardware_threads", std::thread::hardware_concurrency()},
              {"seed", seed}};
}

inline json sizes_json(const gad::data::split& s) {
  const auto count = [](const gad::data::dataset& d, std::int64_t label) -> std::int64_t {
    return d.empty() ? 0 : d.labels.eq(label).sum().item<std::int64_t>();
  };
  return json{{"train", s.train.size()},
              {"validation_normal", count(s.validation, 0)},
              {"validation_anomalous", count(s.validation, 1)},
              {"test_normal", count(s.test, 0)},
              {"test_anomalous", count(s.test, 1)}};
}

// Metrics, scores.csv and figures of `detector` on `test`; returns the metrics. Families with
// several scoring rules report the AUROC of each, from the same single pass.
template <class D>
json evaluate_on(const D& detector, const gad::data::dataset& test, const output_flags& out,
                 const std::string& what) {
  if (test.empty()) throw gad::invalid_argument("the test set is empty");
  const auto start = std::chrono::steady_clock::now();
  torch::Tensor scores;
  json rules = json::object();
  if constexpr (is_algan_v<D>) {
    scores = detector.decision_function(test.images);
  } else {
    for (const auto& [name, rule_scores] : detector.all_scores(test.images)) {
      rules[name] = gad::metrics::auroc(rule_scores, test.labels);
      if (name == D::score_name()) scores = rule_scores;
    }
  }
  const torch::Tensor predictions =
      gad::metrics::flag_anomalies(scores, detector.threshold()).to(torch::kLong);
  const double score_seconds = seconds_since(start);
  json metrics = metrics_json(scores, test.labels, predictions, detector.threshold());
  metrics["score_seconds"] = score_seconds;
  if (!rules.empty()) metrics["auroc_by_rule"] = rules;
  write_scores_csv(fs::path(out.dir) / "scores.csv", scores, predictions, test.labels,
                   test.classes);
  if (!out.no_plots) write_score_figures(out.dir, scores, test.labels, what);
  return metrics;
}

inline void say(const output_flags& out, const std::string& line) {
  if (!out.quiet) std::cerr << line << std::endl;
}

// ---- train ----------------------------------------------------------------------------------

// With --resume: the options saved in the checkpoint (networks and schedule must be those of
// the interrupted run; only where it runs may change), else nothing.
template <class D>
c10::optional<typename D::options_type> resumed_options(const train_request& r) {
  if (r.resume.empty()) return c10::nullopt;
  auto saved = D::read_options(gad::io::archive_reader(r.resume));
  const auto& given = std::get<typename D::options_type>(r.options);
  saved.runtime.threads = given.runtime.threads;
  saved.runtime.device = given.runtime.device;
  for (const auto& field : r.given) {
    if (field != "threads" && field != "device") {
      std::cerr << "gad: --" << field << " is ignored with --resume (the checkpoint's value "
                << "is used)" << std::endl;
    }
  }
  return saved;
}

// The options of a fresh fit: the flags, completed from the data.
template <class D>
typename D::options_type train_options(const train_request& r, const gad::data::split& split) {
  auto options = std::get<typename D::options_type>(r.options);
  const auto& images = split.train.images;
  if constexpr (is_algan_v<D>) {
    // Image sizes follow the data unless given explicitly; a table's rows are 1 x 1 x F.
    const bool rows = images.dim() == 2;
    if (!r.given.count("channels")) options.channels = rows ? 1 : images.size(1);
    if (!r.given.count("height")) options.height = rows ? 1 : images.size(2);
    if (!r.given.count("width")) options.width = rows ? images.size(1) : images.size(3);
    // --architecture conv alone takes the conv preset's channel counts, not the MLP's widths.
    if (options.architecture == gad::algan_architecture::conv) {
      const gad::algan_options preset = gad::algan_conv_options();
      if (!r.given.count("generator_hidden")) options.generator_hidden = preset.generator_hidden;
      if (!r.given.count("discriminator_hidden")) {
        options.discriminator_hidden = preset.discriminator_hidden;
      }
    }
  } else {
    // An image folder of another size or RGB gets the conv networks built for it (28x28x1
    // keeps the MNIST presets).
    if (!r.data.images.empty()) {
      const std::int64_t size = images.size(2);
      const std::int64_t channels = images.size(1);
      options.network = r.model == "egbad" ? gad::nn::egbad_image_architecture(size, channels)
                                           : gad::nn::alad_image_architecture(size, channels);
    }
    // A table trains ALAD's KDD networks on its features, with that configuration's settings
    // where the command line gives none.
    if (!r.data.table.file.empty()) {
      const gad::bigan_options kdd = gad::alad_kdd_options(images.size(1));
      options.network = kdd.network;
      if (!r.given.count("learning_rate")) options.learning_rate = kdd.learning_rate;
      if (!r.given.count("batch_size")) options.batch_size = kdd.batch_size;
      if (!r.given.count("contamination") && !r.given.count("threshold")) {
        options.contamination = kdd.contamination;
      }
    }
  }
  if (r.given.count("threshold")) {
    if (r.given.count("contamination")) {
      throw gad::invalid_argument("give --threshold or --contamination, not both");
    }
    options.contamination = c10::nullopt;  // an explicit threshold is the one used
  }
  return options;
}

template <class D>
int run_train(const train_request& r) {
  const auto start = std::chrono::steady_clock::now();
  const output_flags& out = r.output;
  fs::create_directories(out.dir);
  // One run per output folder: a second one fails here, before it touches the first's files.
  const gad::io::folder_lock lock(out.dir);
  // What a run killed inside a write left behind; the lock says none of it is still in use.
  gad::io::remove_stale_temporaries(out.dir);
  const auto resumed = resumed_options<D>(r);
  const fs::path checkpoint = fs::path(out.dir) / "checkpoint.gad";
  // Hours of training may live in that file: only the run it belongs to may replace it (an
  // interrupted run writes it even without --checkpoint-every).
  gad::train::refuse_to_overwrite(checkpoint, r.resume);
  // A resumed run must see the split it was trained on, which its own seed made.
  const std::uint64_t seed =
      resumed ? resumed->runtime.seed
              : std::visit([](const auto& o) { return o.runtime.seed; }, r.options);
  gad::data::preprocessing table_record;
  const gad::data::split split = load_split(r.data, seed, is_algan_v<D>, nullptr, &table_record);
  if (split.train.empty()) throw gad::invalid_argument("the training set is empty");
  D detector(resumed ? *resumed : train_options<D>(r, split));
  // Saved with the model, so `gad score --images <folder>` or `--csv` reads new data the same
  // way.
  if (!r.data.images.empty()) detector.set_preprocessing(gad::data::record(r.data.image));
  if (!r.data.table.file.empty()) detector.set_preprocessing(table_record);
  const gad::data::dataset* validation = split.validation.empty() ? nullptr : &split.validation;
  say(out, r.model + " (" + D::signature() + ")\n  data " + data_source(r.data) + ", " +
               split.protocol + "\n  train " + std::to_string(split.train.size()) +
               ", validation " + std::to_string(split.validation.size()) + ", test " +
               std::to_string(split.test.size()) + "; device " + detector.device().str() +
               ", threads " + std::to_string(detector.threads()) + ", seed " +
               std::to_string(detector.seed()));

  cli_callbacks callbacks;
  if (!out.quiet) callbacks.bar.emplace(std::cerr);
  // Resuming this folder's own checkpoint continues its loss log; a checkpoint from elsewhere
  // did not write that log, so it starts anew.
  callbacks.log.emplace(fs::path(out.dir) / "loss_log.csv",
                        gad::train::resumes_checkpoint(checkpoint, r.resume)
                            ? gad::report::log_start::continued
                            : gad::report::log_start::fresh);
  if (r.checkpoint_every > 0) callbacks.checkpoints.emplace(checkpoint, r.checkpoint_every);
  if (r.early_stop > 0) callbacks.early_stop.emplace(r.early_stop);
  // Ctrl-C or kill: finish the iteration, save the model and a resumable checkpoint, exit
  // 130 / 143; a second signal quits at once.
  gad::train::stop_request stop;
  std::optional<gad::train::stop_on_signals> signals(std::in_place, stop);
  callbacks.stop = &stop;
  callbacks.interrupt_checkpoint = checkpoint;

  gad::fit_report report;
  try {
    report = r.resume.empty() ? detector.fit(split.train, validation, callbacks)
                              : detector.resume(r.resume, split.train, validation, callbacks);
  } catch (const gad::training_error&) {
    if (r.checkpoint_every > 0 && fs::exists(checkpoint)) {
      std::cerr << "gad: the training state of the last complete save is kept in "
                << checkpoint.string() << "; --resume " << checkpoint.string()
                << " continues from it" << std::endl;
    }
    throw;
  }
  // From here on Ctrl-C ends the process at once: there is no training left to stop.
  const int signal = signals->received();
  const int interrupted_status = signals->exit_status();
  signals.reset();
  const fs::path model = fs::path(out.dir) / "model.gad";
  detector.save(model);
  if (signal != 0) {
    json summary{{"command", r.command_line},
                 {"model", r.model},
                 {"policies", D::signature()},
                 {"model_file", model.string()},
                 {"interrupted_by", signal == SIGINT ? "SIGINT" : "SIGTERM"},
                 {"checkpoint", checkpoint.string()},
                 {"fit", fit_json(report)}};
    write_atomically(fs::path(out.dir) / "summary.json", summary.dump(2) + "\n");
    std::cerr << "gad: interrupted after " << report.iterations << " iterations; " << model.string()
              << " holds "
              << (report.best_epoch >= 0 ? "the best weights so far (epoch " +
                                               std::to_string(report.best_epoch + 1) + ")"
                                         : std::string("the last weights"))
              << "; --resume " << checkpoint.string() << " continues the training" << std::endl;
    return interrupted_status;
  }

  json summary{{"command", r.command_line},
               {"model", r.model},
               {"policies", D::signature()},
               {"model_file", model.string()},
               {"data", data_source(r.data)},
               {"protocol", split.protocol},
               {"sizes", sizes_json(split)},
               {"runtime", runtime_json(detector.device(), detector.threads(), detector.seed())},
               {"options", options_json(detector.options())},
               {"fit", fit_json(report)}};
  if (!split.test.empty()) {
    summary["test"] = evaluate_on(detector, split.test, out, "test");
  }
  if (!out.no_plots) {
    write_training_figures(out.dir, report);
    if constexpr (is_algan_v<D>) {
      // Row 1-2: fake-normal images (sigma 1); rows 3-4: pseudo-anomalies (sigma of the options).
      const auto& o = detector.options();
      if (o.channels == 1 || o.channels == 3) {
        gad::plot::image_grid_png(
            (fs::path(out.dir) / "samples.png").string(),
            torch::cat({detector.sample(16, 1.0), detector.sample(16, o.sigma)}, 0), 8, 2, -1, 1,
            3);
      }
    }
  }
  summary["wall_seconds"] = seconds_since(start);
  write_atomically(fs::path(out.dir) / "summary.json", summary.dump(2) + "\n");
  std::cout << "model " << model.string();
  if (summary.contains("test")) {
    std::cout << "  test AUROC " << summary["test"]["auroc"].get<double>();
  }
  std::cout << "  summary " << (fs::path(out.dir) / "summary.json").string() << std::endl;
  return 0;
}

// ---- commands on a saved model -----------------------------------------------------------------

template <class D>
D load_model(const model_request& r) {
  c10::optional<gad::runtime_options> runtime;
  if (r.threads || r.device) {
    gad::runtime_options o;
    o.threads = r.threads.value_or(0);
    o.device = r.device.value_or("auto");
    runtime = o;
  }
  return gad::load_detector<D>(r.model_path, runtime);
}

template <class D>
int run_evaluate(const model_request& r) {
  const auto start = std::chrono::steady_clock::now();
  D detector = load_model<D>(r);
  if (!detector.is_fitted()) {
    throw gad::invalid_argument(r.model_path + " holds an unfitted detector: nothing to evaluate");
  }
  if (r.threshold) detector.set_threshold(*r.threshold);
  fs::create_directories(r.output.dir);
  const gad::io::folder_lock lock(r.output.dir);
  // An image folder is read as the model's training images were (size, channels, normal class).
  data_flags data = r.data;
  if (!data.images.empty() && detector.preprocessing().source == "image_folder") {
    const bool skip = data.image.skip_unreadable;
    data.image = gad::data::image_options(detector.preprocessing());
    data.image.skip_unreadable = skip;
  }
  // With --csv the rows are read and scaled as recorded (a model without a table record is
  // refused by table_options()).
  const gad::data::split split =
      load_split(data, r.seed.value_or(detector.seed()), false, &detector.preprocessing());
  json summary{{"command", r.command_line},
               {"model_file", r.model_path},
               {"policies", D::signature()},
               {"data", data_source(r.data)},
               {"protocol", split.protocol},
               {"sizes", sizes_json(split)},
               {"runtime", runtime_json(detector.device(), detector.threads(), detector.seed())},
               {"test", evaluate_on(detector, split.test, r.output, "test")}};
  summary["wall_seconds"] = seconds_since(start);
  const fs::path path = fs::path(r.output.dir) / "evaluation.json";
  write_atomically(path, summary.dump(2) + "\n");
  std::cout << "test AUROC " << summary["test"]["auroc"].get<double>() << "  average precision "
            << summary["test"]["average_precision"].get<double>() << "  evaluation "
            << path.string() << std::endl;
  return 0;
}

template <class D>
int run_score(const model_request& r) {
  D detector = load_model<D>(r);
  if (!detector.is_fitted()) {
    throw gad::invalid_argument(r.model_path + " holds an unfitted detector: it cannot score");
  }
  if (r.threshold) detector.set_threshold(*r.threshold);
  const scored_inputs in = r.table.empty()
                               ? load_images(r.images, detector.preprocessing(), r.skip_unreadable)
                               : load_rows(r.table, detector.preprocessing());
  const torch::Tensor scores = detector.decision_function(in.images);
  const torch::Tensor predictions =
      gad::metrics::flag_anomalies(scores, detector.threshold()).to(torch::kLong);
  const fs::path csv = r.scores_file;
  if (csv.has_parent_path()) fs::create_directories(csv.parent_path());
  write_scores_csv(csv, scores, predictions, in.labels, {}, in.files);
  std::cout << "scored " << scores.size(0) << (r.table.empty() ? " images, " : " rows, ")
            << predictions.sum().item<std::int64_t>() << " above the threshold "
            << detector.threshold() << "; scores in " << csv.string() << std::endl;
  return 0;
}

template <class D>
int run_inspect(const model_request& r) {
  const gad::checkpoint_summary s = gad::inspect_checkpoint(r.model_path);
  const gad::io::archive_reader archive(r.model_path);
  json info{{"file", r.model_path},
            {"format_version", s.format_version},
            {"family", s.family},
            {"policies", s.policies},
            {"fitted", s.fitted},
            {"resumable", s.resumable},
            {"options", options_json(D::read_options(archive))}};
  if (s.resumable) {
    info["next_epoch"] = s.next_epoch + 1;
    info["iterations_done_in_next_epoch"] = s.in_epoch;
  }
  std::cout << info.dump(2) << std::endl;
  return 0;
}

template <class D>
int run_model(const model_request& r) {
  switch (r.what) {
    case model_request::action::evaluate:
      return run_evaluate<D>(r);
    case model_request::action::score:
      return run_score<D>(r);
    case model_request::action::inspect:
      return run_inspect<D>(r);
  }
  return 1;
}

/// Runs `c` on the first of Ds whose policies it names; nullopt when none does.
template <class... Ds>
struct detector_list {
  static std::optional<int> run(const command& c) {
    std::optional<int> result;
    (void)((!result && try_one<Ds>(c, result)) || ...);
    return result;
  }

 private:
  template <class D>
  static bool try_one(const command& c, std::optional<int>& result) {
    if (c.train && c.choice && selected_by<D>(*c.choice)) {
      result = run_train<D>(*c.train);
    } else if (c.model && c.signature == D::signature()) {
      result = run_model<D>(*c.model);
    }
    return result.has_value();
  }
};

/// Entry points of the per-family translation units.
std::optional<int> run_algan_family(const command& c);
std::optional<int> run_alad_family(const command& c);
std::optional<int> run_egbad_family(const command& c);

}  // namespace gad_cli
