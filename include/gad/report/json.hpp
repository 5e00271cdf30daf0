#pragma once
// One JSON shape for a confusion-matrix report, shared by the examples and the gad tool so that
// a script reading one reads the other. Needs nlohmann_json (Debian: nlohmann-json3-dev), which
// gad::report declares when it is found.
#include <gad/metrics/precision_recall.hpp>

#include <nlohmann/json.hpp>

namespace gad::report {

inline nlohmann::ordered_json report_json(const gad::metrics::binary_report& r) {
  return {{"precision", r.precision}, {"recall", r.recall}, {"f1", r.f1}, {"tp", r.tp},
          {"fp", r.fp},               {"tn", r.tn},         {"fn", r.fn}};
}

/// The same, led by the threshold that made the decisions.
inline nlohmann::ordered_json report_json(const gad::metrics::binary_report& r, double threshold) {
  nlohmann::ordered_json out{{"threshold", threshold}};
  out.update(report_json(r));
  return out;
}

}  // namespace gad::report
