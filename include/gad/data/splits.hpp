#pragma once
// Evaluation protocols for one-class anomaly detection on labelled image data.
//
// Published numbers depend as much on the protocol (which class is normal, what goes into the
// test set, whether train and test can share images) as on the model, so each protocol is a
// named function, deterministic in its seed, and returns the original class next to the anomaly
// label so results can be broken down per class.
//
// Inputs carry the class in `labels` (as read from disk) or, for a part of an earlier split, in
// `classes`. Every output part's `labels` is the anomaly label (1 = anomalous, 0 = normal) and
// `classes` the original class. Part sizes use floor(fraction * n), as Python's int() does in the
// reference code, so real MNIST gives the published split sizes.
#include <gad/core/error.hpp>
#include <gad/core/random.hpp>
#include <gad/data/dataset.hpp>

#include <torch/types.h>

#include <cmath>
#include <cstdint>
#include <string>

namespace gad::data {

/// The parts of a protocol split. `validation` is empty (size 0) when the protocol has none.
struct split {
  dataset train;
  dataset validation;
  dataset test;
  /// The protocol and its parameters, e.g. for result files: numbers from different protocols
  /// are not comparable.
  std::string protocol;
};

namespace detail {

inline void check_split_input(const dataset& d, const std::string& what) {
  validate(d, what);
  if (d.empty()) throw invalid_argument(what + " is empty");
}

inline void check_fraction(double f, const std::string& what, bool allow_zero = false) {
  const bool ok = allow_zero ? (f >= 0.0 && f < 1.0) : (f > 0.0 && f < 1.0);
  if (!ok) {
    throw invalid_argument(what + " must be in " + (allow_zero ? "[0, 1)" : "(0, 1)") + ", got " +
                           std::to_string(f));
  }
}

/// The class of each row: `classes` when set (a part of an earlier split), else `labels`.
inline const torch::Tensor& class_of(const dataset& d) {
  return d.classes.defined() ? d.classes : d.labels;
}

/// Indices (int64, ascending) of the rows of `d` whose class is / is not `cls`.
inline torch::Tensor rows_of_class(const dataset& d, std::int64_t cls, bool equal = true) {
  const auto mask = equal ? class_of(d).eq(cls) : class_of(d).ne(cls);
  return mask.nonzero().flatten();
}

inline std::int64_t floor_share(double fraction, std::int64_t n) {
  return static_cast<std::int64_t>(std::floor(fraction * static_cast<double>(n)));
}

/// The rows `indices` of `source`, relabelled: `labels` = anomaly label from
/// `is_anomalous(classes)`, `classes` = the original class.
template <typename IsAnomalous>
dataset relabelled(const dataset& source, const torch::Tensor& indices, IsAnomalous is_anomalous) {
  dataset part = subset(source, indices);
  if (!part.classes.defined()) part.classes = part.labels;
  part.labels = is_anomalous(part.classes).to(torch::kInt64);
  return part;
}

inline void require_class(const dataset& d, std::int64_t cls, const std::string& role,
                          const std::string& where) {
  if (class_of(d).eq(cls).sum().item<std::int64_t>() == 0) {
    throw invalid_argument(role + " class " + std::to_string(cls) + " does not occur in " + where);
  }
}

}  // namespace detail

/// Literature one-class protocol (e.g. ALAD on CIFAR-10): `normal_class` is normal, every other
/// class anomalous. Train (and validation, when `val_fraction` > 0) hold only normal images of
/// `train_set`, shuffled; validation gets the last n - floor((1 - val_fraction) * n) of them.
/// Test is the whole `test_set`, in file order.
inline split one_class_normal(const dataset& train_set, const dataset& test_set,
                              std::int64_t normal_class, std::uint64_t seed,
                              double val_fraction = 0.0) {
  detail::check_split_input(train_set, "one_class_normal: training set");
  detail::check_split_input(test_set, "one_class_normal: test set");
  detail::check_fraction(val_fraction, "one_class_normal: val_fraction", /*allow_zero=*/true);
  detail::require_class(train_set, normal_class, "normal", "the training set");

  const auto normals = detail::rows_of_class(train_set, normal_class);
  const std::int64_t n = normals.size(0);
  const std::int64_t n_train = detail::floor_share(1.0 - val_fraction, n);
  if (n_train == 0) {
    throw invalid_argument("one_class_normal: val_fraction " + std::to_string(val_fraction) +
                           " leaves no training image out of " + std::to_string(n));
  }
  auto gen = make_generator(seed, "split");
  const auto order = normals.index_select(0, torch::randperm(n, gen));
  const auto anomalous = [normal_class](const torch::Tensor& c) { return c.ne(normal_class); };
  split out;
  out.train = detail::relabelled(train_set, order.slice(0, 0, n_train), anomalous);
  out.validation = detail::relabelled(train_set, order.slice(0, n_train), anomalous);
  out.test = detail::relabelled(test_set, torch::arange(test_set.size(), torch::kInt64), anomalous);
  out.protocol = "one_class_normal(normal_class=" + std::to_string(normal_class) +
                 ", val_fraction=" + std::to_string(val_fraction) +
                 ", seed=" + std::to_string(seed) + ")";
  return out;
}

struct one_class_anomalous_options {
  /// Share of the normal images that goes to training; the rest joins the test set.
  double train_fraction = 0.8;
  /// Share of those training normals held out as a validation set of normals only (for model
  /// selection without labelled anomalies). The test set is the same whatever this is.
  double validation_fraction = 0.0;
  /// Reproduce the EGBAD / ALAD-MNIST loader's leak: it shuffles the normals again, with a fresh
  /// random draw, when it builds the test set, so most test normals were also training images.
  /// Only for comparing with numbers published from that code.
  bool legacy_leaky_split = false;
};

/// EGBAD / ALAD-MNIST protocol: `anomalous_class` is anomalous, every other class normal. The
/// caller passes the whole pool (MNIST train and test concatenated). Normals are shuffled once;
/// train = the first floor(train_fraction * n) of them; test = the remaining normals plus every
/// anomalous image, shuffled. With validation_fraction, the last
/// m - floor((1 - validation_fraction) * m) of the m training normals become the validation set.
inline split one_class_anomalous(const dataset& pool, std::int64_t anomalous_class,
                                 std::uint64_t seed,
                                 const one_class_anomalous_options& options = {}) {
  detail::check_split_input(pool, "one_class_anomalous: pool");
  detail::check_fraction(options.train_fraction, "one_class_anomalous: train_fraction");
  detail::check_fraction(options.validation_fraction, "one_class_anomalous: validation_fraction",
                         /*allow_zero=*/true);
  detail::require_class(pool, anomalous_class, "anomalous", "the pool");

  const auto normals = detail::rows_of_class(pool, anomalous_class, /*equal=*/false);
  const auto anomalies = detail::rows_of_class(pool, anomalous_class);
  const std::int64_t n = normals.size(0);
  const std::int64_t n_train = detail::floor_share(options.train_fraction, n);
  if (n_train == 0) {
    throw invalid_argument("one_class_anomalous: " + std::to_string(n) +
                           " normal images and train_fraction " +
                           std::to_string(options.train_fraction) + " leave no training image");
  }
  auto gen = make_generator(seed, "split");
  const auto train_order = torch::randperm(n, gen);
  // The reference draws a second permutation here; the default reuses the first so that the
  // test normals are exactly the ones training never saw.
  const auto test_order = options.legacy_leaky_split ? torch::randperm(n, gen) : train_order;
  const std::int64_t n_fit = detail::floor_share(1.0 - options.validation_fraction, n_train);
  if (n_fit == 0) {
    throw invalid_argument("one_class_anomalous: validation_fraction " +
                           std::to_string(options.validation_fraction) +
                           " leaves no training image out of " + std::to_string(n_train));
  }
  const auto train_rows = normals.index_select(0, train_order.slice(0, 0, n_fit));
  const auto validation_rows = normals.index_select(0, train_order.slice(0, n_fit, n_train));
  auto test_rows =
      torch::cat({normals.index_select(0, test_order.slice(0, n_train)), anomalies}, 0);
  test_rows = test_rows.index_select(0, torch::randperm(test_rows.size(0), gen));

  const auto anomalous = [anomalous_class](const torch::Tensor& c) {
    return c.eq(anomalous_class);
  };
  split out;
  out.train = detail::relabelled(pool, train_rows, anomalous);
  out.validation = detail::relabelled(pool, validation_rows, anomalous);
  out.test = detail::relabelled(pool, test_rows, anomalous);
  out.protocol = "one_class_anomalous(anomalous_class=" + std::to_string(anomalous_class) +
                 ", train_fraction=" + std::to_string(options.train_fraction) +
                 (options.validation_fraction > 0.0
                      ? ", validation_fraction=" + std::to_string(options.validation_fraction)
                      : std::string()) +
                 ", seed=" + std::to_string(seed) +
                 (options.legacy_leaky_split ? ", legacy_leaky_split" : "") + ")";
  return out;
}

struct algan_split_options {
  std::int64_t normal_class = 0;
  std::int64_t anomalous_class = 1;
  /// Share of each class (of the training set) in the first random_split part.
  double train_fraction = 0.8;
};

/// ALGAN's MNIST protocol, with only two classes. In `train_set`, the normal class is split
/// floor(train_fraction * n) / rest into train / validation; the anomalous class is split the same
/// way, its first part is dropped and the rest joins validation (normals first, then anomalies).
/// Test = every `test_set` image of the two classes, in file order. Real MNIST, 0 vs 1: train
/// 4738, validation 1185 + 1349, test 980 + 1135.
inline split algan_reference(const dataset& train_set, const dataset& test_set, std::uint64_t seed,
                             const algan_split_options& options = {}) {
  detail::check_split_input(train_set, "algan_reference: training set");
  detail::check_split_input(test_set, "algan_reference: test set");
  detail::check_fraction(options.train_fraction, "algan_reference: train_fraction");
  const auto normal = options.normal_class;
  const auto anomalous_class = options.anomalous_class;
  if (normal == anomalous_class) {
    throw invalid_argument("algan_reference: normal and anomalous class are both " +
                           std::to_string(normal));
  }
  detail::require_class(train_set, normal, "normal", "the training set");
  detail::require_class(train_set, anomalous_class, "anomalous", "the training set");
  detail::require_class(test_set, normal, "normal", "the test set");
  detail::require_class(test_set, anomalous_class, "anomalous", "the test set");

  const auto normals = detail::rows_of_class(train_set, normal);
  const auto anomalies = detail::rows_of_class(train_set, anomalous_class);
  const std::int64_t n_normal_train = detail::floor_share(options.train_fraction, normals.size(0));
  const std::int64_t n_anomal_drop = detail::floor_share(options.train_fraction, anomalies.size(0));
  if (n_normal_train == 0 || n_anomal_drop == anomalies.size(0)) {
    throw invalid_argument("algan_reference: train_fraction " +
                           std::to_string(options.train_fraction) +
                           " leaves an empty part (training normals or validation anomalies)");
  }
  auto gen = make_generator(seed, "split");
  const auto normal_order = normals.index_select(0, torch::randperm(normals.size(0), gen));
  const auto anomal_order = anomalies.index_select(0, torch::randperm(anomalies.size(0), gen));
  const auto val_rows =
      torch::cat({normal_order.slice(0, n_normal_train), anomal_order.slice(0, n_anomal_drop)}, 0);
  const auto& test_classes = detail::class_of(test_set);
  const auto test_rows =
      (test_classes.eq(normal) | test_classes.eq(anomalous_class)).nonzero().flatten();

  const auto is_anomalous = [anomalous_class](const torch::Tensor& c) {
    return c.eq(anomalous_class);
  };
  split out;
  out.train = detail::relabelled(train_set, normal_order.slice(0, 0, n_normal_train), is_anomalous);
  out.validation = detail::relabelled(train_set, val_rows, is_anomalous);
  out.test = detail::relabelled(test_set, test_rows, is_anomalous);
  out.protocol = "algan_reference(normal_class=" + std::to_string(normal) +
                 ", anomalous_class=" + std::to_string(anomalous_class) +
                 ", train_fraction=" + std::to_string(options.train_fraction) +
                 ", seed=" + std::to_string(seed) + ")";
  return out;
}

}  // namespace gad::data
