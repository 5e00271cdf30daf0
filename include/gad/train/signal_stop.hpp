#pragma once
// Ctrl-C and `kill` as a graceful stop, for programs that want it (the gad tool and the
// examples): while a stop_on_signals object lives, the first SIGINT or SIGTERM asks `stop`
// to end the fit after its current iteration, and a second one ends the process at once with
// status 128 + signal. gad installs no handler unless a program creates this object.
//
//   gad::train::stop_request stop;
//   gad::train::stop_on_signals signals(stop);
//   detector.fit(train, &validation, stop, gad::train::checkpoint_every{"run/last.gad", 8});
//   if (signals.received()) { detector.save("run/model.gad"); return signals.exit_status(); }
#include <gad/train/stop_request.hpp>

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <stdexcept>

namespace gad::train {

namespace signal_detail {
inline std::atomic<stop_request*> target{nullptr};
inline volatile std::sig_atomic_t received = 0;

inline void on_signal(int sig) {
  if (received != 0) ::_exit(128 + sig);  // the second signal: quit now
  received = sig;
  if (stop_request* s = target.load()) s->request();
  static const char note[] =
      "\ngad: stopping after this iteration, then saving (send the signal again to quit now)\n";
  [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, note, sizeof note - 1);
}
}  // namespace signal_detail

class stop_on_signals {
 public:
  explicit stop_on_signals(stop_request& stop) {
    stop_request* none = nullptr;
    if (!signal_detail::target.compare_exchange_strong(none, &stop)) {
      throw std::logic_error("gad: only one stop_on_signals may exist at a time");
    }
    signal_detail::received = 0;
    struct sigaction sa {};
    sa.sa_handler = signal_detail::on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;  // system calls in flight (file writes) continue
    ::sigaction(SIGINT, &sa, &old_int_);
    ::sigaction(SIGTERM, &sa, &old_term_);
  }
  ~stop_on_signals() {
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
    signal_detail::target.store(nullptr);
  }
  stop_on_signals(const stop_on_signals&) = delete;
  stop_on_signals& operator=(const stop_on_signals&) = delete;

  /// The signal that asked to stop (SIGINT, SIGTERM), or 0.
  int received() const noexcept { return static_cast<int>(signal_detail::received); }
  /// The shell's convention for a process ended by that signal: 130 for SIGINT, 143 for SIGTERM.
  int exit_status() const noexcept { return 128 + received(); }

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

}  // namespace gad::train
