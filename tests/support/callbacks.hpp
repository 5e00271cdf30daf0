#pragma once
// Test doubles shared by the detector and checkpoint tests: callbacks that watch or cut a fit
// short, and a catcher that turns an expected exception into its message for matching.
#include <gad/train/callbacks.hpp>

#include <string>
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

/// The message of the `Error` that `f()` throws, or a marker that matches no expected text
/// when it throws nothing (any other exception propagates and fails the test).
template <class Error, class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(the expected exception was not thrown)";
}

}  // namespace gad_test
