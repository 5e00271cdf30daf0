#pragma once
// The one decision rule of gad, shared by predict(), the CLI's decisions and every metric that
// flags samples: anomalous when the score is at least the threshold. With >= a threshold taken
// from a score (a percentile, a contamination share) flags that sample, as the ALAD reference
// and PyOD's percentile thresholds do. Torch-free; the tensor form is in gad/metrics/tensor.hpp.

namespace gad::metrics {

/// True when a sample with `score` is flagged as anomalous at `threshold`.
constexpr bool is_anomalous(double score, double threshold) noexcept { return score >= threshold; }

/// The domain of `contamination`, the expected share of anomalies: (0, 1). Wider than PyOD's
/// (0, 0.5], because one-class protocols routinely have more anomalies than normal samples.
constexpr bool valid_contamination(double contamination) noexcept {
  return contamination > 0.0 && contamination < 1.0;  // false for NaN too
}

}  // namespace gad::metrics
