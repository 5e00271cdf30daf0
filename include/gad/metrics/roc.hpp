#pragma once
// ROC curve and the area under it, with scikit-learn's semantics so that numbers can be compared
// with Python baselines digit for digit. Label 1 = anomalous = positive, label 0 = normal, and a
// higher score means more anomalous. Torch-free; tensor overloads live in gad/metrics/tensor.hpp.
#include <gad/detail/metric_input.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace gad::metrics {

/// Points of a ROC curve, ordered by decreasing threshold (so fpr and tpr never decrease).
/// Point k is the operating point "anomalous if score >= thresholds[k]".
struct roc_curve_points {
  std::vector<double> fpr;
  std::vector<double> tpr;
  std::vector<double> thresholds;
};

/// The ROC curve as sklearn.metrics.roc_curve computes it: one point per distinct score, preceded
/// by the point (0, 0) whose threshold is +inf (sklearn >= 1.3; older releases used max score + 1
/// there, which flags the same nothing).
///
/// drop_intermediate defaults to false here (every distinct score gives a point), unlike sklearn
/// whose default is true. When true, sklearn's rule is applied before (0, 0) is prepended: an
/// interior point is dropped when both the fp and tp counts have zero second difference there,
/// i.e. it sits midway on a straight run of equal steps. The area is the same either way.
///
/// Throws gad::invalid_argument on empty or mismatched input, labels outside {0, 1}, non-finite
/// scores, or labels of a single class (the curve would divide by zero).
inline roc_curve_points roc_curve(const std::vector<double>& scores, const std::vector<int>& labels,
                                  bool drop_intermediate = false) {
  constexpr const char* kFn = "gad::metrics::roc_curve";
  const auto counts = detail::check_scores_labels(kFn, scores, labels);
  detail::require_both_classes(kFn, "the ROC curve", counts);
  const auto ranked = detail::rank_by_score(scores, labels);

  const std::size_t n = ranked.thresholds.size();
  std::vector<std::size_t> kept;
  kept.reserve(n);
  for (std::size_t k = 0; k < n; ++k) {
    if (drop_intermediate && n > 2 && k > 0 && k + 1 < n) {
      const auto fp_curvature = ranked.fps[k + 1] - 2 * ranked.fps[k] + ranked.fps[k - 1];
      const auto tp_curvature = ranked.tps[k + 1] - 2 * ranked.tps[k] + ranked.tps[k - 1];
      if (fp_curvature == 0 && tp_curvature == 0) continue;
    }
    kept.push_back(k);
  }

  roc_curve_points curve;
  curve.fpr.reserve(kept.size() + 1);
  curve.tpr.reserve(kept.size() + 1);
  curve.thresholds.reserve(kept.size() + 1);
  curve.fpr.push_back(0.0);
  curve.tpr.push_back(0.0);
  curve.thresholds.push_back(std::numeric_limits<double>::infinity());
  const auto negatives = static_cast<double>(counts.normal);
  const auto positives = static_cast<double>(counts.anomalous);
  for (const std::size_t k : kept) {
    curve.fpr.push_back(static_cast<double>(ranked.fps[k]) / negatives);
    curve.tpr.push_back(static_cast<double>(ranked.tps[k]) / positives);
    curve.thresholds.push_back(ranked.thresholds[k]);
  }
  return curve;
}

/// Area under the ROC curve, equal to sklearn.metrics.roc_auc_score: the probability that a random
/// anomalous sample scores above a random normal one, ties counting one half (Mann-Whitney U with
/// average ranks). Computed as the trapezoid over the tie-collapsed curve, in integer counts, so
/// the only rounding is the final division. 0.5 is chance; below 0.5 the score is inverted.
///
/// Throws gad::invalid_argument on empty or mismatched input, labels outside {0, 1}, non-finite
/// scores, or labels of a single class (AUROC is undefined then).
inline double auroc(const std::vector<double>& scores, const std::vector<int>& labels) {
  constexpr const char* kFn = "gad::metrics::auroc";
  const auto counts = detail::check_scores_labels(kFn, scores, labels);
  detail::require_both_classes(kFn, "AUROC", counts);
  const auto ranked = detail::rank_by_score(scores, labels);

  // Twice the area in units of one (normal, anomalous) pair; a tie block contributes the
  // trapezoid dfp * (tp_before + tp_after) / 2, which is where ties count one half. Bounded by
  // 2 * normal * anomalous, so int64 holds it for any input that fits in memory.
  std::int64_t twice_area = 0;
  std::int64_t prev_tp = 0;
  std::int64_t prev_fp = 0;
  for (std::size_t k = 0; k < ranked.thresholds.size(); ++k) {
    twice_area += (ranked.fps[k] - prev_fp) * (ranked.tps[k] + prev_tp);
    prev_tp = ranked.tps[k];
    prev_fp = ranked.fps[k];
  }
  return static_cast<double>(twice_area) /
         (2.0 * static_cast<double>(counts.normal) * static_cast<double>(counts.anomalous));
}

}  // namespace gad::metrics
