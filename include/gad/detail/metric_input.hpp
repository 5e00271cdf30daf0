#pragma once
// Private helpers shared by the gad::metrics headers: argument checks with messages that name the
// offending index, and the single sort that every ranking metric is built on. Torch-free on
// purpose, so that code which only evaluates scores compiles in seconds.
#include <gad/core/error.hpp>
#include <gad/detail/number_string.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace gad::detail {

inline void check_not_empty(const char* fn, std::size_t size) {
  if (size == 0) {
    throw invalid_argument(std::string(fn) + ": empty input (no scores to evaluate)");
  }
}

/// Non-finite scores would sort arbitrarily (NaN) or make thresholds meaningless (inf), and they
/// almost always mean the detector diverged, so they are rejected rather than ranked.
inline void check_finite_scores(const char* fn, const std::vector<double>& scores) {
  check_not_empty(fn, scores.size());
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (!std::isfinite(scores[i])) {
      throw invalid_argument(std::string(fn) + ": scores[" + std::to_string(i) + "] is " +
                             format_number(scores[i]) +
                             "; every score must be finite (did the detector diverge?)");
    }
  }
}

inline std::string bad_label_message(const char* fn, std::size_t index, const std::string& value) {
  return std::string(fn) + ": labels[" + std::to_string(index) + "] = " + value +
         ", but labels must be 0 (normal) or 1 (anomalous)";
}

/// How many samples of each class the labels hold.
struct class_counts {
  std::int64_t normal = 0;
  std::int64_t anomalous = 0;
};

/// Checks everything a (scores, labels) pair must satisfy and counts the classes on the way.
inline class_counts check_scores_labels(const char* fn, const std::vector<double>& scores,
                                        const std::vector<int>& labels) {
  if (scores.size() != labels.size()) {
    throw invalid_argument(std::string(fn) + ": scores and labels differ in size (" +
                           std::to_string(scores.size()) + " scores, " +
                           std::to_string(labels.size()) + " labels)");
  }
  check_finite_scores(fn, scores);
  class_counts counts;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] == 1) {
      ++counts.anomalous;
    } else if (labels[i] == 0) {
      ++counts.normal;
    } else {
      throw invalid_argument(bad_label_message(fn, i, std::to_string(labels[i])));
    }
  }
  return counts;
}

/// A ranking metric over one class says nothing about the detector (sklearn returns NaN or a
/// trivial 1 with a warning); here it is an error so that a broken split cannot go unnoticed.
inline void require_both_classes(const char* fn, const char* metric, const class_counts& counts) {
  if (counts.normal > 0 && counts.anomalous > 0) return;
  const int only = counts.anomalous == 0 ? 0 : 1;
  throw invalid_argument(
      std::string(fn) + ": " + metric + " is undefined: labels contain only class " +
      std::to_string(only) + " (" + std::to_string(counts.normal) + " normal samples, " +
      std::to_string(counts.anomalous) + " anomalous); it needs at least one sample of each class");
}

/// Cumulative confusion counts when the threshold is lowered through each distinct score, from
/// the highest score down: entry k says that predicting "score >= thresholds[k]" as anomalous
/// yields tps[k] true and fps[k] false positives. This is sklearn's _binary_clf_curve; tied
/// scores form a single entry, which is what makes every metric built on it tie-aware.
struct ranked_counts {
  std::vector<double> thresholds;
  std::vector<std::int64_t> tps;
  std::vector<std::int64_t> fps;
};

/// Inputs must already have passed check_scores_labels. O(n log n): the only sort of a metric.
inline ranked_counts rank_by_score(const std::vector<double>& scores,
                                   const std::vector<int>& labels) {
  std::vector<std::pair<double, int>> ranked(scores.size());
  for (std::size_t i = 0; i < scores.size(); ++i) ranked[i] = {scores[i], labels[i]};
  // Order within a tie is irrelevant because ties are collapsed below.
  std::sort(ranked.begin(), ranked.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  ranked_counts out;
  std::int64_t tp = 0;
  std::int64_t fp = 0;
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    (ranked[i].second == 1 ? tp : fp) += 1;
    const bool last_of_tie = i + 1 == ranked.size() || ranked[i + 1].first != ranked[i].first;
    if (last_of_tie) {
      out.thresholds.push_back(ranked[i].first);
      out.tps.push_back(tp);
      out.fps.push_back(fp);
    }
  }
  return out;
}

}  // namespace gad::detail
