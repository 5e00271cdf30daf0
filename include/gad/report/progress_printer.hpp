#pragma once
// A training callback for logs and pipes: plain lines, one per epoch and one per validation
// (the progress bar in progress_bar.hpp redraws one line on a terminal instead).
#include <gad/train/callbacks.hpp>
#include <gad/report/format.hpp>

#include <iomanip>
#include <iostream>
#include <ostream>
#include <sstream>
#include <string>

namespace gad::report {

/// One line per epoch (losses, time per epoch, elapsed, ETA) and one per validation.
class progress_printer {
 public:
  explicit progress_printer(std::ostream& out = std::cout, int every = 1)
      : out_(&out), every_(every < 1 ? 1 : every) {}

  void on_epoch_end(const epoch_info& e) {
    if ((e.epoch + 1) % every_ != 0 && e.epoch + 1 != e.epochs) return;
    std::ostringstream line;
    const int width = static_cast<int>(std::to_string(e.epochs).size());
    line << "epoch " << std::setw(width) << e.epoch + 1 << "/" << e.epochs << std::fixed
         << std::setprecision(4);
    for (const auto& [name, value] : e.losses) line << "  " << name << " " << value;
    line << std::setprecision(2) << "  " << e.epoch_seconds << " s"
         << "  elapsed " << format_duration(e.elapsed_seconds) << "  eta "
         << format_duration(e.eta_seconds) << '\n';
    *out_ << line.str() << std::flush;
  }

  void on_validation(const validation_info& v) {
    *out_ << "  " + validation_summary(v) + '\n' << std::flush;
  }

 private:
  std::ostream* out_;
  int every_;
};

}  // namespace gad::report
