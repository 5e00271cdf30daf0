#pragma once
// The test-set metrics of every score rule, and a callback that records them every few epochs
// while ALAD or EGBAD trains. An ALAD epoch on full MNIST takes a quarter of an hour on a
// 2-core CPU, so a long run needs both a resumable state on disk and a way to see where it is
// heading before it ends.
//
// The curve is for reading, not for choosing: nothing is selected on the test set. The numbers
// the example reports at the end are those of the last epoch's weights, or, with
// --validation-fraction, of the epoch the held-out training normals chose.
#include <gad/metrics/precision_recall.hpp>
#include <gad/metrics/roc.hpp>
#include <gad/metrics/threshold.hpp>
#include <gad/report/output.hpp>
#include <gad/report/plot/charts.hpp>
#include <gad/train/callbacks.hpp>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace alad_example {

struct rule_metrics {
  double auroc = 0.0;
  double average_precision = 0.0;
  double auprc_trapezoid = 0.0;
  double threshold_true = 0.0;  ///< flags as many images as there are anomalies
  gad::metrics::binary_report at_true;
  double threshold_ref = 0.0;  ///< the reference's rule: the 10th percentile of the scores
  gad::metrics::binary_report at_ref;
};

inline double anomaly_ratio(const std::vector<int>& labels) {
  std::int64_t anomalies = 0;
  for (int l : labels) anomalies += l;
  return static_cast<double>(anomalies) / static_cast<double>(labels.size());
}

inline rule_metrics evaluate_rule(const std::vector<double>& scores,
                                  const std::vector<int>& labels) {
  rule_metrics m;
  m.auroc = gad::metrics::auroc(scores, labels);
  m.average_precision = gad::metrics::average_precision(scores, labels);
  m.auprc_trapezoid = gad::metrics::auprc_trapezoid(scores, labels);
  m.threshold_true = gad::metrics::threshold_from_contamination(scores, anomaly_ratio(labels));
  m.at_true = gad::metrics::precision_recall_f1(scores, labels, m.threshold_true);
  m.threshold_ref = gad::metrics::threshold_from_percentile(scores, 10.0);
  m.at_ref = gad::metrics::precision_recall_f1(scores, labels, m.threshold_ref);
  return m;
}

/// One CSV row per (epoch, rule): epoch,iterations,train_seconds,rule,auroc,average_precision,
/// f1_at_true_ratio, and beside it a PNG of AUROC against epoch, one line per rule. A fresh run
/// starts the file; a resumed one appends to it (and plots the earlier rows too).
class curve_file {
 public:
  curve_file(std::filesystem::path path, bool append) : path_(std::move(path)) {
    if (append && std::filesystem::exists(path_)) {
      read_back();
      return;
    }
    std::ofstream out(path_, std::ios::trunc);
    out << "epoch,iterations,train_seconds,rule,auroc,average_precision,f1_at_true_ratio\n";
    if (!out) throw gad::error("cannot write " + path_.string());
  }

  /// Appends one epoch's rows and prints them as one line.
  void add(int epoch, std::int64_t iterations, double seconds,
           const std::vector<std::pair<std::string, rule_metrics>>& rows) {
    std::ofstream out(path_, std::ios::app);
    std::printf("test curve, epoch %d:", epoch);
    for (const auto& [rule, m] : rows) {
      out << epoch << ',' << iterations << ',' << seconds << ',' << rule << ',' << m.auroc << ','
          << m.average_precision << ',' << m.at_true.f1 << '\n';
      std::printf("  %s AUROC %.4f F1 %.4f", rule.c_str(), m.auroc, m.at_true.f1);
    }
    std::printf("\n");
    std::fflush(stdout);
    out.close();
    if (!out) throw gad::error("cannot append to " + path_.string());
    for (const auto& [rule, m] : rows) point(rule, epoch, m.auroc);
    gad::plot::line_png(png().string(), lines_, "Test AUROC per epoch (not used to select)",
                        "epoch", "AUROC");
  }

  const std::filesystem::path& path() const noexcept { return path_; }
  std::filesystem::path png() const {
    return std::filesystem::path(path_).replace_extension(".png");
  }

 private:
  void point(const std::string& rule, double epoch, double auroc) {
    for (auto& line : lines_) {
      if (line.name == rule) {
        line.x.push_back(epoch);
        line.y.push_back(auroc);
        return;
      }
    }
    lines_.push_back({rule, {epoch}, {auroc}});
  }

  // The rows an earlier process wrote, so that the plot of a resumed run shows the whole fit.
  void read_back() {
    std::ifstream in(path_);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::vector<std::string> f;
      std::size_t from = 0;
      for (std::size_t at; (at = line.find(',', from)) != std::string::npos; from = at + 1) {
        f.push_back(line.substr(from, at - from));
      }
      f.push_back(line.substr(from));
      if (f.size() != 7) continue;  // a line cut short by an interruption
      try {
        point(f[3], std::stod(f[0]), std::stod(f[4]));
      } catch (const std::exception&) {
        continue;
      }
    }
  }

  std::vector<gad::plot::series> lines_;
  std::filesystem::path path_;
};

/// At the end of every `checkpoint_every`-th epoch, and of every `curve_every`-th, writes the
/// resumable training state to `checkpoint`; on curve epochs it then loads that file into a
/// second detector and scores the test set with every rule. The last epoch is left to the
/// caller's final report. The probe is built before training starts and the default CPU
/// generator (dropout's) is put back afterwards, so recording a curve does not change the run.
template <class Detector>
class epoch_records {
 public:
  /// With `validation_images` (held-out normals that choose the weights fit() ends with, which
  /// need not be the last epoch's) the last epoch is scored here too, and each curve epoch
  /// appends the validation mean of every rule to `validation_means` (epoch,rule,mean): what
  /// each rule, not only the one selecting, would have chosen.
  epoch_records(const gad::bigan_options& options, int checkpoint_every, int curve_every,
                std::filesystem::path checkpoint, torch::Tensor test_images,
                std::vector<int> test_labels, curve_file* curve,
                torch::Tensor validation_images = {}, std::filesystem::path validation_means = {},
                bool append = false)
      : checkpoint_every_(checkpoint_every),
        curve_every_(curve_every),
        validation_(std::move(validation_images)),
        validation_means_(std::move(validation_means)),
        checkpoint_(std::move(checkpoint)),
        images_(std::move(test_images)),
        labels_(std::move(test_labels)),
        curve_(curve) {
    if (curve_every_ > 0) probe_ = std::make_unique<Detector>(options);
    if (curve_every_ > 0 && validation_.defined() &&
        !(append && std::filesystem::exists(validation_means_))) {
      std::ofstream out(validation_means_, std::ios::trunc);
      out << "epoch,rule,mean\n";
      if (!out) throw gad::error("cannot write " + validation_means_.string());
    }
  }

  void on_epoch_end(const gad::train::epoch_info& e) {
    iterations_ = e.iterations;
    seconds_ = e.elapsed_seconds;
  }

  void on_checkpoint(const gad::train::checkpoint_info& c) {
    // A fit stopped inside an epoch (Ctrl-C): its state is kept for --resume, but a half
    // epoch is no point of the learning curve.
    if (c.inside_epoch) {
      if (checkpoint_every_ > 0) c.save(checkpoint_);
      return;
    }
    const int done = c.epoch + 1;
    const bool last = done == c.epochs;
    // With held-out normals the last epoch need not be the one kept, so it is scored here too.
    const bool curve =
        curve_every_ > 0 && (last ? validation_.defined() : done % curve_every_ == 0);
    const bool keep =
        checkpoint_every_ > 0 && (done % checkpoint_every_ == 0 || last || c.stopping);
    if (!curve && !keep) return;
    c.save(checkpoint_);
    if (!curve) return;
    at::Generator cpu = at::detail::getDefaultCPUGenerator();
    const at::Tensor state = cpu.get_state();
    probe_->load(checkpoint_);
    std::vector<std::pair<std::string, rule_metrics>> rows;
    for (const auto& [rule, scores] : probe_->all_scores(images_)) {
      rows.emplace_back(rule, evaluate_rule(gad::report::to_vector(scores), labels_));
    }
    if (validation_.defined()) {
      std::ofstream out(validation_means_, std::ios::app);
      out << std::setprecision(9);
      std::printf("validation means, epoch %d:", done);
      for (const auto& [rule, scores] : probe_->all_scores(validation_)) {
        const double mean = scores.to(torch::kDouble).mean().template item<double>();
        out << done << ',' << rule << ',' << mean << '\n';
        std::printf("  %s %.5g", rule.c_str(), mean);
      }
      std::printf("\n");
      if (!out) throw gad::error("cannot append to " + validation_means_.string());
    }
    cpu.set_state(state);
    curve_->add(done, iterations_, seconds_, rows);
  }

 private:
  int checkpoint_every_;
  int curve_every_;
  torch::Tensor validation_;
  std::filesystem::path validation_means_;
  std::filesystem::path checkpoint_;
  torch::Tensor images_;
  std::vector<int> labels_;
  curve_file* curve_;
  std::unique_ptr<Detector> probe_;
  std::int64_t iterations_ = 0;
  double seconds_ = 0.0;
};

}  // namespace alad_example
