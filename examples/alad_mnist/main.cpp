// ALAD and EGBAD on MNIST, scored with every rule and evaluated under two thresholds.
//
//   alad_mnist --label 0                       # ALAD, digit 0 anomalous (EGBAD's protocol)
//   alad_mnist --label 0 --model egbad         # EGBAD's BiGAN on the same split
//   alad_mnist --label 3 --protocol normal     # one class normal (ALAD's image protocol)
//   alad_mnist --label 0 --sn --dzz            # the configuration ALAD's authors recommend
//   alad_mnist --label 0 --model pca           # the PCA-32 baseline on the same split
//
// Protocols (see gad/data/splits.hpp):
//   anomalous  --label is the anomalous digit. MNIST train and test are pooled (70,000 images);
//              80 % of the other digits train, the rest plus every image of --label form the
//              test set (about 35 % anomalous). The split is drawn once, so no test image was
//              trained on; --legacy-leaky-split redraws it as the reference loader does.
//   normal     --label is the only normal digit: its MNIST training images train, and the
//              whole MNIST test set is scored (about 90 % anomalous).
//
// For each rule the program reports AUROC, average precision, the trapezoidal AUPRC the EGBAD
// code prints, and precision/recall/F1 both at the true anomaly ratio and under the reference's
// rule (flag every score at or above the 10th percentile, i.e. 90 % of the test set).
//
// Every file is written under a temporary name and renamed when complete, so an interrupted run
// leaves either the previous file or none, never a truncated one.
#include <gad/alad.hpp>
#include <gad/baseline/pca.hpp>
#include <gad/data/idx.hpp>
#include <gad/data/splits.hpp>
#include <gad/egbad.hpp>
#include <gad/io/folder_lock.hpp>
#include <gad/metrics/precision_recall.hpp>
#include <gad/metrics/roc.hpp>
#include <gad/metrics/threshold.hpp>
#include <gad/report/format.hpp>
#include <gad/report/json.hpp>
#include <gad/report/output.hpp>
#include <gad/train/checkpoints.hpp>
#include <gad/train/signal_stop.hpp>

#include "../common/one_class_baselines.hpp"
#include "learning_curve.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

struct settings {
  int label = 0;
  std::string model = "alad";
  std::string protocol = "anomalous";
  bool legacy_leaky_split = false;
  double validation_fraction = 0.0;  // of the training normals, for model selection
  std::string validation_score;      // the rule whose validation mean selects; "": the model's
  int epochs = 1;
  std::int64_t batch_size = 0;  // 0: the preset's
  double learning_rate = 0.0;   // 0: the preset's
  double ema_decay = 0.999;
  std::string precision = "float32";
  double degree = 1.0;
  std::int64_t train_limit = 0;  // 0: every training image
  std::uint64_t seed = 42;
  int threads = 0;
  std::string device = "auto";
  bool sn = false;
  bool dzz = false;
  std::int64_t components = 32;  // --model pca
  std::string data = "data/mnist";
  std::string out = "out/alad_mnist";
  double progress_seconds = 30.0;
  int checkpoint_every = 0;  // epochs; 0: no checkpoint.gad
  int curve_every = 0;       // epochs; 0: the test set is scored once, at the end
  std::string resume;        // a checkpoint.gad to continue
  std::string command_line;
};

using gad::report::report_json;
using gad::report::seconds_since;
using gad::report::to_vector;
using gad::report::write_atomically;

std::vector<int> to_labels(const torch::Tensor& t) {
  const torch::Tensor c = t.to(torch::kCPU, torch::kInt).contiguous();
  return {c.data_ptr<int>(), c.data_ptr<int>() + c.numel()};
}

// A progress line at most every `every` seconds and at the end of each epoch, with the pace and
// the time left at that pace. A full MNIST epoch is ~1,600 iterations, so epoch lines alone
// would leave a CPU run silent for an hour.
class progress_lines {
 public:
  explicit progress_lines(double every) : every_(every), start_(clock::now()), last_(start_) {}

  void on_iteration_end(const gad::train::iteration_info& it) {
    // A resumed fit starts part-way: the pace counts only what this process trained.
    if (first_ < 0) first_ = it.iteration;
    const std::int64_t total = it.iterations_per_epoch * it.epochs;
    const bool epoch_end = it.iteration_in_epoch + 1 == it.iterations_per_epoch;
    if (!epoch_end && std::chrono::duration<double>(clock::now() - last_).count() < every_) {
      return;
    }
    last_ = clock::now();
    const double elapsed = seconds_since(start_);
    const auto done = static_cast<double>(it.iteration + 1 - first_);
    const auto left = static_cast<double>(total - it.iteration - 1);
    std::ostringstream line;
    line << "epoch " << it.epoch + 1 << "/" << it.epochs << "  iteration "
         << it.iteration_in_epoch + 1 << "/" << it.iterations_per_epoch << std::fixed
         << std::setprecision(3);
    for (const auto& [name, value] : it.losses) line << "  " << name << " " << value;
    line << std::setprecision(2) << "  " << elapsed / done << " s/it  elapsed "
         << gad::report::format_duration(elapsed) << "  eta "
         << gad::report::format_duration(elapsed / done * left) << '\n';
    std::cout << line.str() << std::flush;
  }

  void on_validation(const gad::train::validation_info& v) {
    std::cout << gad::report::validation_summary(v) << '\n' << std::flush;
  }

 private:
  using clock = std::chrono::steady_clock;
  double every_;
  clock::time_point start_;
  clock::time_point last_;
  std::int64_t first_ = -1;  // the first iteration this process trained (0 unless resumed)
};

// `curve` (when recording one) receives the final epoch's rows too.
struct final_epoch {
  alad_example::curve_file* curve = nullptr;
  int epoch = 0;
  std::int64_t iterations = 0;
};

int report(const settings& s, const gad::data::split& split, const gad::named_scores& all,
           double train_seconds, double score_seconds, json summary, final_epoch last = {});

template <class Detector>
int run(const settings& s, const gad::data::split& split, json summary) {
  gad::bigan_options o =
      s.model == "egbad" ? gad::egbad_mnist_options() : gad::alad_mnist_options();
  o.epochs = s.epochs;
  if (s.batch_size > 0) o.batch_size = s.batch_size;
  if (s.learning_rate > 0.0) o.learning_rate = s.learning_rate;
  o.ema_decay = s.ema_decay;
  o.degree = s.degree;
  o.validation_score = s.validation_score;
  // The names checkpoints and the gad tool use; CLI11 has already checked the flag.
  if (!gad::io::enum_text<gad::precision>::from_text(s.precision, o.compute_precision)) {
    throw gad::invalid_argument("--precision: unknown value '" + s.precision + "'");
  }
  o.contamination = c10::nullopt;  // decisions are evaluated on the test scores below
  o.runtime.seed = s.seed;
  o.runtime.threads = s.threads;
  o.runtime.device = s.device;

  gad::data::dataset train = split.train;
  if (s.train_limit > 0 && s.train_limit < train.size()) {
    train = gad::data::subset(train, torch::arange(s.train_limit));  // the split is shuffled
  }

  const fs::path out(s.out);
  fs::create_directories(out);
  const gad::io::folder_lock lock(out);  // one run per output folder
  const bool resuming = !s.resume.empty();
  const fs::path checkpoint = out / "checkpoint.gad";
  if (s.checkpoint_every > 0 || s.curve_every > 0) {
    gad::train::refuse_to_overwrite(checkpoint, s.resume);
  }
  const std::unique_ptr<alad_example::curve_file> curve =
      s.curve_every > 0 ? std::make_unique<alad_example::curve_file>(out / "curve.csv", resuming)
                        : nullptr;
  Detector detector(o);
  if (resuming) {
    // Options, history and random streams come from the file; only the data is rebuilt.
    std::cout << Detector::name() << ": resuming " << s.resume << " on " << train.size()
              << " training images, " << detector.threads() << " thread(s), device "
              << detector.device() << "\n";
  } else {
    std::cout << Detector::name() << " on network '" << o.network.name << "': " << train.size()
              << " training images, batch " << o.batch_size << ", lr " << std::defaultfloat
              << o.learning_rate << ", " << o.epochs << " epoch(s), " << detector.threads()
              << " thread(s), device " << detector.device() << "\n";
  }
  std::cout << std::flush;
  progress_lines progress(s.progress_seconds);
  // Held-out training normals, when asked for: each epoch is validated by their mean score and
  // the detector ends with the best epoch's weights (selection without any test label).
  const gad::data::dataset* validation = split.validation.empty() ? nullptr : &split.validation;
  alad_example::epoch_records<Detector> records(
      o, s.checkpoint_every, s.curve_every, checkpoint, split.test.images,
      to_labels(split.test.labels), curve.get(),
      validation != nullptr ? validation->images : torch::Tensor(), out / "validation_means.csv",
      resuming);
  // Ctrl-C / kill: the fit stops after its iteration, keeps the best weights so far (and with
  // --checkpoint-every writes a checkpoint that --resume continues); the scores and summary of
  // those weights are still written, and the exit status is 130 / 143.
  gad::train::stop_request stop;
  const gad::train::stop_on_signals signals(stop);
  const gad::fit_report fit =
      resuming ? detector.resume(s.resume, train, validation, stop, progress, records)
               : detector.fit(train, validation, stop, progress, records);
  o = detector.options();  // a resumed fit trains with the checkpoint's options

  const auto score_start = std::chrono::steady_clock::now();
  const gad::named_scores all = detector.all_scores(split.test.images);
  const double score_seconds = seconds_since(score_start);

  json losses = json::array();
  for (const auto& epoch : fit.epoch_losses) {
    json row = json::object();
    for (std::size_t k = 0; k < epoch.size(); ++k) row[fit.loss_names[k]] = epoch[k];
    losses.push_back(row);
  }
  if (signals.received() != 0) {
    summary["interrupted_by"] = signals.received() == SIGINT ? "SIGINT" : "SIGTERM";
  }
  summary["training"] = {
      {"images", train.size()},
      {"epochs", fit.epochs_run},
      {"iterations", fit.iterations},
      {"iterations_per_epoch", fit.iterations_per_epoch},
      {"seconds", fit.wall_seconds},
      {"seconds_per_iteration", fit.iterations > 0 ? fit.wall_seconds / fit.iterations : 0.0},
      {"epoch_losses", losses}};
  summary["options"] = {{"network", o.network.name},
                        {"latent_dim", o.network.latent_dim},
                        {"batch_size", o.batch_size},
                        {"learning_rate", o.learning_rate},
                        {"adam_betas", {o.adam_beta1, o.adam_beta2}},
                        {"ema_decay", o.ema_decay},
                        {"compute_precision", gad::to_string(o.compute_precision)},
                        {"degree", o.degree},
                        {"egbad_weight", o.egbad_weight},
                        {"threads", detector.threads()},
                        {"device", detector.device().str()}};
  if (validation != nullptr) {
    json values = json::array();
    for (const auto& v : fit.validations) {
      values.push_back({{"epoch", v.epoch + 1}, {"value", v.value}});
    }
    summary["selection"] = {
        {"validation_images", validation->size()},
        {"criterion", fit.criterion.name},
        {"higher_is_better", fit.criterion.higher_is_better},
        // The test metrics below are those of this epoch's weights.
        {"kept_epoch", fit.best_epoch >= 0 ? json(fit.best_epoch + 1) : json(nullptr)},
        {"validations", values}};
    std::cout << "kept epoch " << fit.best_epoch + 1 << " of " << fit.epochs_run << ": lowest "
              << fit.criterion.name << " on " << validation->size()
              << " held-out training normals (" << std::setprecision(5) << fit.best_validation_value
              << ")\n";
  }
  // The curve already has every epoch when a validation picked the weights (they need not be
  // the last epoch's), so the final scores are not appended to it as the last epoch's.
  final_epoch last{curve.get(), fit.epochs_run, fit.iterations};
  if (validation != nullptr || signals.received() != 0) last.curve = nullptr;
  const int status =
      report(s, split, all, fit.wall_seconds, score_seconds, std::move(summary), last);
  return signals.received() != 0 ? signals.exit_status() : status;
}

// The evaluation every model gets: for each score, AUROC, average precision, the trapezoidal
// AUPRC and P/R/F1 at the true ratio and under the reference's rule; then summary.json and
// scores.csv.
int report(const settings& s, const gad::data::split& split, const gad::named_scores& all,
           double train_seconds, double score_seconds, json summary, final_epoch last) {
  const std::vector<int> labels = to_labels(split.test.labels);
  std::int64_t anomalies = 0;
  for (int l : labels) anomalies += l;
  const double ratio = static_cast<double>(anomalies) / static_cast<double>(labels.size());
  summary["test"] = {{"images", static_cast<std::int64_t>(labels.size())},
                     {"anomalies", anomalies},
                     {"anomaly_ratio", ratio},
                     {"scoring_seconds", score_seconds}};

  std::cout << "\ntest set: " << labels.size() << " images, " << anomalies << " anomalous ("
            << std::fixed << std::setprecision(4) << ratio << ")\n";
  std::cout << "rule       AUROC   AP      AUPRC-trap | P/R/F1 @ true ratio    "
               "| P/R/F1 @ 10th percentile (reference)\n";
  json results = json::object();
  std::vector<std::pair<std::string, alad_example::rule_metrics>> rows;
  for (const auto& [rule, tensor] : all) {
    const alad_example::rule_metrics m = alad_example::evaluate_rule(to_vector(tensor), labels);
    std::printf("%-9s  %.4f  %.4f  %.4f     | %.4f %.4f %.4f     | %.4f %.4f %.4f\n", rule.c_str(),
                m.auroc, m.average_precision, m.auprc_trapezoid, m.at_true.precision,
                m.at_true.recall, m.at_true.f1, m.at_ref.precision, m.at_ref.recall, m.at_ref.f1);
    results[rule] = {{"auroc", m.auroc},
                     {"average_precision", m.average_precision},
                     {"auprc_trapezoid", m.auprc_trapezoid},
                     {"at_true_ratio", report_json(m.at_true, m.threshold_true)},
                     {"at_percentile_10", report_json(m.at_ref, m.threshold_ref)}};
    rows.emplace_back(rule, m);
  }
  if (last.curve != nullptr) {
    last.curve->add(last.epoch, last.iterations, train_seconds, rows);
    summary["curve_csv"] = last.curve->path().string();
    summary["curve_png"] = last.curve->png().string();
  }
  summary["results"] = results;
  std::cout << "training " << gad::report::format_duration(train_seconds) << ", scoring "
            << gad::report::format_duration(score_seconds) << "\n";

  const fs::path out(s.out);
  fs::create_directories(out);
  std::ostringstream csv;
  csv << "index,label,digit";
  for (const auto& kv : all) csv << ',' << kv.first;
  csv << '\n' << std::setprecision(9);
  const std::vector<int> digits = to_labels(split.test.classes);
  std::vector<std::vector<double>> columns;
  for (const auto& kv : all) columns.push_back(to_vector(kv.second));
  for (std::size_t i = 0; i < labels.size(); ++i) {
    csv << i << ',' << labels[i] << ',' << digits[i];
    for (const auto& c : columns) csv << ',' << c[i];
    csv << '\n';
  }
  write_atomically(out / "scores.csv", csv.str());
  write_atomically(out / "summary.json", summary.dump(2) + "\n");
  std::cout << "wrote " << (out / "summary.json").string() << " and "
            << (out / "scores.csv").string() << "\n";
  return 0;
}

// The linear baseline on the same split: PCA fitted to the training images, scored by the L1
// and L2 norms of the reconstruction error, plus the "ink" (sum of pixel intensities).
int run_pca(const settings& s, const gad::data::split& split, json summary) {
  const auto start = std::chrono::steady_clock::now();
  gad::baseline::pca_reconstruction pca(s.components);
  pca.fit(split.train.images);
  const double train_seconds = seconds_since(start);
  const auto score_start = std::chrono::steady_clock::now();
  const torch::Tensor& x = split.test.images;
  const gad::named_scores all{
      {"pca-l1", pca.score_l1(x).to(torch::kFloat)},
      {"pca-l2", pca.score_l2(x).to(torch::kFloat)},
      {"ink", ((x.flatten(1).to(torch::kDouble) + 1.0) / 2.0).sum(1).to(torch::kFloat)}};
  const double score_seconds = seconds_since(score_start);
  const double total_variance =
      (split.train.images.flatten(1).to(torch::kDouble).var(0)).sum().item<double>();
  std::cout << "PCA with " << s.components << " components on " << split.train.size()
            << " training images: " << std::fixed << std::setprecision(1)
            << 100.0 * pca.explained_variance().sum().item<double>() / total_variance
            << " % of the variance\n";
  summary["training"] = {
      {"images", split.train.size()},
      {"components", s.components},
      {"explained_variance_ratio", pca.explained_variance().sum().item<double>() / total_variance},
      {"seconds", train_seconds}};
  return report(s, split, all, train_seconds, score_seconds, std::move(summary));
}

}  // namespace

int main(int argc, char** argv) {
  settings s;
  CLI::App app{"ALAD / EGBAD anomaly detection on MNIST"};
  app.add_option("--label", s.label,
                 "the anomalous digit (--protocol anomalous) or the normal "
                 "digit (--protocol normal)")
      ->check(CLI::Range(0, 9));
  app.add_option("--model", s.model, "alad, egbad, or pca (the linear reconstruction baseline)")
      ->check(CLI::IsMember({"alad", "egbad", "pca"}));
  app.add_option("--components", s.components, "principal components of --model pca")
      ->check(CLI::PositiveNumber);
  app.add_option("--protocol", s.protocol, "anomalous (EGBAD's) or normal (ALAD's one-class)")
      ->check(CLI::IsMember({"anomalous", "normal"}));
  app.add_flag("--legacy-leaky-split", s.legacy_leaky_split,
               "redraw the test normals as the reference loader does (most were trained on)");
  app.add_option("--validation-fraction", s.validation_fraction,
                 "hold out this share of the training normals; keep the epoch whose weights give "
                 "them the lowest mean score (the model's own rule); 0 = keep the last epoch")
      ->check(CLI::Range(0.0, 0.9));
  app.add_option("--validation-score", s.validation_score,
                 "with --validation-fraction: the rule whose mean selects (l1, l2, fm, ch; "
                 "EGBAD: egbad-fm, egbad-ch, l1, l2); default: the model's own (ALAD fm)");
  app.add_option("--epochs", s.epochs, "training epochs")->check(CLI::PositiveNumber);
  app.add_option("--batch-size", s.batch_size, "default: the preset's (ALAD 32, EGBAD 100)");
  app.add_option("--lr", s.learning_rate, "default: the preset's (ALAD 2e-4, EGBAD 1e-5)");
  app.add_option("--ema-decay", s.ema_decay, "decay of the scoring networks' moving average");
  app.add_option("--degree", s.degree, "norm degree of the fm and EGBAD scores");
  app.add_option("--precision", s.precision,
                 "float32 (the references) or bfloat16 convolutions and matrix products (mixed "
                 "precision; faster only on CPUs with AMX or AVX512-BF16 and Ampere+ GPUs)")
      ->check(CLI::IsMember({"float32", "bfloat16"}))
      ->capture_default_str();
  app.add_option("--train-limit", s.train_limit,
                 "train on the first N images of the (shuffled) training split; 0 = all");
  app.add_option("--seed", s.seed, "master seed of the split, the weights and every draw");
  app.add_option("--threads", s.threads, "intra-op threads; 0 = all cores");
  app.add_option("--device", s.device, "auto, cpu, cuda or cuda:N");
  app.add_flag("--sn", s.sn, "spectral normalization (encoder and discriminators)");
  app.add_flag("--dzz", s.dzz, "add D_zz and its latent cycle loss (ALAD only)");
  app.add_option("--data", s.data, "folder with the four MNIST IDX files (.gz or raw)");
  app.add_option("--out", s.out, "output folder for summary.json and scores.csv");
  app.add_option("--progress-seconds", s.progress_seconds, "seconds between progress lines");
  app.add_option("--checkpoint-every", s.checkpoint_every,
                 "write a resumable <out>/checkpoint.gad every this many epochs (0 = never)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--curve-every", s.curve_every,
                 "score the test set every this many epochs into <out>/curve.csv (reporting "
                 "only; also writes checkpoint.gad)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--resume", s.resume,
                 "continue the fit saved in this checkpoint.gad (its options are used; the data "
                 "flags must be the same)")
      ->check(CLI::ExistingFile);
  CLI11_PARSE(app, argc, argv);
  for (int i = 0; i < argc; ++i) s.command_line += (i ? " " : "") + std::string(argv[i]);

  try {
    if (s.dzz && s.model != "alad") {
      throw gad::invalid_argument("--dzz needs --model alad: " + s.model + " has no D_zz");
    }
    if (!s.validation_score.empty() && s.validation_fraction <= 0.0) {
      throw gad::invalid_argument("--validation-score needs --validation-fraction");
    }
    if (!s.validation_score.empty() && s.model == "pca") {
      throw gad::invalid_argument(
          "--validation-score applies to the GAN models, not to --model pca");
    }
    if (s.sn && s.model == "pca") {
      throw gad::invalid_argument("--sn applies to the GAN models, not to --model pca");
    }
    if (s.model == "pca" && (s.checkpoint_every > 0 || s.curve_every > 0 || !s.resume.empty())) {
      throw gad::invalid_argument(
          "--checkpoint-every, --curve-every and --resume apply to the GAN models, not to "
          "--model pca");
    }
    const auto load_start = std::chrono::steady_clock::now();
    const gad::data::dataset mnist_train = gad::data::load_idx_folder(s.data, "train", 28, 28);
    const gad::data::dataset mnist_test = gad::data::load_idx_folder(s.data, "t10k", 28, 28);
    gad::data::split split;
    if (s.protocol == "anomalous") {
      gad::data::one_class_anomalous_options options;
      options.legacy_leaky_split = s.legacy_leaky_split;
      options.validation_fraction = s.validation_fraction;
      split = gad::data::one_class_anomalous(gad::data::concat(mnist_train, mnist_test), s.label,
                                             s.seed, options);
    } else {
      if (s.legacy_leaky_split) {
        throw gad::invalid_argument("--legacy-leaky-split applies to --protocol anomalous only");
      }
      split = gad::data::one_class_normal(mnist_train, mnist_test, s.label, s.seed,
                                          s.validation_fraction);
    }
    // The reference EGBAD feeds [-1, 1]; the generators end in tanh.
    split.train.images = gad::data::unit_to_symmetric(split.train.images);
    if (!split.validation.empty()) {
      split.validation.images = gad::data::unit_to_symmetric(split.validation.images);
    }
    split.test.images = gad::data::unit_to_symmetric(split.test.images);
    std::cout << "protocol " << split.protocol << ": " << split.train.size() << " training, "
              << split.validation.size() << " validation, " << split.test.size()
              << " test images (loaded in " << std::fixed << std::setprecision(1)
              << seconds_since(load_start) << " s)\n";

    json summary;
    summary["command"] = s.command_line;
    summary["model"] = s.model;
    summary["spectral_norm"] = s.sn;
    summary["dzz"] = s.dzz;
    summary["protocol"] = split.protocol;
    summary["label"] = s.label;
    summary["label_meaning"] = s.protocol == "anomalous" ? "anomalous digit" : "normal digit";
    summary["input_range"] = "[-1, 1]";
    summary["seed"] = s.seed;
    if (s.protocol == "normal" && s.model != "pca") {
      // The one-class tables' yardsticks, fitted on the same training images (all of them,
      // whatever --train-limit) and scored on the same test set.
      const gad_examples::baseline_aurocs base =
          gad_examples::score_baselines(split.train.images, split.test.images, split.test.labels);
      summary["baselines"] = {{"pca_components", gad_examples::baseline_aurocs::pca_components},
                              {"pca_auroc", base.pca},
                              {"knn_k", gad_examples::baseline_aurocs::knn_k},
                              {"knn_auroc", base.knn}};
      std::cout << "baselines on this split: PCA-" << gad_examples::baseline_aurocs::pca_components
                << " AUROC " << std::setprecision(4) << base.pca << ", "
                << gad_examples::baseline_aurocs::knn_k << "-NN AUROC " << base.knn << "\n";
    }

    using gad::norm::none;
    using gad::norm::spectral;
    if (s.model == "pca") return run_pca(s, split, summary);
    if (s.model == "egbad") {
      return s.sn ? run<gad::egbad<gad::score::egbad_term::fm, spectral>>(s, split, summary)
                  : run<gad::egbad<>>(s, split, summary);
    }
    if (s.dzz) {
      return s.sn ? run<gad::alad<spectral, gad::score::fm, gad::with_dzz>>(s, split, summary)
                  : run<gad::alad<none, gad::score::fm, gad::with_dzz>>(s, split, summary);
    }
    return s.sn ? run<gad::alad<spectral>>(s, split, summary) : run<gad::alad<>>(s, split, summary);
  } catch (const std::exception& e) {
    std::cerr << "alad_mnist: " << e.what() << "\n";
    return 1;
  }
}
