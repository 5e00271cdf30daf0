// Ranking metrics (AUROC, ROC curve, average precision, PR curve, trapezoid AUPRC) against values
// worked out by hand, and against scikit-learn 1.2.1 output recorded offline for one tie-heavy
// case. This file includes only the torch-free headers, which also checks that they need no
// LibTorch.
#include <gad/core/error.hpp>
#include <gad/metrics/precision_recall.hpp>
#include <gad/metrics/roc.hpp>

#include "support/message_of.hpp"

#include "support/catch.hpp"

#include <cstddef>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace {

namespace gm = gad::metrics;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Approx near(double expected) { return Approx(expected).epsilon(1e-12).margin(1e-15); }

void require_near(const std::vector<double>& actual, const std::vector<double>& expected) {
  REQUIRE(actual.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO("index " << i);
    if (expected[i] == kInf) {
      CHECK(actual[i] == kInf);
    } else {
      CHECK(actual[i] == near(expected[i]));
    }
  }
}

template <typename Call>
void require_invalid(Call&& call, const std::string& fragment) {
  CHECK_THAT(gad_test::message_of<gad::invalid_argument>(call), gad_test::contains(fragment));
}

// The hand-worked example used throughout. Ranked by decreasing score:
//   0.8 (anomalous), 0.4 (normal), 0.35 (anomalous), 0.1 (normal).
// Of the 2 x 2 (anomalous, normal) pairs, 0.8 beats both normals and 0.35 beats 0.1 only: 3 of 4
// pairs are ordered correctly, so AUROC = 0.75.
// Walking the thresholds down: 0.8 -> (tp 1, fp 0) P = 1, R = 1/2; 0.4 -> (1, 1) P = 1/2, R = 1/2;
// 0.35 -> (2, 1) P = 2/3, R = 1; 0.1 -> (2, 2) P = 1/2, R = 1.
// AP = sum of recall steps times precision = 1/2 * 1 + 1/2 * 2/3 = 5/6.
const std::vector<double> kScores = {0.1, 0.4, 0.35, 0.8};
const std::vector<int> kLabels = {0, 0, 1, 1};

// A tie-heavy case (20 samples, 9 anomalous, 11 distinct scores); the expected values below were
// produced by scikit-learn 1.2.1 (roc_auc_score, average_precision_score, roc_curve,
// precision_recall_curve, auc) and numpy 1.24 offline.
const std::vector<double> kTieScores = {0.9, 0.1, 0.4,  0.4, 0.75, 0.3,  0.75, 0.2,  0.4, 0.05,
                                        0.6, 0.3, 0.95, 0.2, 0.4,  0.55, 0.1,  0.75, 0.3, 0.5};
const std::vector<int> kTieLabels = {1, 0, 1, 0, 1, 0, 0, 0, 1, 0, 1, 1, 1, 0, 0, 0, 0, 1, 0, 1};

// Independent O(n^2) definitions used as oracles on random data.
double pairwise_auroc(const std::vector<double>& s, const std::vector<int>& y) {
  double wins = 0.0;
  double pairs = 0.0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    for (std::size_t j = 0; j < s.size(); ++j) {
      if (y[i] != 1 || y[j] != 0) continue;
      pairs += 1.0;
      wins += s[i] > s[j] ? 1.0 : (s[i] == s[j] ? 0.5 : 0.0);
    }
  }
  return wins / pairs;
}

// Mean over anomalous samples of the precision when everything scoring >= their score is flagged.
double per_positive_average_precision(const std::vector<double>& s, const std::vector<int>& y) {
  double sum = 0.0;
  double positives = 0.0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (y[i] != 1) continue;
    double flagged = 0.0;
    double hits = 0.0;
    for (std::size_t j = 0; j < s.size(); ++j) {
      if (s[j] >= s[i]) {
        flagged += 1.0;
        hits += y[j];
      }
    }
    sum += hits / flagged;
    positives += 1.0;
  }
  return sum / positives;
}

struct random_case {
  std::vector<double> scores;
  std::vector<int> labels;
};

// Scores on a 0.1 grid so that ties are frequent, both classes guaranteed.
random_case make_random_case(unsigned seed, std::size_t n) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> level(0, 9);
  std::bernoulli_distribution anomalous(0.3);
  random_case c;
  for (std::size_t i = 0; i < n; ++i) {
    const int y = i == 0 ? 1 : (i == 1 ? 0 : static_cast<int>(anomalous(rng)));
    // Anomalies drift upwards so that the AUROC is informative rather than 0.5.
    c.scores.push_back(0.1 * (level(rng) + 2 * y));
    c.labels.push_back(y);
  }
  return c;
}

}  // namespace

TEST_CASE("auroc and average precision on the hand-worked example", "[metrics][auroc][ap]") {
  CHECK(gm::auroc(kScores, kLabels) == near(0.75));
  CHECK(gm::average_precision(kScores, kLabels) == near(5.0 / 6.0));
}

TEST_CASE("auroc and average precision with ties", "[metrics][auroc][ap][ties]") {
  SECTION("all scores equal: chance AUROC, AP = anomaly ratio") {
    // One threshold flags everything: the ROC curve is the diagonal, and AP is one recall step
    // of 1 at precision 2/5.
    const std::vector<double> s(5, 0.3);
    const std::vector<int> y = {1, 0, 0, 1, 0};
    CHECK(gm::auroc(s, y) == near(0.5));
    CHECK(gm::average_precision(s, y) == near(0.4));
  }
  SECTION("a tie across classes counts one half") {
    // scores {0.5, 0.5, 0.2, 0.1}, labels {1, 0, 0, 1}. Pairs: anomalous 0.5 vs normal 0.5 is a
    // tie (1/2), vs 0.2 a win (1); anomalous 0.1 loses both. AUROC = 1.5 / 4 = 0.375.
    // Thresholds: 0.5 -> (tp 1, fp 1) P = 1/2, R = 1/2; 0.2 -> (1, 2) no recall step;
    // 0.1 -> (2, 2) P = 1/2, R = 1. AP = 1/2 * 1/2 + 1/2 * 1/2 = 0.5.
    const std::vector<double> s = {0.5, 0.5, 0.2, 0.1};
    const std::vector<int> y = {1, 0, 0, 1};
    CHECK(gm::auroc(s, y) == near(0.375));
    CHECK(gm::average_precision(s, y) == near(0.5));
  }
  SECTION("tie-heavy case matches scikit-learn") {
    CHECK(gm::auroc(kTieScores, kTieLabels) == near(0.8484848484848484));
    CHECK(gm::average_precision(kTieScores, kTieLabels) == near(0.7907407407407407));
    CHECK(gm::auprc_trapezoid(kTieScores, kTieLabels) == near(0.8220899470899472));
  }
}

TEST_CASE("perfect and inverted rankings", "[metrics][auroc][ap]") {
  SECTION("perfect") {
    const std::vector<double> s = {4, 3, 2, 1};
    const std::vector<int> y = {1, 1, 1, 0};
    CHECK(gm::auroc(s, y) == 1.0);
    CHECK(gm::average_precision(s, y) == 1.0);
    CHECK(gm::auprc_trapezoid(s, y) == 1.0);
  }
  SECTION("inverted") {
    // Normals on top: thresholds 4, 3 add no recall; 2 -> (tp 1, fp 2) P = 1/3, R = 1/2;
    // 1 -> (2, 2) P = 1/2, R = 1. AP = 1/2 * 1/3 + 1/2 * 1/2 = 5/12.
    const std::vector<double> s = {1, 2, 3, 4};
    const std::vector<int> y = {1, 1, 0, 0};
    CHECK(gm::auroc(s, y) == 0.0);
    CHECK(gm::average_precision(s, y) == near(5.0 / 12.0));
  }
}

TEST_CASE("auroc invariances on a random case with ties", "[metrics][auroc][ties]") {
  const auto c = make_random_case(20240501u, 300);
  const double a = gm::auroc(c.scores, c.labels);
  CHECK(a == near(pairwise_auroc(c.scores, c.labels)));
  CHECK(a > 0.6);  // the case is informative, so the symmetry below is not trivially 0.5 = 0.5

  std::vector<double> negated;
  std::vector<double> squashed;
  for (const double v : c.scores) {
    negated.push_back(-v);
    squashed.push_back(v * v * v + 7.0);  // strictly increasing on the grid
  }
  CHECK(gm::auroc(negated, c.labels) == near(1.0 - a));
  CHECK(gm::auroc(squashed, c.labels) == near(a));

  // Flipping the labels and negating the scores describes the same ranking problem.
  std::vector<int> flipped;
  for (const int y : c.labels) flipped.push_back(1 - y);
  CHECK(gm::auroc(negated, flipped) == near(a));

  CHECK(gm::average_precision(c.scores, c.labels) ==
        near(per_positive_average_precision(c.scores, c.labels)));
}

TEST_CASE("roc_curve points", "[metrics][roc]") {
  SECTION("hand-worked example, every threshold") {
    // (0, 0) at +inf, then one point per score from the top: 0.8 (tp 1, fp 0), 0.4 (1, 1),
    // 0.35 (2, 1), 0.1 (2, 2), over 2 anomalous and 2 normal samples.
    const auto roc = gm::roc_curve(kScores, kLabels);
    require_near(roc.fpr, {0.0, 0.0, 0.5, 0.5, 1.0});
    require_near(roc.tpr, {0.0, 0.5, 0.5, 1.0, 1.0});
    require_near(roc.thresholds, {kInf, 0.8, 0.4, 0.35, 0.1});
  }
  SECTION("drop_intermediate uses scikit-learn's rule") {
    // Counts (fp, tp) at 4, 3, 2, 1: (0, 1), (0, 2), (0, 3), (1, 3). Threshold 3 is midway on a run
    // of equal steps (second differences 0 and 0) and goes; threshold 2 is a corner and stays.
    const std::vector<double> s = {4, 3, 2, 1};
    const std::vector<int> y = {1, 1, 1, 0};
    const auto all = gm::roc_curve(s, y);
    require_near(all.fpr, {0, 0, 0, 0, 1});
    require_near(all.tpr, {0, 1.0 / 3, 2.0 / 3, 1, 1});
    require_near(all.thresholds, {kInf, 4, 3, 2, 1});
    const auto dropped = gm::roc_curve(s, y, /*drop_intermediate=*/true);
    require_near(dropped.fpr, {0, 0, 0, 1});
    require_near(dropped.tpr, {0, 1.0 / 3, 1, 1});
    require_near(dropped.thresholds, {kInf, 4, 2, 1});
  }
  SECTION("ties collapse to one point") {
    const std::vector<double> s(4, 2.5);
    const auto roc = gm::roc_curve(s, {0, 1, 1, 0});
    require_near(roc.fpr, {0, 1});
    require_near(roc.tpr, {0, 1});
    require_near(roc.thresholds, {kInf, 2.5});
  }
  SECTION("tie-heavy case matches scikit-learn (first threshold +inf, not max + 1)") {
    const std::vector<double> fpr = {0.0,
                                     0.0,
                                     0.0,
                                     0.09090909090909091,
                                     0.09090909090909091,
                                     0.18181818181818182,
                                     0.18181818181818182,
                                     0.36363636363636365,
                                     0.5454545454545454,
                                     0.7272727272727273,
                                     0.9090909090909091,
                                     1.0};
    const std::vector<double> tpr = {0.0,
                                     0.1111111111111111,
                                     0.2222222222222222,
                                     0.4444444444444444,
                                     0.5555555555555556,
                                     0.5555555555555556,
                                     0.6666666666666666,
                                     0.8888888888888888,
                                     1.0,
                                     1.0,
                                     1.0,
                                     1.0};
    const std::vector<double> thresholds = {kInf, 0.95, 0.9, 0.75, 0.6, 0.55,
                                            0.5,  0.4,  0.3, 0.2,  0.1, 0.05};
    const auto all = gm::roc_curve(kTieScores, kTieLabels);
    require_near(all.fpr, fpr);
    require_near(all.tpr, tpr);
    require_near(all.thresholds, thresholds);

    // scikit-learn drops only the point at threshold 0.2 here (index 9 above).
    auto drop = [](std::vector<double> v) {
      v.erase(v.begin() + 9);
      return v;
    };
    const auto dropped = gm::roc_curve(kTieScores, kTieLabels, true);
    require_near(dropped.fpr, drop(fpr));
    require_near(dropped.tpr, drop(tpr));
    require_near(dropped.thresholds, drop(thresholds));
  }
}

TEST_CASE("precision_recall_curve points", "[metrics][pr]") {
  SECTION("hand-worked example") {
    // The four (P, R) pairs from the example in increasing-threshold order, then (1, 0).
    const auto pr = gm::precision_recall_curve(kScores, kLabels);
    require_near(pr.precision, {0.5, 2.0 / 3, 0.5, 1.0, 1.0});
    require_near(pr.recall, {1.0, 1.0, 0.5, 0.5, 0.0});
    require_near(pr.thresholds, {0.1, 0.35, 0.4, 0.8});
  }
  SECTION("tie-heavy case matches scikit-learn") {
    const auto pr = gm::precision_recall_curve(kTieScores, kTieLabels);
    require_near(pr.precision,
                 {0.45, 0.47368421052631576, 0.5294117647058824, 0.6, 0.6666666666666666, 0.75,
                  0.7142857142857143, 0.8333333333333334, 0.8, 1.0, 1.0, 1.0});
    require_near(pr.recall, {1.0, 1.0, 1.0, 1.0, 0.8888888888888888, 0.6666666666666666,
                             0.5555555555555556, 0.5555555555555556, 0.4444444444444444,
                             0.2222222222222222, 0.1111111111111111, 0.0});
    require_near(pr.thresholds, {0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.55, 0.6, 0.75, 0.9, 0.95});
  }
}

TEST_CASE("auprc_trapezoid", "[metrics][pr]") {
  SECTION("hand-worked example") {
    // Trapezoids between consecutive (R, P) points (1, .5) (1, 2/3) (.5, .5) (.5, 1) (0, 1):
    // 0 + 1/2 * (2/3 + 1/2) / 2 + 0 + 1/2 * (1 + 1) / 2 = 7/24 + 12/24 = 19/24.
    CHECK(gm::auprc_trapezoid(kScores, kLabels) == near(19.0 / 24.0));
  }
  SECTION("a constant scorer gets (1 + p) / 2, not p") {
    // Two points, (R 1, P p) and the closing (0, 1): one trapezoid of width 1.
    for (const auto& labels : {std::vector<int>{1, 0, 0, 0}, std::vector<int>{1, 1, 0, 0, 0},
                               std::vector<int>{0, 1, 1, 1, 1, 1, 1, 0, 0, 1}}) {
      const std::vector<double> s(labels.size(), -3.0);
      double p = 0.0;
      for (const int y : labels) p += y;
      p /= static_cast<double>(labels.size());
      CHECK(gm::auprc_trapezoid(s, labels) == near((1.0 + p) / 2.0));
      CHECK(gm::average_precision(s, labels) == near(p));
    }
  }
  SECTION("inverted ranking") {
    // Points (1, 1/2) (1/2, 1/3) (0, 0) (0, 0) (0, 1): 1/2 * (1/2 + 1/3) / 2 + 1/2 * 1/3 / 2 =
    // 7/24.
    CHECK(gm::auprc_trapezoid({1, 2, 3, 4}, {1, 1, 0, 0}) == near(7.0 / 24.0));
  }
}

TEST_CASE("ranking metrics reject invalid input", "[metrics][errors]") {
  const std::vector<double> s = {0.1, 0.2, 0.3};
  const std::vector<int> y = {0, 1, 1};

  SECTION("every ranking metric checks sizes, emptiness, labels and finiteness") {
    using scores_t = const std::vector<double>&;
    using labels_t = const std::vector<int>&;
    using fn = double (*)(scores_t, labels_t);
    const std::vector<std::pair<std::string, fn>> metrics = {
        {"auroc", [](scores_t a, labels_t b) { return gm::auroc(a, b); }},
        {"roc_curve", [](scores_t a, labels_t b) { return gm::roc_curve(a, b).fpr[0]; }},
        {"average_precision", [](scores_t a, labels_t b) { return gm::average_precision(a, b); }},
        {"precision_recall_curve",
         [](scores_t a, labels_t b) { return gm::precision_recall_curve(a, b).recall[0]; }},
        {"auprc_trapezoid", [](scores_t a, labels_t b) { return gm::auprc_trapezoid(a, b); }},
    };
    for (const auto& [name, metric] : metrics) {
      INFO(name);
      const auto call = [metric = metric](std::vector<double> a, std::vector<int> b) {
        return [=] { metric(a, b); };
      };
      require_invalid(call(s, {0, 1}), "differ in size (3 scores, 2 labels)");
      require_invalid(call({}, {}), "empty input");
      require_invalid(call(s, {0, 2, 1}), "labels[1] = 2, but labels must be 0 (normal) or 1");
      require_invalid(call(s, {-1, 0, 1}), "labels[0] = -1");
      require_invalid(call({0.1, kNaN, 0.3}, y), "scores[1] is nan");
      require_invalid(call({0.1, 0.2, kInf}, y), "scores[2] is +inf");
      require_invalid(call({-kInf, 0.2, 0.3}, y), "scores[0] is -inf");
      require_invalid(call(s, {0, 0, 0}),
                      "labels contain only class 0 (3 normal samples, 0 anomalous)");
      require_invalid(call(s, {1, 1, 1}),
                      "labels contain only class 1 (0 normal samples, 3 anomalous)");
      require_invalid(call(s, {0, 0, 0}), "gad::metrics::" + name);
    }
  }
  SECTION("single-class messages name the metric") {
    require_invalid(
        [&] {
          gm::auroc(s, {0, 0, 0});
        },
        "AUROC is undefined: labels contain only class 0 (3 normal samples, 0 anomalous)");
    require_invalid(
        [&] {
          gm::average_precision(s, {1, 1, 1});
        },
        "average precision is undefined: labels contain only class 1");
    require_invalid([&] { gm::roc_curve(s, {0, 0, 0}); }, "the ROC curve is undefined");
    require_invalid(
        [&] {
          gm::precision_recall_curve(s, {0, 0, 0});
        },
        "the precision-recall curve is undefined");
  }
}
