#pragma once
// What fit() hands back: which weights the detector ended up with and how training went.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace gad {

struct validation_record {
  int epoch = 0;  ///< 0-based epoch after which validation ran
  double auroc = 0.0;
  bool eligible = false;  ///< inside the checkpoint-selection window
};

struct fit_report {
  /// Epoch (0-based) whose weights were restored into the detector, or -1 when no eligible
  /// validation happened (no validation set, or too few epochs): the detector then holds the
  /// weights of the last epoch trained.
  int best_epoch = -1;
  double best_validation_auroc = std::numeric_limits<double>::quiet_NaN();
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

}  // namespace gad
