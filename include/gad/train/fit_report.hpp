#pragma once
// What fit() hands back: which weights the detector ended up with and how training went.
// Shared by every engine, together with the bookkeeping that fills it the same way for all.
#include <gad/train/callbacks.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace gad {

/// What a validation measures, and in which direction it improves: AUROC when the validation
/// set holds both classes, or (ALAD, EGBAD) the mean anomaly score of a validation set of
/// normal samples only, which needs no labelled anomalies and is better when lower.
struct validation_criterion {
  std::string name = "AUROC";
  bool higher_is_better = true;

  bool better_or_equal(double value, double best) const {
    return higher_is_better ? value >= best : value <= best;
  }
};

inline bool operator==(const validation_criterion& a, const validation_criterion& b) {
  return a.name == b.name && a.higher_is_better == b.higher_is_better;
}
inline bool operator!=(const validation_criterion& a, const validation_criterion& b) {
  return !(a == b);
}

struct validation_record {
  int epoch = 0;          ///< 0-based epoch after which validation ran
  double value = 0.0;     ///< of the report's criterion
  bool eligible = false;  ///< inside the checkpoint-selection window
  /// Training wall time when this validation finished, from the start of the fit (earlier
  /// runs of a resumed fit included); NaN when read from a checkpoint that did not record it.
  double elapsed_seconds = std::numeric_limits<double>::quiet_NaN();
};

struct fit_report {
  /// Epoch (0-based) whose weights were restored into the detector, or -1 when no eligible
  /// validation happened (no validation set, or too few epochs): the detector then holds the
  /// weights of the last epoch trained.
  int best_epoch = -1;
  /// What the validations measured (AUROC unless the validation set held only normals).
  validation_criterion criterion;
  /// The criterion's value at best_epoch; NaN without one.
  double best_validation_value = std::numeric_limits<double>::quiet_NaN();
  int epochs_run = 0;
  std::int64_t iterations_per_epoch = 0;
  std::int64_t iterations = 0;
  bool stopped_early = false;  ///< a callback asked to stop
  /// Column names of epoch_losses (e.g. d_real, ..., d_total, g).
  std::vector<std::string> loss_names;
  /// Per epoch, the mean of each loss over that epoch's iterations.
  std::vector<std::vector<double>> epoch_losses;
  std::vector<validation_record> validations;
  /// Decision threshold in force after fit (see algan_options::contamination).
  double threshold = 0.0;
  double wall_seconds = 0.0;
};

/// Records one validation in `report`; true when it becomes the best checkpoint. Only eligible
/// validations compete, and ties go to the later epoch, as in the ALGAN reference code.
inline bool record_validation(fit_report& report, int epoch, double value, bool eligible,
                              double elapsed_seconds) {
  const bool selected =
      eligible && (report.best_epoch < 0 ||
                   report.criterion.better_or_equal(value, report.best_validation_value));
  if (selected) {
    report.best_epoch = epoch;
    report.best_validation_value = value;
  }
  report.validations.push_back({epoch, value, eligible, elapsed_seconds});
  return selected;
}

/// Training wall time until the selected checkpoint had been validated: what a run needs at
/// least to reach the weights it keeps. NaN without a selected checkpoint, or when the
/// checkpoint a fit was resumed from did not record the time.
inline double seconds_to_best(const fit_report& report) {
  for (const auto& v : report.validations) {
    if (v.epoch == report.best_epoch) return v.elapsed_seconds;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

/// What the on_train_end hook receives, derived from the finished report.
inline train::train_end_info train_end_of(const fit_report& report) {
  train::train_end_info end;
  end.epochs_run = report.epochs_run;
  end.iterations = report.iterations;
  end.wall_seconds = report.wall_seconds;
  end.stopped_early = report.stopped_early;
  end.best_epoch = report.best_epoch;
  end.best_value = report.best_validation_value;
  end.criterion = report.criterion.name;
  return end;
}

}  // namespace gad
