#pragma once
// Turning scores into a decision threshold: numpy's percentile, PyOD's contamination rule, and
// P/R/F1 at an assumed anomaly ratio. Reproducing numpy bit for bit matters because reference
// results (ALAD's "percentile 10" rule, PyOD's threshold_) are defined through it.
// Torch-free; tensor overloads live in gad/metrics/tensor.hpp.
#include <gad/detail/metric_input.hpp>
#include <gad/metrics/decision.hpp>
#include <gad/metrics/precision_recall.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

namespace gad::metrics {

/// numpy.percentile(scores, q) with its default 'linear' method (Hyndman & Fan type 7): the value
/// at virtual index (n - 1) * q / 100 of the sorted scores, interpolated with numpy's own
/// formula, so results match numpy exactly rather than to within an ulp. q is in [0, 100].
/// O(n): selection, not a full sort.
///
/// Throws gad::invalid_argument on empty input, non-finite scores, or q outside [0, 100] or NaN.
inline double threshold_from_percentile(const std::vector<double>& scores, double q) {
  constexpr const char* kFn = "gad::metrics::threshold_from_percentile";
  detail::check_finite_scores(kFn, scores);
  if (!(q >= 0.0 && q <= 100.0)) {
    throw invalid_argument(std::string(kFn) + ": percentile q = " + detail::format_number(q) +
                           " is outside [0, 100]");
  }
  const std::size_t n = scores.size();
  const double virtual_index = static_cast<double>(n - 1) * (q / 100.0);
  if (virtual_index >= static_cast<double>(n - 1)) {
    return *std::max_element(scores.begin(), scores.end());
  }
  std::vector<double> values(scores);
  const double below_index = std::floor(virtual_index);
  const auto below = static_cast<std::size_t>(below_index);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(below),
                   values.end());
  const double a = values[below];
  // After nth_element everything past `below` is >= a, so the next order statistic is the
  // smallest of them.
  const double b =
      *std::min_element(values.begin() + static_cast<std::ptrdiff_t>(below) + 1, values.end());
  const double t = virtual_index - below_index;
  // numpy's _lerp: interpolating from the nearer end keeps the result exact at t = 1 and
  // monotone in t; the branch is what makes the result bit-identical to numpy.
  const double diff = b - a;
  return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

/// The threshold PyOD's detectors set (threshold_ = percentile(scores, 100 * (1 - contamination)))
/// so that about a fraction `contamination` of the scores are >= it (flagged by is_anomalous).
/// contamination must lie in (0, 1) (valid_contamination).
///
/// Throws gad::invalid_argument on empty input, non-finite scores, or contamination outside (0, 1).
inline double threshold_from_contamination(const std::vector<double>& scores,
                                           double contamination) {
  constexpr const char* kFn = "gad::metrics::threshold_from_contamination";
  if (!valid_contamination(contamination)) {
    throw invalid_argument(std::string(kFn) +
                           ": contamination = " + detail::format_number(contamination) +
                           " is outside (0, 1); it is the expected fraction of anomalies");
  }
  detail::check_finite_scores(kFn, scores);
  return threshold_from_percentile(scores, 100.0 * (1.0 - contamination));
}

/// P/R/F1 when the top `ratio` fraction of scores is flagged: precision_recall_f1 at
/// threshold_from_contamination(scores, ratio). Ties at the threshold are all flagged (>=), so
/// the flagged fraction can exceed ratio.
///
/// Throws as threshold_from_contamination and precision_recall_f1.
inline binary_report precision_recall_f1_at_ratio(const std::vector<double>& scores,
                                                  const std::vector<int>& labels, double ratio) {
  detail::check_scores_labels("gad::metrics::precision_recall_f1_at_ratio", scores, labels);
  return precision_recall_f1(scores, labels, threshold_from_contamination(scores, ratio));
}

/// P/R/F1 with the ratio set to the true anomaly ratio of the labels. When the scores around the
/// threshold are distinct, exactly as many samples are flagged as there are anomalies, so
/// precision = recall = F1: one number, independent of the ratio, unlike a fixed percentile.
///
/// Throws as precision_recall_f1_at_ratio, and on labels of a single class.
inline binary_report precision_recall_f1_at_true_ratio(const std::vector<double>& scores,
                                                       const std::vector<int>& labels) {
  constexpr const char* kFn = "gad::metrics::precision_recall_f1_at_true_ratio";
  const auto counts = detail::check_scores_labels(kFn, scores, labels);
  detail::require_both_classes(kFn, "the true anomaly ratio threshold", counts);
  const double ratio =
      static_cast<double>(counts.anomalous) / static_cast<double>(counts.normal + counts.anomalous);
  return precision_recall_f1(scores, labels, threshold_from_contamination(scores, ratio));
}

}  // namespace gad::metrics
