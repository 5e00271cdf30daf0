#pragma once
// torch::Tensor overloads of the gad::metrics functions. Scores come out of detectors as tensors,
// often on a GPU and in float or half; each overload copies them to CPU doubles once and calls the
// std::vector core, so both paths give identical numbers. Only <ATen/core/Tensor.h> is included,
// which keeps this header far cheaper to compile than <torch/torch.h>.
#include <gad/detail/metric_input.hpp>
#include <gad/metrics/decision.hpp>
#include <gad/metrics/precision_recall.hpp>
#include <gad/metrics/roc.hpp>
#include <gad/metrics/threshold.hpp>

#include <ATen/core/Tensor.h>

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

namespace gad::detail {

inline at::Tensor as_cpu_double_vector(const char* fn, const char* what, const at::Tensor& t) {
  if (!t.defined()) {
    throw invalid_argument(std::string(fn) + ": " + what + " tensor is undefined");
  }
  if (t.dim() != 1) {
    std::ostringstream shape;
    shape << t.sizes();
    throw invalid_argument(std::string(fn) + ": " + what + " must be a 1-D tensor, got shape " +
                           shape.str());
  }
  if (at::isComplexType(t.scalar_type())) {
    throw invalid_argument(std::string(fn) + ": " + what + " must be real, got dtype " +
                           c10::toString(t.scalar_type()));
  }
  return t.detach().to(at::kCPU, at::kDouble).contiguous();
}

/// Any real non-bool dtype (float, half, bfloat16, double, integers), any device.
inline std::vector<double> score_vector(const char* fn, const at::Tensor& scores) {
  if (scores.defined() && scores.scalar_type() == at::kBool) {
    throw invalid_argument(std::string(fn) + ": scores must be numeric, got dtype Bool");
  }
  const auto cpu = as_cpu_double_vector(fn, "scores", scores);
  const double* data = cpu.data_ptr<double>();
  return std::vector<double>(data, data + cpu.numel());
}

/// Integer or bool labels, or floating labels holding exactly 0 and 1 (common when labels were
/// stored next to float features). Checked before narrowing to int, so that neither 0.5 nor
/// 2^32 + 1 can silently become a valid label.
inline std::vector<int> label_vector(const char* fn, const at::Tensor& labels) {
  const auto cpu = as_cpu_double_vector(fn, "labels", labels);
  const double* data = cpu.data_ptr<double>();
  std::vector<int> out(static_cast<std::size_t>(cpu.numel()));
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (data[i] == 0.0) {
      out[i] = 0;
    } else if (data[i] == 1.0) {
      out[i] = 1;
    } else {
      throw invalid_argument(bad_label_message(fn, i, format_number(data[i])));
    }
  }
  return out;
}

}  // namespace gad::detail

namespace gad::metrics {

/// auroc on 1-D tensors; see gad/metrics/roc.hpp.
inline double auroc(const at::Tensor& scores, const at::Tensor& labels) {
  constexpr const char* kFn = "gad::metrics::auroc";
  return auroc(detail::score_vector(kFn, scores), detail::label_vector(kFn, labels));
}

/// roc_curve on 1-D tensors; see gad/metrics/roc.hpp.
inline roc_curve_points roc_curve(const at::Tensor& scores, const at::Tensor& labels,
                                  bool drop_intermediate = false) {
  constexpr const char* kFn = "gad::metrics::roc_curve";
  return roc_curve(detail::score_vector(kFn, scores), detail::label_vector(kFn, labels),
                   drop_intermediate);
}

/// average_precision on 1-D tensors; see gad/metrics/precision_recall.hpp.
inline double average_precision(const at::Tensor& scores, const at::Tensor& labels) {
  constexpr const char* kFn = "gad::metrics::average_precision";
  return average_precision(detail::score_vector(kFn, scores), detail::label_vector(kFn, labels));
}

/// precision_recall_curve on 1-D tensors; see gad/metrics/precision_recall.hpp.
inline pr_curve_points precision_recall_curve(const at::Tensor& scores, const at::Tensor& labels) {
  constexpr const char* kFn = "gad::metrics::precision_recall_curve";
  return precision_recall_curve(detail::score_vector(kFn, scores),
                                detail::label_vector(kFn, labels));
}

/// auprc_trapezoid on 1-D tensors; see gad/metrics/precision_recall.hpp.
inline double auprc_trapezoid(const at::Tensor& scores, const at::Tensor& labels) {
  constexpr const char* kFn = "gad::metrics::auprc_trapezoid";
  return auprc_trapezoid(detail::score_vector(kFn, scores), detail::label_vector(kFn, labels));
}

/// precision_recall_f1 on 1-D tensors; see gad/metrics/precision_recall.hpp.
inline binary_report precision_recall_f1(const at::Tensor& scores, const at::Tensor& labels,
                                         double threshold) {
  constexpr const char* kFn = "gad::metrics::precision_recall_f1";
  return precision_recall_f1(detail::score_vector(kFn, scores), detail::label_vector(kFn, labels),
                             threshold);
}

/// threshold_from_percentile on a 1-D tensor; see gad/metrics/threshold.hpp.
inline double threshold_from_percentile(const at::Tensor& scores, double q) {
  return threshold_from_percentile(
      detail::score_vector("gad::metrics::threshold_from_percentile", scores), q);
}

/// threshold_from_contamination on a 1-D tensor; see gad/metrics/threshold.hpp.
inline double threshold_from_contamination(const at::Tensor& scores, double contamination) {
  return threshold_from_contamination(
      detail::score_vector("gad::metrics::threshold_from_contamination", scores), contamination);
}

/// is_anomalous element by element (gad/metrics/decision.hpp): a bool tensor shaped like
/// `scores`, on its device.
inline at::Tensor flag_anomalies(const at::Tensor& scores, double threshold) {
  return scores.ge(threshold);
}

/// precision_recall_f1_at_ratio on 1-D tensors; see gad/metrics/threshold.hpp.
inline binary_report precision_recall_f1_at_ratio(const at::Tensor& scores,
                                                  const at::Tensor& labels, double ratio) {
  constexpr const char* kFn = "gad::metrics::precision_recall_f1_at_ratio";
  return precision_recall_f1_at_ratio(detail::score_vector(kFn, scores),
                                      detail::label_vector(kFn, labels), ratio);
}

/// precision_recall_f1_at_true_ratio on 1-D tensors; see gad/metrics/threshold.hpp.
inline binary_report precision_recall_f1_at_true_ratio(const at::Tensor& scores,
                                                       const at::Tensor& labels) {
  constexpr const char* kFn = "gad::metrics::precision_recall_f1_at_true_ratio";
  return precision_recall_f1_at_true_ratio(detail::score_vector(kFn, scores),
                                           detail::label_vector(kFn, labels));
}

}  // namespace gad::metrics
