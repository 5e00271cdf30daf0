// ALGAN on MNIST: the authors' reference experiment (digit 0 normal, digit 1 anomalous,
// spectral-normalized discriminator, 256 epochs) and the one-class protocol of the literature.
//
//   algan_mnist --data data/mnist --out out/algan_mnist             # reference experiment
//   algan_mnist --no-sn                                              # D without spectral norm
//   algan_mnist --one-class --dataset fashion --classes 0,3 --epochs 64
//   algan_mnist ... --checkpoint-every 8                             # resumable every 8 epochs
//   algan_mnist ... --resume out/algan_mnist/checkpoint.gad          # the same command, continued
//
// Every file is written under a temporary name and renamed when complete, so an interrupted run
// leaves either the previous file or none, never a truncated one; Ctrl-C or kill leaves a
// checkpoint.gad that --resume continues.
#include <gad/algan.hpp>
#include <gad/data/idx.hpp>
#include <gad/data/splits.hpp>
#include <gad/io/atomic_file.hpp>
#include <gad/io/checkpoint.hpp>
#include <gad/io/folder_lock.hpp>
#include <gad/metrics/roc.hpp>
#include <gad/metrics/tensor.hpp>
#include <gad/report/csv_loss_log.hpp>
#include <gad/report/output.hpp>
#include <gad/report/plot/charts.hpp>
#include <gad/report/plot/image_grid.hpp>
#include <gad/report/progress_printer.hpp>
#include <gad/train/checkpoints.hpp>
#include <gad/train/signal_stop.hpp>

#include "../common/one_class_baselines.hpp"

#include <torch/torch.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

struct settings {
  std::string dataset = "mnist";
  std::string data;  // empty: data/mnist or data/fashion-mnist
  std::string out = "out/algan_mnist";
  std::uint64_t seed = 1234;
  int threads = 0;
  std::string device = "auto";
  int epochs = 256;
  std::int64_t batch_size = 512;
  bool no_sn = false;
  std::string architecture = "mlp";
  bool fused_d_forward = false;
  bool reuse_d_step_fakes = false;
  std::string precision = "float32";
  std::string resampling = "reference";
  double ema_decay = 0.0;
  std::string selection = "labelled";
  int select_from_epoch = -1;        // -1: the reference's 32
  double validation_fraction = 0.0;  // one-class mode: share of the normals held out
  int normal = 0;
  int anomalous = 1;
  bool one_class = false;
  std::vector<int> classes = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  int checkpoint_every = 0;  // epochs; 0: checkpoint.gad only when interrupted
  std::string resume;        // a checkpoint.gad of this command to continue
  std::string command_line;
};

using gad::report::seconds_since;
using gad::report::to_vector;
using gad::report::write_atomically;

// Scores of the rows whose anomaly label equals `label`.
std::vector<double> scores_where(const torch::Tensor& scores, const torch::Tensor& labels,
                                 std::int64_t label) {
  return to_vector(scores.index_select(0, labels.eq(label).nonzero().flatten()));
}

json options_json(const gad::algan_options& o, bool spectral, bool pseudo_anomalies) {
  return json{{"spectral_norm", spectral},
              {"pseudo_anomalies", pseudo_anomalies},
              {"image_shape", {o.channels, o.height, o.width}},
              {"z_dim", o.z_dim},
              {"architecture", gad::to_string(o.architecture)},
              {"generator_hidden", o.generator_hidden},
              {"discriminator_hidden", o.discriminator_hidden},
              {"leaky_relu_slope", o.leaky_relu_slope},
              {"epochs", o.epochs},
              {"batch_size", o.batch_size},
              {"generator_lr", o.generator_lr},
              {"discriminator_lr", o.discriminator_lr},
              {"adam_betas", {o.adam_beta1, o.adam_beta2}},
              {"adam_eps", o.adam_eps},
              {"discriminator_steps", o.discriminator_steps},
              {"latent_resampling", gad::to_string(o.resampling)},
              {"fused_d_forward", o.fused_d_forward},
              {"reuse_d_step_fakes", o.reuse_d_step_fakes},
              {"compute_precision", gad::to_string(o.compute_precision)},
              {"sigma", o.sigma},
              {"alpha", o.alpha},
              {"xi", o.xi},
              {"buffer_capacity", o.replay_capacity()},
              {"ema_decay", o.ema_decay},
              {"validate_every", o.validate_every},
              {"select_from_epoch", o.select_from_epoch},
              {"threshold", o.threshold}};
}

gad::algan_options make_options(const settings& s) {
  // The reference MNIST configuration, or the same with the convolutional networks.
  gad::algan_options o =
      s.architecture == "conv" ? gad::algan_conv_options() : gad::algan_options{};
  o.epochs = s.epochs;
  o.batch_size = s.batch_size;
  o.fused_d_forward = s.fused_d_forward;
  o.reuse_d_step_fakes = s.reuse_d_step_fakes;
  // The names checkpoints and the gad tool use; CLI11 has already checked the flag.
  if (!gad::io::enum_text<gad::precision>::from_text(s.precision, o.compute_precision)) {
    throw gad::invalid_argument("--precision: unknown value '" + s.precision + "'");
  }
  o.resampling = s.resampling == "every-iteration" ? gad::latent_resampling::every_iteration
                                                   : gad::latent_resampling::reference;
  o.ema_decay = s.ema_decay;
  if (s.select_from_epoch >= 0) o.select_from_epoch = s.select_from_epoch;
  o.runtime = gad::runtime_options{s.seed, s.threads, s.device};
  return o;
}

// ---- Interruption and resumption -----------------------------------------------------------

// Where a run keeps its training state: checkpoint.gad every `every` epochs and whenever the
// fit stops early (Ctrl-C, kill), so that --resume continues it; last_epoch.gad after the
// last epoch, scored beside the selected weights.
struct run_saves {
  fs::path checkpoint;
  int every = 0;
  fs::path last_epoch;

  void on_checkpoint(const gad::train::checkpoint_info& c) {
    if (c.stopping || (every > 0 && !c.inside_epoch && (c.epoch + 1) % every == 0)) {
      c.save(checkpoint);
    }
    if (!c.inside_epoch && !c.stopping && c.epoch + 1 == c.epochs) c.save(last_epoch);
  }
};

// --resume continues the interrupted run's own command: every training option must be the one
// the checkpoint holds (only --threads and --device may change). The data it trains on is
// checked by resume() itself, against the checkpoint's data fingerprint.
template <class Detector>
void check_resume_options(const std::string& path, const gad::algan_options& wanted) {
  gad::algan_options saved = Detector::read_options(gad::io::archive_reader(path));
  saved.runtime.threads = wanted.runtime.threads;
  saved.runtime.device = wanted.runtime.device;
  const std::string field = gad::first_different_option(saved, wanted);
  if (!field.empty()) {
    throw gad::invalid_argument("--resume " + path + ": the checkpoint was trained with another " +
                                field +
                                " than this command gives; add --resume to the command line of "
                                "the run that wrote it");
  }
}

// Opens the output folder: one run at a time, and a checkpoint in it only replaced by the run
// that continues it (it may hold hours of training).
fs::path prepare_out(const settings& s, std::unique_ptr<gad::io::folder_lock>& lock) {
  const fs::path out = s.out;
  fs::create_directories(out);
  lock = std::make_unique<gad::io::folder_lock>(out);
  gad::io::remove_stale_temporaries(out);  // what a run killed inside a write left behind
  gad::train::refuse_to_overwrite(out / "checkpoint.gad", s.resume);
  return out;
}

struct raw_data {
  gad::data::dataset train;
  gad::data::dataset test;
};

raw_data load(const settings& s) {
  return {gad::data::load_idx_folder(s.data, "train", 28, 28),
          gad::data::load_idx_folder(s.data, "t10k", 28, 28)};
}

void to_symmetric(gad::data::split& split) {
  for (auto* part : {&split.train, &split.validation, &split.test}) {
    if (!part->empty()) part->images = gad::data::unit_to_symmetric(part->images);
  }
}

std::int64_t count_label(const gad::data::dataset& d, std::int64_t label) {
  return d.empty() ? 0 : d.labels.eq(label).sum().item<std::int64_t>();
}

double mean_of(const json& rows, const char* key) {
  double sum = 0.0;
  for (const auto& r : rows) sum += r[key].get<double>();
  return rows.empty() ? 0.0 : sum / static_cast<double>(rows.size());
}

// ---- The reference experiment --------------------------------------------------------------

template <class Detector>
int run_reference(const settings& s) {
  const auto start = std::chrono::steady_clock::now();
  std::unique_ptr<gad::io::folder_lock> lock;
  const fs::path out = prepare_out(s, lock);

  const raw_data raw = load(s);
  gad::data::algan_split_options split_options;
  split_options.normal_class = s.normal;
  split_options.anomalous_class = s.anomalous;
  gad::data::split split = gad::data::algan_reference(raw.train, raw.test, s.seed, split_options);
  to_symmetric(split);
  // Label-free selection validates on the held-out normals alone: the same images as the
  // labelled validation set without its anomalies.
  const gad::data::dataset validation =
      s.selection == "label-free"
          ? gad::data::subset(split.validation, split.validation.labels.eq(0).nonzero().flatten())
          : split.validation;

  Detector detector(make_options(s));
  if (!s.resume.empty()) check_resume_options<Detector>(s.resume, detector.options());
  const gad::algan_options& o = detector.options();
  std::cout << "ALGAN " << (Detector::spectral ? "with" : "without") << " spectral norm, "
            << s.dataset << " " << s.normal << " (normal) vs " << s.anomalous << " (anomalous)\n"
            << "  train " << split.train.size() << ", validation "
            << count_label(split.validation, 0) << " + " << count_label(split.validation, 1)
            << ", test " << count_label(split.test, 0) << " + " << count_label(split.test, 1)
            << "\n  device " << detector.device() << ", threads " << detector.threads() << ", seed "
            << s.seed << ", " << o.epochs << " epochs of " << split.train.size() / o.batch_size
            << " iterations, latent resampling " << gad::to_string(o.resampling)
            << (s.resume.empty() ? std::string() : "\n  resuming " + s.resume) << std::endl;

  gad::report::progress_printer progress(std::cout);
  const fs::path checkpoint = out / "checkpoint.gad";
  // Only the run that wrote this folder's checkpoint wrote its loss log, so only resuming that
  // checkpoint continues the log.
  gad::report::csv_loss_log loss_log(out / "loss_log.csv",
                                     gad::train::resumes_checkpoint(checkpoint, s.resume)
                                         ? gad::report::log_start::continued
                                         : gad::report::log_start::fresh);
  // Ctrl-C / kill: the fit stops after its iteration with the best weights so far, which are
  // still evaluated and reported (summary.json says so), and checkpoint.gad holds the state
  // that --resume continues; the exit status is then 130 / 143.
  gad::train::stop_request stop;
  const gad::train::stop_on_signals signals(stop);
  // The last epoch's weights (averaged, with --ema-decay) are kept beside the selected ones,
  // so the summary can say what selection gained; nothing is selected on the test set.
  const fs::path last_epoch = out / "last_epoch.gad";
  fs::remove(last_epoch);
  run_saves saves{checkpoint, s.checkpoint_every, last_epoch};
  const gad::fit_report report =
      s.resume.empty()
          ? detector.fit(split.train, &validation, stop, progress, loss_log, saves)
          : detector.resume(s.resume, split.train, &validation, stop, progress, loss_log, saves);
  const double train_seconds = report.wall_seconds;
  if (signals.received() != 0) {
    std::cout << "interrupted after " << report.iterations << " iterations; --resume "
              << checkpoint.string() << " (with this command) continues the training"
              << std::endl;
  } else if (report.epochs_run == o.epochs) {
    fs::remove(checkpoint);  // last_epoch.gad holds the same state
  }

  const auto score_start = std::chrono::steady_clock::now();
  const torch::Tensor scores = detector.decision_function(split.test.images);
  const double score_seconds = seconds_since(score_start);
  const double test_auroc = gad::metrics::auroc(scores, split.test.labels);
  std::cout << std::fixed << std::setprecision(5);
  if (report.best_epoch >= 0) {
    // The reference names checkpoints by the 0-based epoch index ("epoch_159" = after 160
    // epochs); summary.json's best_epoch follows it, the console counts epochs done.
    std::cout << "best validation AUROC " << report.best_validation_value << " after epoch "
              << report.best_epoch + 1 << " (reference naming: epoch_" << report.best_epoch
              << ", iter_" << (report.best_epoch + 1) * report.iterations_per_epoch << "), "
              << gad::report::format_duration(gad::seconds_to_best(report)) << " into training\n";
  } else {
    std::cout << "no validation inside the selection window (epoch + 1 >= " << o.select_from_epoch
              << "): keeping the last epoch's weights\n";
  }
  std::cout << "test AUROC " << test_auroc << "  (" << split.test.size() << " images scored in "
            << std::setprecision(3) << score_seconds << " s)" << std::endl;
  double last_epoch_auroc = std::numeric_limits<double>::quiet_NaN();
  if (fs::exists(last_epoch) && report.epochs_run == o.epochs) {
    const auto last = gad::load_detector<Detector>(last_epoch);
    last_epoch_auroc =
        gad::metrics::auroc(last.decision_function(split.test.images), split.test.labels);
    std::cout << std::setprecision(5) << "test AUROC of the last epoch's weights "
              << last_epoch_auroc << std::endl;
  }

  // scores.csv: one row per test image.
  {
    std::ostringstream csv;
    csv << "index,label,digit,score\n" << std::setprecision(9);
    const auto labels = split.test.labels.contiguous();
    const auto digits = split.test.classes.contiguous();
    const auto sc = to_vector(scores);
    for (std::int64_t i = 0; i < split.test.size(); ++i) {
      csv << i << ',' << labels[i].item<std::int64_t>() << ',' << digits[i].item<std::int64_t>()
          << ',' << sc[static_cast<std::size_t>(i)] << '\n';
    }
    write_atomically(out / "scores.csv", csv.str());
  }

  // Charts (each PNG is written atomically by gad::plot).
  const auto roc = gad::metrics::roc_curve(scores, split.test.labels, /*drop_intermediate=*/true);
  gad::plot::roc_png((out / "test_roc.png").string(), roc.fpr, roc.tpr, test_auroc,
                     "Test ROC, epoch " + std::to_string(report.best_epoch));
  gad::plot::histogram_png(
      (out / "test_histogram.png").string(), scores_where(scores, split.test.labels, 0),
      scores_where(scores, split.test.labels, 1), 20, "Test scores (-logit D)");
  {
    std::vector<gad::plot::series> lines;
    for (std::size_t k = 0; k < report.loss_names.size(); ++k) {
      gad::plot::series line{report.loss_names[k], {}, {}};
      for (std::size_t e = 0; e < report.epoch_losses.size(); ++e) {
        line.x.push_back(static_cast<double>(e));
        line.y.push_back(report.epoch_losses[e][k]);
      }
      lines.push_back(std::move(line));
    }
    gad::plot::line_png((out / "loss_curves.png").string(), lines, "Mean loss per epoch", "epoch",
                        "loss");
    gad::plot::series val{"validation AUROC", {}, {}};
    for (const auto& v : report.validations) {
      val.x.push_back(v.epoch);
      val.y.push_back(v.value);
    }
    if (!val.x.empty()) {
      gad::plot::line_png((out / "validation_auroc.png").string(), {val}, "Validation AUROC",
                          "epoch", "AUROC");
    }
  }
  {
    // Row 1: fake-normal images, row 2: pseudo-anomalies, from latents fixed by the seed.
    auto gen = gad::make_generator(s.seed, "example/grid");
    const torch::Tensor z_normal = torch::randn({8, o.z_dim}, gen);
    const torch::Tensor z_anomalous = torch::randn({8, o.z_dim}, gen) * o.sigma;
    gad::plot::image_grid_png((out / "samples.png").string(),
                              detector.generate(torch::cat({z_normal, z_anomalous}, 0)), 8, 4, -1,
                              1, 3);
  }

  json validations = json::array();
  for (const auto& v : report.validations) {
    validations.push_back({{"epoch", v.epoch},
                           {"auroc", v.value},
                           {"eligible", v.eligible},
                           {"elapsed_seconds", v.elapsed_seconds}});
  }
  json summary{{"experiment", "algan_mnist reference"},
               {"command", s.command_line},
               {"dataset", s.dataset},
               {"normal_class", s.normal},
               {"anomalous_class", s.anomalous},
               {"test_auroc", test_auroc},
               {"last_epoch_test_auroc", last_epoch_auroc},
               {"selection", s.selection},
               {"validation_criterion", report.criterion.name},
               {"validation_auroc", report.best_validation_value},
               {"best_epoch", report.best_epoch},
               {"best_iteration", (report.best_epoch + 1) * report.iterations_per_epoch},
               {"epochs_run", report.epochs_run},
               {"iterations_per_epoch", report.iterations_per_epoch},
               {"sizes",
                {{"train", split.train.size()},
                 {"validation_normal", count_label(split.validation, 0)},
                 {"validation_anomalous", count_label(split.validation, 1)},
                 {"test_normal", count_label(split.test, 0)},
                 {"test_anomalous", count_label(split.test, 1)}}},
               {"seed", s.seed},
               {"device", detector.device().str()},
               {"threads", detector.threads()},
               {"hardware_threads", std::thread::hardware_concurrency()},
               {"train_seconds", train_seconds},
               {"seconds_to_best_checkpoint", gad::seconds_to_best(report)},
               {"test_score_seconds", score_seconds},
               {"wall_seconds", seconds_since(start)},
               {"resumed_from", s.resume},
               {"options", options_json(o, Detector::spectral, Detector::pseudo_anomalies)},
               {"validations", validations}};
  if (signals.received() != 0) {
    summary["interrupted_by"] = signals.received() == SIGINT ? "SIGINT" : "SIGTERM";
  }
  write_atomically(out / "summary.json", summary.dump(2) + "\n");
  std::cout << "wrote summary.json, scores.csv, loss_log.csv and the PNG charts to " << out.string()
            << std::endl;
  return signals.received() != 0 ? signals.exit_status() : 0;
}

// ---- The one-class protocol ----------------------------------------------------------------

// The rows of an earlier run into this folder that a resumed run keeps: those of classes it
// does not run, when that run had the same data set, seed, split and options.
json earlier_rows(const fs::path& file, const settings& s, const json& options) {
  json kept = json::array();
  std::ifstream in(file);
  if (!in) return kept;
  const json earlier = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (earlier.is_discarded() || earlier.value("dataset", "") != s.dataset ||
      earlier.value("seed", std::uint64_t{0}) != s.seed ||
      earlier.value("validation_fraction", -1.0) != s.validation_fraction ||
      earlier.value("options", json()) != options || !earlier.contains("classes")) {
    return kept;
  }
  for (const auto& row : earlier["classes"]) {
    const int k = row.value("class", -1);
    if (std::find(s.classes.begin(), s.classes.end(), k) == s.classes.end()) kept.push_back(row);
  }
  return kept;
}

void write_one_class_files(const fs::path& out, const settings& s, const json& rows,
                           const json& options, const std::string& device, int threads,
                           double wall_seconds) {
  std::ostringstream csv;
  csv << "class,test_auroc,last_epoch_test_auroc,best_epoch,pca_auroc,knn_auroc,train_size,"
         "validation_size,test_anomalous,seconds\n"
      << std::setprecision(9);
  for (const auto& r : rows) {
    csv << r["class"].get<int>() << ',' << r["test_auroc"].get<double>() << ','
        << r["last_epoch_test_auroc"].get<double>() << ',' << r["best_epoch"].get<int>() << ','
        << r["pca_auroc"].get<double>() << ',' << r["knn_auroc"].get<double>() << ','
        << r["train_size"].get<std::int64_t>() << ',' << r["validation_size"].get<std::int64_t>()
        << ',' << r.value("test_anomalous", std::int64_t{-1}) << ','
        << r["seconds"].get<double>() << '\n';
  }
  json summary{{"experiment", "algan_mnist one-class"},
               {"command", s.command_line},
               {"dataset", s.dataset},
               {"classes", rows},
               {"mean_test_auroc", mean_of(rows, "test_auroc")},
               {"mean_last_epoch_test_auroc", mean_of(rows, "last_epoch_test_auroc")},
               {"mean_pca_auroc", mean_of(rows, "pca_auroc")},
               {"mean_knn_auroc", mean_of(rows, "knn_auroc")},
               {"baselines",
                {{"pca_components", gad_examples::baseline_aurocs::pca_components},
                 {"knn_k", gad_examples::baseline_aurocs::knn_k}}},
               {"validation_fraction", s.validation_fraction},
               {"seed", s.seed},
               {"device", device},
               {"threads", threads},
               {"wall_seconds", wall_seconds},
               {"resumed_from", s.resume},
               {"options", options}};
  write_atomically(out / "one_class.json", summary.dump(2) + "\n");
  write_atomically(out / "one_class.csv", csv.str());
}

// Each class in turn is normal and every other class anomalous. Without --validation-fraction
// training uses all normal training images and keeps the last epoch's weights; with it, that
// share of the normals is held out and the epoch is selected on them against pseudo-anomalies
// (no labelled anomaly is ever seen). The PCA and nearest-neighbour baselines are fitted on the
// same training images and scored on the same test set. With --resume, the first class of
// --classes continues from the checkpoint (resume() refuses it unless it is that class's fit).
template <class Detector>
int run_one_class(const settings& s) {
  const auto start = std::chrono::steady_clock::now();
  std::unique_ptr<gad::io::folder_lock> lock;
  const fs::path out = prepare_out(s, lock);
  const raw_data raw = load(s);
  const gad::algan_options options = make_options(s);
  if (!s.resume.empty()) check_resume_options<Detector>(s.resume, options);
  const json options_record =
      options_json(options, Detector::spectral, Detector::pseudo_anomalies);

  json rows = s.resume.empty() ? json::array()
                               : earlier_rows(out / "one_class.json", s, options_record);
  std::cout << "one-class protocol on " << s.dataset << ", " << s.epochs << " epochs per class, "
            << (Detector::spectral ? "with" : "without") << " spectral norm, "
            << (s.validation_fraction > 0 ? "label-free selection on held-out normals"
                                          : "last epoch kept")
            << std::endl;
  // Ctrl-C / kill ends the run after the current iteration; the unfinished class is not
  // scored but saved in checkpoint.gad, the finished ones stay in one_class.json, and the
  // exit status is 130 / 143.
  gad::train::stop_request stop;
  const gad::train::stop_on_signals signals(stop);
  const fs::path checkpoint = out / "checkpoint.gad";
  const fs::path last_epoch = out / "last_epoch.gad";
  std::string device;
  int threads = 0;
  for (std::size_t c = 0; c < s.classes.size(); ++c) {
    const int k = s.classes[c];
    const bool resuming = c == 0 && !s.resume.empty();
    gad::data::split split =
        gad::data::one_class_normal(raw.train, raw.test, k, s.seed, s.validation_fraction);
    to_symmetric(split);
    Detector detector(options);
    device = detector.device().str();
    threads = detector.threads();
    std::cout << "class " << k << ": " << (resuming ? "resuming " + s.resume + ", " : "")
              << "training on " << split.train.size() << " images";
    if (!split.validation.empty()) std::cout << ", validating on " << split.validation.size();
    std::cout << std::endl;
    gad::report::progress_printer progress(std::cout, 16);
    fs::remove(last_epoch);
    run_saves saves{checkpoint, s.checkpoint_every, last_epoch};
    const gad::data::dataset* validation =
        split.validation.empty() ? nullptr : &split.validation;
    const gad::fit_report report =
        resuming ? detector.resume(s.resume, split.train, validation, stop, progress, saves)
                 : detector.fit(split.train, validation, stop, progress, saves);
    const auto after_fit = std::chrono::steady_clock::now();
    if (signals.received() != 0) {
      std::string rest = std::to_string(k);
      for (std::size_t r = c + 1; r < s.classes.size(); ++r) {
        rest += "," + std::to_string(s.classes[r]);
      }
      std::cout << "interrupted during class " << k << "; it is not scored. --resume "
                << checkpoint.string() << " --classes " << rest
                << " (with this command) continues" << std::endl;
      break;
    }
    fs::remove(checkpoint);  // the class is finished: nothing left to resume
    const double auroc =
        gad::metrics::auroc(detector.decision_function(split.test.images), split.test.labels);
    // With selection, the last epoch's weights are scored too, for comparison only.
    double last_auroc = auroc;
    if (report.best_epoch >= 0 && fs::exists(last_epoch)) {
      const auto last = gad::load_detector<Detector>(last_epoch);
      last_auroc =
          gad::metrics::auroc(last.decision_function(split.test.images), split.test.labels);
    }
    fs::remove(last_epoch);
    const gad_examples::baseline_aurocs base =
        gad_examples::score_baselines(split.train.images, split.test.images, split.test.labels);
    // Training time over every run that worked on this class, plus this run's scoring.
    const double secs = report.wall_seconds + seconds_since(after_fit);
    std::cout << std::fixed << std::setprecision(4) << "class " << k << ": test AUROC " << auroc
              << " (epoch " << report.best_epoch << "), last epoch " << last_auroc << ", PCA "
              << base.pca << ", kNN " << base.knn << std::defaultfloat << std::endl;
    rows.push_back({{"class", k},
                    {"test_auroc", auroc},
                    {"last_epoch_test_auroc", last_auroc},
                    {"best_epoch", report.best_epoch},
                    {"validation_criterion", report.criterion.name},
                    {"validation_value", report.best_validation_value},
                    {"pca_auroc", base.pca},
                    {"knn_auroc", base.knn},
                    {"train_size", split.train.size()},
                    {"validation_size", split.validation.size()},
                    {"test_anomalous", count_label(split.test, 1)},
                    {"seconds", secs}});
    // Rewritten after every class so that a long run's finished classes are never lost.
    write_one_class_files(out, s, rows, options_record, device, threads, seconds_since(start));
  }

  std::cout << "\n class | test AUROC | last epoch |   PCA  |   kNN\n"
               "-------+------------+------------+--------+-------\n"
            << std::fixed << std::setprecision(4);
  for (const auto& r : rows) {
    std::cout << std::setw(6) << r["class"].get<int>() << " |     " << r["test_auroc"].get<double>()
              << " |     " << r["last_epoch_test_auroc"].get<double>() << " | "
              << r["pca_auroc"].get<double>() << " | " << r["knn_auroc"].get<double>() << '\n';
  }
  if (!rows.empty()) {
    std::cout << "  mean |     " << mean_of(rows, "test_auroc") << " |     "
              << mean_of(rows, "last_epoch_test_auroc") << " | " << mean_of(rows, "pca_auroc")
              << " | " << mean_of(rows, "knn_auroc") << "\n";
  }
  std::cout << "wall time " << gad::report::format_duration(seconds_since(start)) << std::endl;
  return signals.received() != 0 ? signals.exit_status() : 0;
}

template <class Detector>
int run(const settings& s) {
  return s.one_class ? run_one_class<Detector>(s) : run_reference<Detector>(s);
}

}  // namespace

int main(int argc, char** argv) {
  settings s;
  CLI::App app{"ALGAN anomaly detection on MNIST / Fashion-MNIST (gad example)"};
  app.add_option("--dataset", s.dataset, "mnist or fashion")
      ->check(CLI::IsMember({"mnist", "fashion"}))
      ->capture_default_str();
  app.add_option("--data", s.data,
                 "folder with the four IDX files (default data/mnist or data/fashion-mnist)");
  app.add_option("--out", s.out, "output folder")->capture_default_str();
  app.add_option("--seed", s.seed, "master seed of every random stream")->capture_default_str();
  app.add_option("--threads", s.threads, "intra-op threads, 0 = all hardware threads")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--device", s.device, "auto, cpu, cuda or cuda:N")->capture_default_str();
  app.add_option("--epochs", s.epochs, "training epochs")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--batch-size", s.batch_size, "real images per iteration (reference: 512)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_flag("--no-sn", s.no_sn, "discriminator without spectral normalization");
  app.add_option("--architecture", s.architecture,
                 "mlp (the reference's networks) or conv (gad::algan_conv_options: DCGAN-like, "
                 "G 64-32 and D 32-64 channels)")
      ->check(CLI::IsMember({"mlp", "conv"}))
      ->capture_default_str();
  app.add_option("--latent-resampling", s.resampling,
                 "reference (fresh latents only in even epochs, as the authors' code) or "
                 "every-iteration")
      ->check(CLI::IsMember({"reference", "every-iteration"}))
      ->capture_default_str();
  app.add_flag("--fused-d-forward", s.fused_d_forward,
               "one discriminator call per D step instead of one per image group (faster, "
               "changes the spectral-norm trajectory)");
  app.add_flag("--reuse-d-step-fakes", s.reuse_d_step_fakes,
               "make the fake-normal and pseudo-anomalous batches once per iteration for all D "
               "steps (faster; G's BatchNorm statistics get one update less per extra D step)");
  app.add_option("--precision", s.precision,
                 "float32 (the reference) or bfloat16 matrix products (mixed precision; faster "
                 "only on CPUs with AMX or AVX512-BF16 and on Ampere or newer GPUs)")
      ->check(CLI::IsMember({"float32", "bfloat16"}))
      ->capture_default_str();
  app.add_option("--ema-decay", s.ema_decay,
                 "score with moving averages of the weights, updated after every iteration "
                 "with this decay; 0 = the raw weights (the reference)")
      ->check(CLI::Range(0.0, 0.999999))
      ->capture_default_str();
  app.add_option("--selection", s.selection,
                 "reference mode: labelled (validation AUROC against held-out anomalies, the "
                 "reference) or label-free (held-out normals against pseudo-anomalies)")
      ->check(CLI::IsMember({"labelled", "label-free"}))
      ->capture_default_str();
  app.add_option("--select-from-epoch", s.select_from_epoch,
                 "a validation is kept only after at least this many epochs; default: the "
                 "reference's 32")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--validation-fraction", s.validation_fraction,
                 "--one-class mode: share of the normal training images held out to select the "
                 "epoch without labels (0 = keep the last epoch)")
      ->check(CLI::Range(0.0, 0.9))
      ->capture_default_str();
  app.add_option("--normal", s.normal, "normal class (reference mode)")
      ->check(CLI::Range(0, 9))
      ->capture_default_str();
  app.add_option("--anomalous", s.anomalous, "anomalous class (reference mode)")
      ->check(CLI::Range(0, 9))
      ->capture_default_str();
  app.add_flag("--one-class", s.one_class,
               "standard protocol: each class normal in turn, all others anomalous");
  app.add_option("--classes", s.classes, "classes to run in --one-class mode")
      ->delimiter(',')
      ->check(CLI::Range(0, 9));
  app.add_option("--checkpoint-every", s.checkpoint_every,
                 "write a resumable <out>/checkpoint.gad every this many epochs (0 = only when "
                 "interrupted); a finished run or class removes it")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--resume", s.resume,
                 "continue the fit saved in this checkpoint.gad; give the interrupted run's "
                 "command (only --threads and --device may change; in --one-class mode the "
                 "first of --classes is the one resumed)")
      ->check(CLI::ExistingFile);
  CLI11_PARSE(app, argc, argv);
  if (s.data.empty()) s.data = s.dataset == "mnist" ? "data/mnist" : "data/fashion-mnist";
  for (int i = 0; i < argc; ++i) s.command_line += (i ? " " : "") + std::string(argv[i]);

  try {
    if (s.validation_fraction > 0 && !s.one_class) {
      throw gad::invalid_argument(
          "--validation-fraction applies to --one-class; the reference split holds out its own "
          "validation set");
    }
    if (s.one_class && s.classes.empty()) {
      throw gad::invalid_argument("--classes names no class");
    }
    if (s.normal == s.anomalous && !s.one_class) {
      throw gad::invalid_argument("--normal and --anomalous must differ");
    }
    return s.no_sn ? run<gad::algan<gad::norm::none>>(s) : run<gad::algan<>>(s);
  } catch (const gad::error& e) {
    std::cerr << "algan_mnist: " << e.what() << std::endl;
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "algan_mnist: unexpected error: " << e.what() << std::endl;
    return 2;
  }
}
