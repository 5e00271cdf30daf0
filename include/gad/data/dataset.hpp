#pragma once
// An in-memory image data set as plain tensors. Data sets here are small enough (MNIST-sized) to
// live whole in memory, and detectors consume whole tensors, so there is no lazy Dataset/loader
// machinery: selecting, splitting and batching are index operations on these tensors.
#include <gad/core/error.hpp>

#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace gad::data {

struct dataset {
  /// float32 [N, C, H, W], or [N, F] for the rows of a table (csv_table.hpp).
  torch::Tensor images;
  /// int64 [N]. For data read from disk: the class (digit). For the parts of a protocol split
  /// (see splits.hpp): the anomaly label, 1 = anomalous, 0 = normal.
  torch::Tensor labels;
  /// int64 [N] or undefined. Protocol splits put the original class here, because `labels` then
  /// holds the anomaly label and the digit would otherwise be lost.
  torch::Tensor classes;

  std::int64_t size() const { return images.defined() ? images.size(0) : 0; }
  bool empty() const { return size() == 0; }
};

/// Throws gad::invalid_argument unless `d` is well formed: 4-D float images (or 2-D table
/// rows), 1-D int64 labels of the same length, and `classes` either undefined or like `labels`.
/// `what` names `d` in the message.
inline void validate(const dataset& d, const std::string& what = "dataset") {
  if (!d.images.defined() || !d.labels.defined()) {
    throw invalid_argument(what + ": images and labels must both be set");
  }
  if (d.images.dim() != 4 && d.images.dim() != 2) {
    throw invalid_argument(what + ": images must be [N, C, H, W] (or table rows [N, F]), got " +
                           std::to_string(d.images.dim()) + " dimensions");
  }
  if (!d.images.is_floating_point()) {
    throw invalid_argument(what + ": images must be floating point (see to_unit_range), got " +
                           std::string(c10::toString(d.images.scalar_type())));
  }
  const auto check_index_vector = [&](const torch::Tensor& t, const char* name) {
    if (t.dim() != 1 || t.scalar_type() != torch::kInt64) {
      throw invalid_argument(what + ": " + name + " must be a 1-D int64 tensor");
    }
    if (t.size(0) != d.images.size(0)) {
      throw invalid_argument(what + ": " + std::to_string(d.images.size(0)) + " images but " +
                             std::to_string(t.size(0)) + " " + name);
    }
  };
  check_index_vector(d.labels, "labels");
  if (d.classes.defined()) check_index_vector(d.classes, "classes");
}

/// The rows of `d` named by `indices` (1-D integer tensor), in that order. Repeats are allowed.
inline dataset subset(const dataset& d, const torch::Tensor& indices) {
  validate(d, "subset");
  if (!indices.defined() || indices.dim() != 1 ||
      !c10::isIntegralType(indices.scalar_type(), /*includeBool=*/false)) {
    throw invalid_argument("subset: indices must be a 1-D integer tensor");
  }
  const auto idx = indices.to(torch::kInt64).to(d.images.device());
  if (idx.numel() > 0) {
    const auto lo = idx.min().item<std::int64_t>();
    const auto hi = idx.max().item<std::int64_t>();
    // Negative indices would wrap around in index_select's Python-like semantics: reject them
    // instead of silently picking rows from the end.
    if (lo < 0 || hi >= d.size()) {
      throw invalid_argument("subset: index out of range [0, " + std::to_string(d.size()) +
                             "): found " + std::to_string(lo < 0 ? lo : hi));
    }
  }
  dataset out;
  out.images = d.images.index_select(0, idx);
  out.labels = d.labels.index_select(0, idx.to(d.labels.device()));
  if (d.classes.defined()) out.classes = d.classes.index_select(0, idx.to(d.classes.device()));
  return out;
}

/// The data sets one after another. Image shapes (C, H, W) must agree; `classes` is kept only
/// when every part has it.
inline dataset concat(const std::vector<dataset>& parts) {
  if (parts.empty()) throw invalid_argument("concat: no data sets given");
  std::vector<torch::Tensor> images, labels, classes;
  bool all_classes = true;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& p = parts[i];
    validate(p, "concat part " + std::to_string(i));
    if (p.images.sizes().slice(1) != parts.front().images.sizes().slice(1)) {
      throw invalid_argument("concat: part " + std::to_string(i) + " has images of shape " +
                             c10::str(p.images.sizes().slice(1)) + ", part 0 has " +
                             c10::str(parts.front().images.sizes().slice(1)));
    }
    images.push_back(p.images);
    labels.push_back(p.labels);
    all_classes = all_classes && p.classes.defined();
    if (p.classes.defined()) classes.push_back(p.classes);
  }
  dataset out;
  out.images = torch::cat(images, 0);
  out.labels = torch::cat(labels, 0);
  if (all_classes) out.classes = torch::cat(classes, 0);
  return out;
}

inline dataset concat(const dataset& a, const dataset& b) { return concat({a, b}); }

/// uint8 pixels -> float32 in [0, 1], as torchvision's ToTensor (x / 255).
inline torch::Tensor to_unit_range(const torch::Tensor& pixels) {
  if (!pixels.defined() || pixels.scalar_type() != torch::kUInt8) {
    throw invalid_argument("to_unit_range: expected a uint8 tensor");
  }
  return pixels.to(torch::kFloat32).div(255);
}

/// float32 in [0, 1] -> [-1, 1] with the same operations, in the same order, as torchvision's
/// Normalize(0.5, 0.5), so the values match a PyTorch pipeline bit for bit.
inline torch::Tensor unit_to_symmetric(const torch::Tensor& unit) {
  if (!unit.defined() || !unit.is_floating_point()) {
    throw invalid_argument("unit_to_symmetric: expected a floating-point tensor in [0, 1]");
  }
  return unit.sub(0.5).div(0.5);
}

/// uint8 pixels -> float32 in [-1, 1]: ToTensor followed by Normalize(0.5, 0.5).
inline torch::Tensor to_symmetric_range(const torch::Tensor& pixels) {
  return unit_to_symmetric(to_unit_range(pixels));
}

}  // namespace gad::data
