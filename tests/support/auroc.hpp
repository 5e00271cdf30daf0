#pragma once
// AUROC of tensors, for tests that train a detector and check it learned.
#include <gad/metrics/roc.hpp>

#include <torch/types.h>

#include <vector>

namespace gad_test {

inline double auroc_of(const torch::Tensor& scores, const torch::Tensor& labels) {
  const auto s = scores.to(torch::kDouble).contiguous();
  const auto l = labels.to(torch::kInt).contiguous();
  return gad::metrics::auroc(
      std::vector<double>(s.data_ptr<double>(), s.data_ptr<double>() + s.numel()),
      std::vector<int>(l.data_ptr<int>(), l.data_ptr<int>() + l.numel()));
}

}  // namespace gad_test
