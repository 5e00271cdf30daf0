#pragma once
// The labels of a validation set, checked the same way for every detector family: 0/1 with
// both classes present (the fit selects on AUROC), or only normals, given as all-0 labels or
// none at all (the fit selects on a label-free criterion of the family's choosing).
#include <gad/core/error.hpp>
#include <gad/data/dataset.hpp>
#include <gad/detail/shape_string.hpp>

#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace gad::train {

/// One 0/1 label per sample of `set` (n samples), or an empty vector when the set holds only
/// normals. `who` prefixes the messages ("ALGAN", "ALAD"). Throws gad::invalid_argument for an
/// empty set, a wrong label shape, a label other than 0 or 1, or only anomalous samples.
inline std::vector<int> validation_labels(const data::dataset& set, std::int64_t n,
                                          const std::string& who) {
  if (n == 0) throw invalid_argument(who + " fit: the validation set is empty");
  const torch::Tensor& labels = set.labels;
  if (!labels.defined()) return {};
  if (labels.dim() != 1 || labels.size(0) != n) {
    throw invalid_argument(who + " fit: the validation set needs one label per sample ([" +
                           std::to_string(n) + "]), got " + gad::detail::shape_string(labels));
  }
  const torch::Tensor l = labels.to(torch::kCPU, torch::kLong).contiguous();
  const std::int64_t* p = l.data_ptr<std::int64_t>();
  std::vector<int> out(static_cast<std::size_t>(n));
  std::int64_t anomalous = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    if (p[i] != 0 && p[i] != 1) {
      throw invalid_argument(who + " fit: validation labels must be 0 (normal) or 1 " +
                             "(anomalous), found " + std::to_string(p[i]));
    }
    out[static_cast<std::size_t>(i)] = static_cast<int>(p[i]);
    anomalous += p[i];
  }
  if (anomalous == n) {
    throw invalid_argument(who +
                           " fit: the validation set holds only anomalous samples; give it "
                           "normal samples too (for AUROC) or only normal ones (for a "
                           "label-free selection)");
  }
  if (anomalous == 0) return {};
  return out;
}

}  // namespace gad::train
