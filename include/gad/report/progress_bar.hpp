#pragma once
// A training callback for people watching: on a terminal, one line redrawn in place (a bar over
// the whole fit, the epoch, the latest losses, elapsed time and ETA); anywhere else — a log
// file, CI, a pipe — plain lines at most every `period` seconds, because carriage returns make
// unreadable logs. Validations and the end of training are always reported.
#include <gad/report/format.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <ostream>
#include <sstream>
#include <string>

#if defined(_WIN32)
#include <io.h>
#else
#include <sys/ioctl.h>
#include <unistd.h>
#endif
#include <cstdlib>

namespace gad::report {

/// True when the standard error stream is a terminal (where a redrawn bar makes sense).
inline bool stderr_is_terminal() {
#if defined(_WIN32)
  return _isatty(_fileno(stderr)) != 0;
#else
  return ::isatty(STDERR_FILENO) != 0;
#endif
}

/// Columns of the terminal on standard error; COLUMNS or 80 when it cannot be asked.
inline int terminal_columns() {
#if !defined(_WIN32)
  winsize size{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
#endif
  if (const char* columns = std::getenv("COLUMNS")) {
    const int n = std::atoi(columns);
    if (n > 0) return n;
  }
  return 80;
}

struct progress_bar_options {
  /// Redraw one line in place; by default, when standard error is a terminal.
  bool interactive = stderr_is_terminal();
  /// Interactive: least seconds between redraws. Plain: least seconds between epoch lines.
  double period = 0.0;  // 0 = 0.1 s interactive, 10 s plain
  int width = 24;       ///< characters of the bar itself
  /// Longest redrawn line; a line that wrapped could no longer be redrawn in place. 0 = one
  /// less than the terminal's width.
  int columns = 0;
};

class progress_bar {
 public:
  explicit progress_bar(std::ostream& out = std::cerr, progress_bar_options options = {})
      : out_(&out), options_(options) {
    if (options_.period <= 0.0) options_.period = options_.interactive ? 0.1 : 10.0;
    if (options_.width < 4) options_.width = 4;
    if (options_.columns <= 0)
      options_.columns = options_.interactive ? terminal_columns() - 1 : 200;
  }

  bool interactive() const noexcept { return options_.interactive; }

  void on_iteration_end(const iteration_info& it) {
    const auto now = clock::now();
    if (!started_) {
      // A resumed fit starts part-way: the rate counts only what this process trains.
      started_ = true;
      start_ = now;
      first_iteration_ = it.iteration;
    }
    epoch_ = it.epoch;
    epochs_ = it.epochs;
    total_ = static_cast<std::int64_t>(it.epochs) * it.iterations_per_epoch;
    done_ = it.iteration + 1;
    losses_ = it.losses;
    if (options_.interactive && seconds(now - last_draw_) >= options_.period) {
      last_draw_ = now;
      draw();
    }
  }

  void on_epoch_end(const epoch_info& e) {
    epoch_ = e.epoch;
    epochs_ = e.epochs;
    if (options_.interactive) {
      draw();
      return;
    }
    const auto now = clock::now();
    const bool last = e.epoch + 1 == e.epochs;
    if (!last && printed_epoch_line_ && seconds(now - last_line_) < options_.period) return;
    printed_epoch_line_ = true;
    last_line_ = now;
    std::ostringstream line;
    line << "epoch " << e.epoch + 1 << "/" << e.epochs << std::fixed << std::setprecision(4);
    for (const auto& [name, value] : e.losses) line << "  " << name << " " << value;
    line << "  elapsed " << format_duration(e.elapsed_seconds) << "  eta "
         << format_duration(e.eta_seconds) << '\n';
    *out_ << line.str() << std::flush;
  }

  void on_validation(const validation_info& v) { print_above_bar(validation_summary(v)); }

  void on_train_end(const train_end_info& end) {
    std::ostringstream line;
    line << "trained " << end.epochs_run << " epochs (" << end.iterations << " iterations) in "
         << format_duration(end.wall_seconds);
    if (end.stopped_early) line << ", stopped early";
    if (end.best_epoch >= 0) {
      line << "; kept epoch " << end.best_epoch + 1 << " (validation " << end.criterion << " "
           << std::fixed << std::setprecision(5) << end.best_value << ")";
    }
    if (options_.interactive && started_) {
      draw();  // leave the full bar on screen, then report below it
      *out_ << '\n';
      drawn_width_ = 0;
    }
    *out_ << line.str() << '\n' << std::flush;
  }

  /// The line drawn on a terminal (without the leading carriage return), for tests: bar,
  /// epoch, elapsed and remaining time, then as many of the latest losses as fit.
  std::string bar_line() const {
    std::ostringstream line;
    const double fraction = total_ > 0 ? static_cast<double>(done_) / total_ : 0.0;
    const int filled = static_cast<int>(fraction * options_.width + 1e-9);
    line << '[' << std::string(static_cast<std::size_t>(filled), '#')
         << std::string(static_cast<std::size_t>(options_.width - filled), '.') << "] "
         << std::setw(3) << static_cast<int>(fraction * 100.0) << "%  epoch " << epoch_ + 1 << "/"
         << epochs_ << "  " << format_duration(started_ ? seconds(clock::now() - start_) : 0.0)
         << " eta " << format_duration(eta_seconds()) << std::fixed << std::setprecision(3);
    for (const auto& [name, value] : losses_) line << "  " << name << " " << value;
    std::string text = line.str();
    if (text.size() > static_cast<std::size_t>(options_.columns)) {
      text.resize(static_cast<std::size_t>(options_.columns));
    }
    return text;
  }

 private:
  using clock = std::chrono::steady_clock;
  static double seconds(clock::duration d) { return std::chrono::duration<double>(d).count(); }

  double eta_seconds() const {
    const std::int64_t trained = done_ - first_iteration_;
    if (!started_ || trained <= 0) return -1.0;  // formats as "?"
    const double per_iteration = seconds(clock::now() - start_) / static_cast<double>(trained);
    return per_iteration * static_cast<double>(total_ - done_);
  }

  void draw() {
    std::string line = bar_line();
    // Pad over the remains of a longer previous line instead of relying on terminal escapes.
    const std::size_t shown = line.size();
    if (shown < drawn_width_) line.append(drawn_width_ - shown, ' ');
    drawn_width_ = shown;
    *out_ << '\r' << line << std::flush;
  }

  void print_above_bar(const std::string& text) {
    if (options_.interactive && drawn_width_ > 0) {
      *out_ << '\r' << std::string(drawn_width_, ' ') << '\r';
      drawn_width_ = 0;
    }
    *out_ << text << '\n' << std::flush;
    if (options_.interactive && started_) draw();
  }

  std::ostream* out_;
  progress_bar_options options_;
  bool started_ = false;
  clock::time_point start_{};
  clock::time_point last_draw_{};
  clock::time_point last_line_{};
  bool printed_epoch_line_ = false;
  std::int64_t first_iteration_ = 0;
  std::int64_t done_ = 0;
  std::int64_t total_ = 0;
  int epoch_ = 0;
  int epochs_ = 0;
  named_values losses_;
  std::size_t drawn_width_ = 0;
};

}  // namespace gad::report
