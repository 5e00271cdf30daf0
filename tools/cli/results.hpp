#pragma once
// What `train` and `evaluate` write about a scored, labelled set: the metrics as JSON, one CSV
// row per sample, and the ROC and score-histogram figures.
#include <gad/metrics/roc.hpp>
#include <gad/metrics/tensor.hpp>
#include <gad/report/json.hpp>
#include <gad/report/output.hpp>
#include <gad/report/plot/charts.hpp>
#include <gad/train/fit_report.hpp>

#include <torch/types.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <iomanip>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace gad_cli {

using json = nlohmann::ordered_json;
using gad::report::report_json;
using gad::report::to_vector;
using gad::report::write_atomically;

// The detector's own decisions (score >= threshold, metrics::is_anomalous) against the labels.
inline gad::metrics::binary_report decisions_report(const torch::Tensor& predictions,
                                                    const torch::Tensor& labels) {
  gad::metrics::binary_report r;
  const auto p = predictions.to(torch::kBool);
  const auto y = labels.to(torch::kBool);
  r.tp = (p & y).sum().item<std::int64_t>();
  r.fp = (p & ~y).sum().item<std::int64_t>();
  r.fn = (~p & y).sum().item<std::int64_t>();
  r.tn = (~p & ~y).sum().item<std::int64_t>();
  r.precision = r.tp + r.fp > 0 ? static_cast<double>(r.tp) / (r.tp + r.fp) : 0.0;
  r.recall = r.tp + r.fn > 0 ? static_cast<double>(r.tp) / (r.tp + r.fn) : 0.0;
  r.f1 = r.precision + r.recall > 0 ? 2 * r.precision * r.recall / (r.precision + r.recall) : 0.0;
  return r;
}

/// Ranking metrics (need both classes: gad::metrics throws a clear error otherwise) and the
/// decisions at the detector's threshold and at the true anomaly ratio.
inline json metrics_json(const torch::Tensor& scores, const torch::Tensor& labels,
                         const torch::Tensor& predictions, double threshold) {
  const std::int64_t anomalous = labels.sum().item<std::int64_t>();
  return json{{"normal", labels.size(0) - anomalous},
              {"anomalous", anomalous},
              {"auroc", gad::metrics::auroc(scores, labels)},
              {"average_precision", gad::metrics::average_precision(scores, labels)},
              {"threshold", threshold},
              {"at_threshold", report_json(decisions_report(predictions, labels))},
              {"at_true_ratio",
               report_json(gad::metrics::precision_recall_f1_at_true_ratio(scores, labels))}};
}

/// index,label,class,score,prediction (label and class only when known).
inline void write_scores_csv(const std::filesystem::path& path, const torch::Tensor& scores,
                             const torch::Tensor& predictions, const torch::Tensor& labels = {},
                             const torch::Tensor& classes = {},
                             const std::vector<std::string>& files = {}) {
  std::ostringstream csv;
  csv << "index" << (files.empty() ? "" : ",file") << (labels.defined() ? ",label" : "")
      << (classes.defined() ? ",class" : "") << ",score,prediction\n"
      << std::setprecision(9);
  const auto s = to_vector(scores);
  const auto p = predictions.to(torch::kCPU, torch::kLong).contiguous();
  const auto y = labels.defined() ? labels.to(torch::kCPU, torch::kLong).contiguous() : labels;
  const auto c = classes.defined() ? classes.to(torch::kCPU, torch::kLong).contiguous() : classes;
  for (std::int64_t i = 0; i < scores.size(0); ++i) {
    csv << i;
    if (!files.empty()) csv << ',' << files[static_cast<std::size_t>(i)];
    if (y.defined()) csv << ',' << y.data_ptr<std::int64_t>()[i];
    if (c.defined()) csv << ',' << c.data_ptr<std::int64_t>()[i];
    csv << ',' << s[static_cast<std::size_t>(i)] << ',' << p.data_ptr<std::int64_t>()[i] << '\n';
  }
  write_atomically(path, csv.str());
}

/// roc.png and histogram.png in `dir`.
inline void write_score_figures(const std::filesystem::path& dir, const torch::Tensor& scores,
                                const torch::Tensor& labels, const std::string& what) {
  const auto roc = gad::metrics::roc_curve(scores, labels, /*drop_intermediate=*/true);
  gad::plot::roc_png((dir / "roc.png").string(), roc.fpr, roc.tpr,
                     gad::metrics::auroc(scores, labels), "ROC, " + what);
  const auto rows = [&](std::int64_t label) {
    return to_vector(scores.index_select(0, labels.eq(label).nonzero().flatten()));
  };
  gad::plot::histogram_png((dir / "histogram.png").string(), rows(0), rows(1), 20,
                           "Scores, " + what);
}

/// loss_curves.png (mean loss per epoch) and, when validations ran, validation_auroc.png or
/// (validation on normals only) validation_mean_score.png.
inline void write_training_figures(const std::filesystem::path& dir, const gad::fit_report& r) {
  if (r.epoch_losses.empty()) return;
  std::vector<gad::plot::series> lines;
  for (std::size_t k = 0; k < r.loss_names.size(); ++k) {
    gad::plot::series line{r.loss_names[k], {}, {}};
    for (std::size_t e = 0; e < r.epoch_losses.size(); ++e) {
      line.x.push_back(static_cast<double>(e + 1));
      line.y.push_back(r.epoch_losses[e][k]);
    }
    lines.push_back(std::move(line));
  }
  gad::plot::line_png((dir / "loss_curves.png").string(), lines, "Mean loss per epoch", "epoch",
                      "loss");
  const std::string& criterion = r.criterion.name;
  gad::plot::series val{"validation " + criterion, {}, {}};
  for (const auto& v : r.validations) {
    val.x.push_back(v.epoch + 1);
    val.y.push_back(v.value);
  }
  if (!val.x.empty()) {
    const char* file =
        r.criterion.higher_is_better ? "validation_auroc.png" : "validation_mean_score.png";
    gad::plot::line_png((dir / file).string(), {val}, "Validation " + criterion, "epoch",
                        criterion);
  }
}

inline json fit_json(const gad::fit_report& r) {
  json validations = json::array();
  for (const auto& v : r.validations) {
    validations.push_back({{"epoch", v.epoch + 1},
                           {"value", v.value},
                           {"eligible", v.eligible},
                           {"elapsed_seconds", v.elapsed_seconds}});
  }
  json last_losses = json::object();
  if (!r.epoch_losses.empty()) {
    for (std::size_t k = 0; k < r.loss_names.size(); ++k) {
      last_losses[r.loss_names[k]] = r.epoch_losses.back()[k];
    }
  }
  return json{
      {"epochs_run", r.epochs_run},
      {"iterations", r.iterations},
      {"iterations_per_epoch", r.iterations_per_epoch},
      {"stopped_early", r.stopped_early},
      // Epochs are counted from 1 here, as on the console.
      {"kept_epoch", r.best_epoch >= 0 ? json(r.best_epoch + 1) : json(nullptr)},
      {"validation_criterion", r.criterion.name},
      {"validation_higher_is_better", r.criterion.higher_is_better},
      {"best_validation_value", r.best_epoch >= 0 ? json(r.best_validation_value) : json(nullptr)},
      {"last_epoch_losses", last_losses},
      {"validations", validations},
      {"threshold", r.threshold},
      {"train_seconds", r.wall_seconds},
      // NaN (no checkpoint kept, or resumed from a file without the times) is written as null.
      {"seconds_to_kept_epoch", gad::seconds_to_best(r)}};
}

}  // namespace gad_cli
