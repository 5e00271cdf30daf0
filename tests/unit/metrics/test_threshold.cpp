// Thresholds (numpy percentile, PyOD contamination), P/R/F1 at a threshold, and the tensor
// overloads. Expected percentiles are numpy 1.24 outputs recorded offline and compared with ==,
// because the implementation promises numpy's exact arithmetic, not just closeness.
#include <gad/core/error.hpp>
#include <gad/metrics/precision_recall.hpp>
#include <gad/metrics/roc.hpp>
#include <gad/metrics/tensor.hpp>
#include <gad/metrics/threshold.hpp>

#include <ATen/ATen.h>
#include "support/message_of.hpp"

#include "support/catch.hpp"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

namespace gm = gad::metrics;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Approx near(double expected) { return Approx(expected).epsilon(1e-12).margin(1e-15); }

template <typename Call>
void require_invalid(Call&& call, const std::string& fragment) {
  CHECK_THAT(gad_test::message_of<gad::invalid_argument>(call), gad_test::contains(fragment));
}

void check_report(const gm::binary_report& r, std::int64_t tp, std::int64_t fp, std::int64_t tn,
                  std::int64_t fn, double precision, double recall, double f1) {
  CHECK(r.tp == tp);
  CHECK(r.fp == fp);
  CHECK(r.tn == tn);
  CHECK(r.fn == fn);
  CHECK(r.precision == near(precision));
  CHECK(r.recall == near(recall));
  CHECK(r.f1 == near(f1));
}

void check_same_report(const gm::binary_report& a, const gm::binary_report& b) {
  CHECK(a.tp == b.tp);
  CHECK(a.fp == b.fp);
  CHECK(a.tn == b.tn);
  CHECK(a.fn == b.fn);
  CHECK(a.precision == b.precision);
  CHECK(a.recall == b.recall);
  CHECK(a.f1 == b.f1);
}

const std::vector<double> kScores = {0.1, 0.4, 0.35, 0.8};
const std::vector<int> kLabels = {0, 0, 1, 1};

std::vector<double> one_to_ten() {
  std::vector<double> s;
  for (int i = 1; i <= 10; ++i) s.push_back(i);
  return s;
}

}  // namespace

TEST_CASE("threshold_from_percentile equals numpy.percentile", "[metrics][threshold]") {
  // Sorted: 1 1 2 3 4 5 6 9. The virtual index is 7 * q / 100, e.g. q = 25 -> 1.75 -> between the
  // second 1 and the 2: 1 + 0.75 * (2 - 1) = 1.75; q = 50 -> 3.5 -> 3.5.
  const std::vector<double> s = {3, 1, 4, 1, 5, 9, 2, 6};
  CHECK(gm::threshold_from_percentile(s, 0) == 1.0);
  CHECK(gm::threshold_from_percentile(s, 12.5) == 1.0);
  CHECK(gm::threshold_from_percentile(s, 25) == 1.75);
  CHECK(gm::threshold_from_percentile(s, 37.5) == 2.625);
  CHECK(gm::threshold_from_percentile(s, 50) == 3.5);
  // 7 * 0.9 = 6.3 leaves t = 0.2999999999999998 after subtracting 6, so numpy's own rounding
  // gives 6.8999999999999995, not 6.9: equality here pins the exact formula.
  CHECK(gm::threshold_from_percentile(s, 90) == 6.8999999999999995);
  CHECK(gm::threshold_from_percentile(s, 99) == 8.79);
  CHECK(gm::threshold_from_percentile(s, 100) == 9.0);
  CHECK(gm::threshold_from_percentile({7.5}, 33) == 7.5);

  const std::vector<double> ties = {0.9, 0.1, 0.4,  0.4, 0.75, 0.3,  0.75, 0.2,  0.4, 0.05,
                                    0.6, 0.3, 0.95, 0.2, 0.4,  0.55, 0.1,  0.75, 0.3, 0.5};
  CHECK(gm::threshold_from_percentile(ties, 0) == 0.05);
  CHECK(gm::threshold_from_percentile(ties, 10) == 0.1);
  CHECK(gm::threshold_from_percentile(ties, 25) == 0.275);
  CHECK(gm::threshold_from_percentile(ties, 33.3) == 0.3);
  CHECK(gm::threshold_from_percentile(ties, 50) == 0.4);
  CHECK(gm::threshold_from_percentile(ties, 64.6) == 0.5136999999999999);
  CHECK(gm::threshold_from_percentile(ties, 90) == 0.7650000000000002);
  CHECK(gm::threshold_from_percentile(ties, 99.9) == 0.9490500000000001);
  CHECK(gm::threshold_from_percentile(ties, 100) == 0.95);
}

TEST_CASE("threshold_from_contamination is PyOD's percentile rule", "[metrics][threshold]") {
  // 1..10 with contamination 0.3: percentile 70, virtual index 9 * 0.7 = 6.3, between 7 and 8:
  // 7.3. Exactly the top three scores (8, 9, 10) are >= it.
  const auto s = one_to_ten();
  CHECK(gm::threshold_from_contamination(s, 0.3) == near(7.3));
  CHECK(gm::threshold_from_contamination(s, 0.1) == near(9.1));
  CHECK(gm::threshold_from_contamination(s, 0.5) == near(5.5));
  CHECK(gm::threshold_from_contamination(s, 0.25) == near(7.75));
  // Above PyOD's 0.5 cap on purpose (see the header): 100 * (1 - 0.9) = 9.999999999999998.
  CHECK(gm::threshold_from_contamination(s, 0.9) == near(1.9));
  std::size_t flagged = 0;
  const double t = gm::threshold_from_contamination(s, 0.3);
  for (const double v : s) flagged += v >= t ? 1 : 0;
  CHECK(flagged == 3);
}

TEST_CASE("precision_recall_f1 counts", "[metrics][prf]") {
  SECTION("threshold between scores") {
    // >= 0.35 flags 0.4 (normal), 0.35 and 0.8 (anomalous); 0.1 (normal) stays below.
    // tp 2, fp 1, tn 1, fn 0: P = 2/3, R = 1, F1 = 2 * 2 / (2 * 2 + 1 + 0) = 0.8.
    check_report(gm::precision_recall_f1(kScores, kLabels, 0.35), 2, 1, 1, 0, 2.0 / 3, 1.0, 0.8);
  }
  SECTION("a threshold equal to a score flags it (>=)") {
    // >= 0.4 flags 0.4 and 0.8: tp 1, fp 1, tn 1, fn 1, P = R = F1 = 1/2.
    check_report(gm::precision_recall_f1(kScores, kLabels, 0.4), 1, 1, 1, 1, 0.5, 0.5, 0.5);
  }
  SECTION("nothing flagged: precision 0 by convention, F1 0") {
    check_report(gm::precision_recall_f1(kScores, kLabels, 0.9), 0, 0, 2, 2, 0.0, 0.0, 0.0);
    check_report(gm::precision_recall_f1(kScores, kLabels, kInf), 0, 0, 2, 2, 0.0, 0.0, 0.0);
  }
  SECTION("everything flagged") {
    // P = 1/2, R = 1, F1 = 2 * 2 / (4 + 2) = 2/3.
    check_report(gm::precision_recall_f1(kScores, kLabels, -kInf), 2, 2, 0, 0, 0.5, 1.0, 2.0 / 3);
  }
  SECTION("single-class labels are accepted") {
    // No anomaly: recall has no denominator and is 0, and so is everything derived.
    check_report(gm::precision_recall_f1({0.1, 0.2, 0.3}, {0, 0, 0}, 0.2), 0, 2, 1, 0, 0.0, 0.0,
                 0.0);
    check_report(gm::precision_recall_f1({0.1, 0.2, 0.3}, {1, 1, 1}, 0.2), 2, 0, 0, 1, 1.0, 2.0 / 3,
                 0.8);
  }
  SECTION("the percentile-10 rule of the ALAD reference on its MNIST split") {
    // 12620 normal and 6903 anomalous test images; with every anomaly scored above every normal
    // image, percentile 10 sits between the 1953rd and 1954th smallest scores, so the top 17570
    // are flagged: tp 6903, fp 10667, tn 1953, fn 0. P = 6903 / 17570, R = 1,
    // F1 = 13806 / 24473: the ceiling that protocol allows, however good the detector.
    std::vector<double> s;
    std::vector<int> y;
    for (int i = 0; i < 12620; ++i) {
      s.push_back(1e-3 * i);
      y.push_back(0);
    }
    for (int i = 0; i < 6903; ++i) {
      s.push_back(100.0 + i);
      y.push_back(1);
    }
    const double threshold = gm::threshold_from_percentile(s, 10);
    const auto r = gm::precision_recall_f1(s, y, threshold);
    check_report(r, 6903, 10667, 1953, 0, 6903.0 / 17570, 1.0, 13806.0 / 24473);
    CHECK(r.precision == Approx(0.3929).margin(5e-5));
    CHECK(r.f1 == Approx(0.5641).margin(5e-5));
  }
}

TEST_CASE("precision_recall_f1 at a ratio", "[metrics][prf][threshold]") {
  // Anomalies at scores 5, 9, 10 among 1..10. Ratio 0.3 flags 8, 9, 10 (threshold 7.3):
  // tp 2, fp 1, fn 1, tn 6, so P = R = F1 = 2/3. The true ratio is also 3/10.
  const auto s = one_to_ten();
  const std::vector<int> y = {0, 0, 0, 0, 1, 0, 0, 0, 1, 1};
  check_report(gm::precision_recall_f1_at_ratio(s, y, 0.3), 2, 1, 6, 1, 2.0 / 3, 2.0 / 3, 2.0 / 3);
  check_report(gm::precision_recall_f1_at_true_ratio(s, y), 2, 1, 6, 1, 2.0 / 3, 2.0 / 3, 2.0 / 3);
  // Ratio 0.5 flags 6..10 (threshold 5.5): tp 2, fp 3, fn 1, tn 4.
  check_report(gm::precision_recall_f1_at_ratio(s, y, 0.5), 2, 3, 4, 1, 0.4, 2.0 / 3, 0.5);
}

TEST_CASE("threshold and P/R/F1 functions reject invalid input", "[metrics][errors]") {
  const std::vector<double> s = {0.1, 0.2, 0.3};
  const std::vector<int> y = {0, 1, 1};
  SECTION("percentile") {
    require_invalid([] { gm::threshold_from_percentile(std::vector<double>{}, 50); },
                    "empty input");
    require_invalid([&] { gm::threshold_from_percentile(s, -1); },
                    "percentile q = -1 is outside [0, 100]");
    require_invalid([&] { gm::threshold_from_percentile(s, 100.5); },
                    "percentile q = 100.5 is outside [0, 100]");
    require_invalid([&] { gm::threshold_from_percentile(s, kNaN); }, "q = nan");
    require_invalid(
        [] {
          gm::threshold_from_percentile({0.1, kNaN}, 50);
        },
        "threshold_from_percentile: scores[1] is nan");
  }
  SECTION("contamination") {
    for (const double c : {0.0, 1.0, -0.1, 1.5, kNaN}) {
      require_invalid([&] { gm::threshold_from_contamination(s, c); }, "is outside (0, 1)");
    }
    require_invalid([&] { gm::threshold_from_contamination(s, 0.0); }, "contamination = 0 ");
    require_invalid([] { gm::threshold_from_contamination(std::vector<double>{}, 0.1); },
                    "empty input");
    require_invalid(
        [] {
          gm::threshold_from_contamination({0.1, kInf}, 0.1);
        },
        "scores[1] is +inf");
    require_invalid([&] { gm::precision_recall_f1_at_ratio(s, y, 0.0); }, "is outside (0, 1)");
  }
  SECTION("precision_recall_f1") {
    require_invalid(
        [&] {
          gm::precision_recall_f1(s, {0, 1}, 0.2);
        },
        "differ in size (3 scores, 2 labels)");
    require_invalid([] { gm::precision_recall_f1(std::vector<double>{}, std::vector<int>{}, 0.2); },
                    "empty input");
    require_invalid([&] { gm::precision_recall_f1(s, {0, 3, 1}, 0.2); }, "labels[1] = 3");
    require_invalid([&] { gm::precision_recall_f1({kNaN, 0.2, 0.3}, y, 0.2); }, "scores[0] is nan");
    require_invalid([&] { gm::precision_recall_f1(s, y, kNaN); }, "threshold is NaN");
    require_invalid(
        [&] {
          gm::precision_recall_f1_at_ratio(s, {0, 1}, 0.2);
        },
        "precision_recall_f1_at_ratio: scores and labels differ in size");
    require_invalid(
        [&] {
          gm::precision_recall_f1_at_true_ratio(s, {0, 0, 0});
        },
        "labels contain only class 0 (3 normal samples, 0 anomalous)");
  }
}

TEST_CASE("tensor overloads equal the vector ones", "[metrics][tensor]") {
  // Float scores on a coarse grid (ties), labels in several dtypes.
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> level(0, 20);
  std::bernoulli_distribution anomalous(0.35);
  std::vector<float> scores_f;
  std::vector<std::int64_t> labels_i64;
  for (int i = 0; i < 257; ++i) {
    const bool y = i < 2 ? i == 0 : anomalous(rng);
    labels_i64.push_back(y ? 1 : 0);
    scores_f.push_back(0.05f * static_cast<float>(level(rng) + (y ? 6 : 0)));
  }
  const std::vector<double> scores(scores_f.begin(), scores_f.end());  // float -> double is exact
  const std::vector<int> labels(labels_i64.begin(), labels_i64.end());
  const at::Tensor ts = at::tensor(scores_f).set_requires_grad(true);
  const at::Tensor tl = at::tensor(labels_i64);

  for (const auto dtype : {at::kLong, at::kInt, at::kByte, at::kBool, at::kFloat, at::kDouble}) {
    INFO("label dtype " << c10::toString(dtype));
    const at::Tensor l = tl.to(dtype);
    CHECK(gm::auroc(ts, l) == gm::auroc(scores, labels));
    CHECK(gm::average_precision(ts, l) == gm::average_precision(scores, labels));
    CHECK(gm::auprc_trapezoid(ts, l) == gm::auprc_trapezoid(scores, labels));
  }
  for (const bool drop : {false, true}) {
    const auto a = gm::roc_curve(ts, tl, drop);
    const auto b = gm::roc_curve(scores, labels, drop);
    CHECK(a.fpr == b.fpr);
    CHECK(a.tpr == b.tpr);
    CHECK(a.thresholds == b.thresholds);
  }
  const auto pa = gm::precision_recall_curve(ts, tl);
  const auto pb = gm::precision_recall_curve(scores, labels);
  CHECK(pa.precision == pb.precision);
  CHECK(pa.recall == pb.recall);
  CHECK(pa.thresholds == pb.thresholds);

  CHECK(gm::threshold_from_percentile(ts, 37.0) == gm::threshold_from_percentile(scores, 37.0));
  CHECK(gm::threshold_from_contamination(ts, 0.2) == gm::threshold_from_contamination(scores, 0.2));
  check_same_report(gm::precision_recall_f1(ts, tl, 0.5),
                    gm::precision_recall_f1(scores, labels, 0.5));
  check_same_report(gm::precision_recall_f1_at_ratio(ts, tl, 0.35),
                    gm::precision_recall_f1_at_ratio(scores, labels, 0.35));
  check_same_report(gm::precision_recall_f1_at_true_ratio(ts, tl),
                    gm::precision_recall_f1_at_true_ratio(scores, labels));

  SECTION("half-precision scores go through double") {
    const at::Tensor half = ts.to(at::kHalf);
    const at::Tensor back = half.to(at::kDouble);
    const std::vector<double> rounded(back.data_ptr<double>(),
                                      back.data_ptr<double>() + back.numel());
    CHECK(gm::auroc(half, tl) == gm::auroc(rounded, labels));
  }
  SECTION("a non-contiguous view is read in logical order") {
    const at::Tensor strided = at::stack({ts.detach(), ts.detach()}, 1).select(1, 0);
    REQUIRE_FALSE(strided.is_contiguous());
    CHECK(gm::auroc(strided, tl) == gm::auroc(scores, labels));
  }
  SECTION("braced vectors still pick the vector overload") {
    CHECK(gm::auroc({0.1, 0.4, 0.35, 0.8}, {0, 0, 1, 1}) == near(0.75));
  }
}

TEST_CASE("tensor overloads reject invalid tensors", "[metrics][tensor][errors]") {
  const at::Tensor s = at::tensor(std::vector<double>{0.1, 0.2, 0.3});
  const at::Tensor y = at::tensor(std::vector<std::int64_t>{0, 1, 1});
  require_invalid([&] { gm::auroc(at::Tensor(), y); }, "auroc: scores tensor is undefined");
  require_invalid([&] { gm::auroc(s, at::Tensor()); }, "labels tensor is undefined");
  require_invalid(
      [&] {
        gm::auroc(at::zeros({3, 1}), y);
      },
      "scores must be a 1-D tensor, got shape [3, 1]");
  require_invalid([&] { gm::average_precision(s, at::scalar_tensor(0, at::kLong)); },
                  "labels must be a 1-D tensor, got shape []");
  require_invalid([&] { gm::auroc(s.to(at::kBool), y); }, "scores must be numeric");
  require_invalid([&] { gm::auroc(at::zeros({3}, at::kComplexFloat), y); }, "must be real");
  require_invalid(
      [&] {
        gm::auroc(s, at::tensor(std::vector<double>{0.0, 0.5, 1.0}));
      },
      "labels[1] = 0.5, but labels must be 0 (normal) or 1 (anomalous)");
  require_invalid(
      [&] {
        gm::auroc(s, at::tensor(std::vector<std::int64_t>{4294967297LL, 0, 1}));
      },
      "labels[0] = 4294967297");
  require_invalid([&] { gm::auroc(s, y.slice(0, 0, 2)); }, "differ in size (3 scores, 2 labels)");
  require_invalid(
      [&] {
        gm::auroc(at::tensor(std::vector<double>{0.1, kNaN, 0.3}), y);
      },
      "scores[1] is nan");
  require_invalid(
      [&] { gm::auroc(s, at::zeros({3}, at::kLong)); },
      "AUROC is undefined: labels contain only class 0 (3 normal samples, 0 anomalous)");
  require_invalid([&] { gm::roc_curve(at::zeros({0}), at::zeros({0}, at::kLong)); }, "empty input");
  require_invalid(
      [&] {
        gm::threshold_from_percentile(at::zeros({2, 2}), 50);
      },
      "threshold_from_percentile: scores must be a 1-D tensor");
}
