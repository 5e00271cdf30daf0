#pragma once
// Asking a running fit() to stop, from anywhere: another thread, a callback, a signal handler.
//
//   gad::train::stop_request stop;                       // outlives the fit
//   std::thread watchdog([&] { ...; stop.request(); });
//   detector.fit(train, &validation, stop, gad::train::checkpoint_every{"run/last.gad", 8});
//
// The fit finishes the iteration it is in (on a GPU, up to loss_read_interval iterations),
// keeps the best checkpoint selected so far, offers a last checkpoint that resume() continues
// from at the next iteration, and returns with report.stopped_early. The library installs no
// signal handler: a program that wants Ctrl-C to stop training gracefully calls request()
// from its own handler (the gad tool and the examples do; see tools/cli/interrupt.hpp).
#include <gad/train/callbacks.hpp>

#include <atomic>

namespace gad::train {

class stop_request {
 public:
  stop_request() = default;
  stop_request(const stop_request&) = delete;
  stop_request& operator=(const stop_request&) = delete;

  /// Async-signal-safe: one lock-free atomic store.
  void request() noexcept { requested_.store(true, std::memory_order_relaxed); }
  bool requested() const noexcept { return requested_.load(std::memory_order_relaxed); }
  /// Allows the next fit to run to its end again.
  void reset() noexcept { requested_.store(false, std::memory_order_relaxed); }

  /// As a fit() callback: stops after the iteration in which the request arrived.
  bool on_iteration_end(const iteration_info&) const noexcept { return requested(); }

 private:
  static_assert(std::atomic<bool>::is_always_lock_free,
                "stop_request::request must be callable from a signal handler");
  std::atomic<bool> requested_{false};
};

}  // namespace gad::train
