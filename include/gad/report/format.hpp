#pragma once
// How gad's progress output writes durations and validations; shared by the progress printer,
// the progress bar and the programs that print their own summaries.
#include <gad/train/callbacks.hpp>

#include <cmath>
#include <cstdio>
#include <iomanip>
#include <sstream>
#include <string>

namespace gad::report {

// The callback payloads, so that the report's callbacks read as members of one namespace.
using train::epoch_info;
using train::iteration_info;
using train::named_values;
using train::train_end_info;
using train::validation_info;

/// "1:02:03" / "4:05" for a duration in seconds.
inline std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto total = static_cast<long long>(std::llround(seconds));
  const long long h = total / 3600;
  const long long m = (total / 60) % 60;
  const long long s = total % 60;
  char buf[32];
  if (h > 0) {
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", h, m, s);
  } else {
    std::snprintf(buf, sizeof buf, "%lld:%02lld", m, s);
  }
  return buf;
}

/// "validation after epoch 8: AUROC 0.97500 (new best)", as the progress callbacks print it.
inline std::string validation_summary(const validation_info& v) {
  std::ostringstream line;
  line << "validation after epoch " << v.epoch + 1 << ": " << v.criterion << " " << std::fixed
       << std::setprecision(5) << v.value;
  if (!v.eligible) {
    line << " (before the selection window)";
  } else if (v.selected) {
    line << " (new best)";
  } else {
    line << " (best " << v.best_value << " after epoch " << v.best_epoch + 1 << ")";
  }
  return line.str();
}

}  // namespace gad::report
