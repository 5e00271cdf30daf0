#pragma once
// Stops a fit once validation has stopped improving: after `patience` validations in the
// selection window in a row that did not become the best checkpoint. The detector then holds
// the best checkpoint, as after a full run.
#include <gad/train/callbacks.hpp>

namespace gad::train {

class early_stopping {
 public:
  explicit early_stopping(int patience = 4) : patience_(patience < 1 ? 1 : patience) {}

  bool on_validation(const validation_info& v) {
    // Validations before the selection window cannot become the checkpoint: they say nothing
    // about whether training still improves the one that will be kept.
    if (!v.eligible) return false;
    since_best_ = v.selected ? 0 : since_best_ + 1;
    return since_best_ >= patience_;
  }

  int patience() const noexcept { return patience_; }
  /// Eligible validations since the last new best.
  int since_best() const noexcept { return since_best_; }

 private:
  int patience_;
  int since_best_ = 0;
};

}  // namespace gad::train
