#pragma once
// Callbacks shared by the detector and checkpoint tests: they watch a fit or cut it short.
#include <gad/train/callbacks.hpp>

#include <vector>

namespace gad_test {

/// Records which epochs a fit ran.
struct epochs_seen {
  std::vector<int> epochs;
  void on_epoch_end(const gad::train::epoch_info& e) { epochs.push_back(e.epoch); }
};

/// Stops the fit right after the checkpoint of `epoch` (0-based) was written.
struct stop_after {
  int epoch;
  bool on_checkpoint(const gad::train::checkpoint_info& c) const { return c.epoch == epoch; }
};

}  // namespace gad_test
