#pragma once
// Precision/recall metrics with scikit-learn's semantics: the PR curve, average precision (the
// AUPRC to report), the trapezoid AUPRC some reference code reports, and P/R/F1 at one threshold.
// Label 1 = anomalous = positive, label 0 = normal; a higher score means more anomalous.
// Torch-free; tensor overloads live in gad/metrics/tensor.hpp.
#include <gad/detail/metric_input.hpp>
#include <gad/metrics/decision.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gad::metrics {

/// Points of a precision-recall curve in sklearn's order: increasing threshold, so recall does not
/// increase. precision and recall have one more entry than thresholds: the final point
/// (precision 1, recall 0) has no threshold, as in sklearn.
struct pr_curve_points {
  std::vector<double> precision;
  std::vector<double> recall;
  std::vector<double> thresholds;
};

}  // namespace gad::metrics

namespace gad::detail {

// Shared by precision_recall_curve and auprc_trapezoid so that errors name the function called.
inline metrics::pr_curve_points pr_curve(const char* fn, const std::vector<double>& scores,
                                         const std::vector<int>& labels) {
  const auto counts = detail::check_scores_labels(fn, scores, labels);
  detail::require_both_classes(fn, "the precision-recall curve", counts);
  const auto ranked = detail::rank_by_score(scores, labels);

  const std::size_t n = ranked.thresholds.size();
  metrics::pr_curve_points curve;
  curve.precision.reserve(n + 1);
  curve.recall.reserve(n + 1);
  curve.thresholds.reserve(n);
  const auto positives = static_cast<double>(counts.anomalous);
  for (std::size_t i = n; i-- > 0;) {
    // Each entry covers at least one sample, so tp + fp > 0.
    const auto tp = static_cast<double>(ranked.tps[i]);
    curve.precision.push_back(tp / (tp + static_cast<double>(ranked.fps[i])));
    curve.recall.push_back(tp / positives);
    curve.thresholds.push_back(ranked.thresholds[i]);
  }
  curve.precision.push_back(1.0);
  curve.recall.push_back(0.0);
  return curve;
}

}  // namespace gad::detail

namespace gad::metrics {

/// sklearn.metrics.precision_recall_curve: one point per distinct score (ties form one point),
/// where point k means "anomalous if score >= thresholds[k]", then (precision 1, recall 0).
/// Like sklearn 1.2, the curve is not cut at the first point of full recall (some older releases
/// were; the points they omit all have recall 1 and add no area).
///
/// Throws gad::invalid_argument on empty or mismatched input, labels outside {0, 1}, non-finite
/// scores, or labels of a single class.
inline pr_curve_points precision_recall_curve(const std::vector<double>& scores,
                                              const std::vector<int>& labels) {
  return detail::pr_curve("gad::metrics::precision_recall_curve", scores, labels);
}

/// sklearn.metrics.average_precision_score: sum over distinct thresholds of (R_k - R_{k-1}) * P_k,
/// a step function with no interpolation, ties forming one step. Equivalently, the mean over the
/// anomalous samples of the precision at the threshold equal to their own score. This is the AUPRC
/// to report; its chance level is the anomaly ratio.
///
/// Throws gad::invalid_argument on empty or mismatched input, labels outside {0, 1}, non-finite
/// scores, or labels of a single class (sklearn would return NaN without anomalies and a trivial
/// 1 without normal samples).
inline double average_precision(const std::vector<double>& scores, const std::vector<int>& labels) {
  constexpr const char* kFn = "gad::metrics::average_precision";
  const auto counts = detail::check_scores_labels(kFn, scores, labels);
  detail::require_both_classes(kFn, "average precision", counts);
  const auto ranked = detail::rank_by_score(scores, labels);

  // Recall steps are (tp_k - tp_{k-1}) / P; dividing by P once at the end keeps the steps exact.
  double weighted = 0.0;
  std::int64_t prev_tp = 0;
  for (std::size_t k = 0; k < ranked.thresholds.size(); ++k) {
    const std::int64_t tp = ranked.tps[k];
    if (tp != prev_tp) {
      const double precision = static_cast<double>(tp) / static_cast<double>(tp + ranked.fps[k]);
      weighted += static_cast<double>(tp - prev_tp) * precision;
      prev_tp = tp;
    }
  }
  return weighted / static_cast<double>(counts.anomalous);
}

/// Trapezoid area under precision_recall_curve, i.e. sklearn.metrics.auc(recall, precision).
/// Provided to reproduce legacy numbers (the EGBAD code reports it); prefer average_precision.
/// Linear interpolation between PR points is optimistic: the closing point (recall 0,
/// precision 1) alone adds area, so a constant scorer with anomaly ratio p gets (1 + p) / 2
/// instead of p.
///
/// Throws as precision_recall_curve.
inline double auprc_trapezoid(const std::vector<double>& scores, const std::vector<int>& labels) {
  const auto curve = detail::pr_curve("gad::metrics::auprc_trapezoid", scores, labels);
  double area = 0.0;
  for (std::size_t i = 0; i + 1 < curve.recall.size(); ++i) {
    area += (curve.recall[i] - curve.recall[i + 1]) *
            (curve.precision[i] + curve.precision[i + 1]) / 2.0;
  }
  return area;
}

/// Confusion counts and the derived rates at one threshold.
struct binary_report {
  double precision = 0.0;
  double recall = 0.0;
  double f1 = 0.0;
  std::int64_t tp = 0;
  std::int64_t fp = 0;
  std::int64_t tn = 0;
  std::int64_t fn = 0;
};

/// Classifies a sample as anomalous when score >= threshold (>=, as the ALAD reference code does,
/// so a threshold equal to a score flags that sample) and compares with the labels, like
/// sklearn.metrics.precision_recall_fscore_support(average='binary', pos_label=1).
///
/// Undefined ratios are 0, as sklearn's default zero_division gives (without its warning):
/// precision = 0 when nothing is flagged, recall = 0 when there is no anomalous sample, and
/// F1 = 0 when precision + recall = 0. Labels of a single class are therefore accepted.
/// threshold may be +-inf (flag nothing / everything) but not NaN.
///
/// Throws gad::invalid_argument on empty or mismatched input, labels outside {0, 1}, non-finite
/// scores, or a NaN threshold.
inline binary_report precision_recall_f1(const std::vector<double>& scores,
                                         const std::vector<int>& labels, double threshold) {
  constexpr const char* kFn = "gad::metrics::precision_recall_f1";
  detail::check_scores_labels(kFn, scores, labels);
  if (std::isnan(threshold)) {
    throw invalid_argument(std::string(kFn) + ": threshold is NaN");
  }
  binary_report report;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    const bool flagged = is_anomalous(scores[i], threshold);
    if (labels[i] == 1) {
      ++(flagged ? report.tp : report.fn);
    } else {
      ++(flagged ? report.fp : report.tn);
    }
  }
  const auto tp = static_cast<double>(report.tp);
  if (report.tp + report.fp > 0) report.precision = tp / (tp + static_cast<double>(report.fp));
  if (report.tp + report.fn > 0) report.recall = tp / (tp + static_cast<double>(report.fn));
  // 2PR / (P + R) written in counts: exact, and 0 whenever tp = 0 without a special case.
  if (report.tp > 0) {
    report.f1 = 2.0 * tp / (2.0 * tp + static_cast<double>(report.fp + report.fn));
  }
  return report;
}

}  // namespace gad::metrics
