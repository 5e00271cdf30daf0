#pragma once
// Callbacks shared by the detector and checkpoint tests: they watch a fit or cut it short.
#include <gad/train/callbacks.hpp>
#include <gad/train/stop_request.hpp>

#include <cstdint>

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

/// Asks `stop` to end the fit after overall iteration `at`, as another thread or a signal
/// handler would: the request reaches the fit through the stop_request callback.
struct request_stop_at {
  gad::train::stop_request* stop;
  std::int64_t at;
  void on_iteration_end(const gad::train::iteration_info& i) const {
    if (i.iteration == at) stop->request();
  }
};

}  // namespace gad_test
