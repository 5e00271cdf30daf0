#pragma once
// The two yardsticks of the one-class tables, computed inside the same run on the same split as
// the detector they sit beside: a GAN detector is only worth its training time where it beats
// plain pixel geometry. Their settings are fixed here, not flags, so that no run can tune them.
#include <gad/baseline/knn.hpp>
#include <gad/baseline/pca.hpp>
#include <gad/metrics/roc.hpp>

#include <torch/types.h>

#include <cstdint>

namespace gad_examples {

struct baseline_aurocs {
  // Chosen once, before any table was scored: 32 components is the PCA baseline the ALAD
  // example already used; k = 5 smooths single near-duplicates without reaching into other
  // modes of a class.
  static constexpr std::int64_t pca_components = 32;
  static constexpr std::int64_t knn_k = 5;

  double pca = 0.0;  // test AUROC of the PCA reconstruction residual (L2)
  double knn = 0.0;  // test AUROC of the mean distance to the k nearest training images
};

// Both baselines fitted on `train_images` (the detector's training images, after its
// preprocessing) and scored on the test images against `test_labels` (1 = anomalous).
inline baseline_aurocs score_baselines(const torch::Tensor& train_images,
                                       const torch::Tensor& test_images,
                                       const torch::Tensor& test_labels) {
  baseline_aurocs out;
  gad::baseline::pca_reconstruction pca(baseline_aurocs::pca_components);
  pca.fit(train_images);
  out.pca = gad::metrics::auroc(pca.score_l2(test_images), test_labels);
  gad::baseline::knn_distance knn(baseline_aurocs::knn_k);
  knn.fit(train_images);
  out.knn = gad::metrics::auroc(knn.score(test_images), test_labels);
  return out;
}

}  // namespace gad_examples
