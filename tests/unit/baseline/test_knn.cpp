// The k-nearest-neighbour distance baseline against distances worked out by hand and a brute
// force over every pair, and its errors.
#include <gad/baseline/knn.hpp>
#include <gad/core/random.hpp>

#include "support/message_of.hpp"

#include <torch/torch.h>
#include "support/catch.hpp"

#include <limits>
#include <string>

using gad::baseline::knn_distance;
using gad_test::message_of;

TEST_CASE("kNN distance on hand-worked points", "[baseline][knn]") {
  const torch::Tensor train = torch::tensor({0.0, 0.0, 3.0, 4.0}, torch::kDouble).reshape({2, 2});
  const torch::Tensor probe = torch::tensor({6.0, 8.0, 0.0, 0.0}, torch::kDouble).reshape({2, 2});
  knn_distance one(1);
  one.fit(train);
  const torch::Tensor s1 = one.score(probe);
  CHECK(s1[0].item<double>() == Approx(5.0));  // to (3, 4)
  CHECK(s1[1].item<double>() == 0.0);          // a training point itself
  knn_distance two(2);
  two.fit(train);
  CHECK(two.score(probe)[0].item<double>() == Approx(7.5));  // (5 + 10) / 2
  // Images are flattened: [N, 1, 1, 2] scores as [N, 2].
  CHECK(one.score(probe.reshape({2, 1, 1, 2})).equal(s1));
}

TEST_CASE("kNN distance matches a brute force over every pair, across chunks",
          "[baseline][knn]") {
  auto gen = gad::make_generator(3);
  const torch::Tensor train = torch::randn({50, 7}, gen);
  const torch::Tensor probe = torch::randn({23, 7}, gen);
  knn_distance knn(3, /*chunk=*/5);  // 23 queries: four full chunks and a partial one
  knn.fit(train);
  const torch::Tensor d = torch::cdist(probe.to(torch::kDouble), train.to(torch::kDouble));
  const torch::Tensor expected = std::get<0>(d.topk(3, 1, false)).mean(1);
  CHECK(torch::allclose(knn.score(probe), expected, 1e-9, 1e-9));
  CHECK(knn.score(probe.slice(0, 0, 0)).numel() == 0);
}

TEST_CASE("kNN distance refuses what it cannot score", "[baseline][knn]") {
  CHECK(message_of<gad::invalid_argument>([] { knn_distance bad(0); }).find("k must be >= 1") !=
        std::string::npos);
  knn_distance knn(3);
  CHECK(message_of<gad::error>([&] { knn.score(torch::zeros({1, 2})); }).find("before fit") !=
        std::string::npos);
  CHECK(message_of<gad::invalid_argument>([&] { knn.fit(torch::zeros({2, 4})); })
            .find("at least 3 samples") != std::string::npos);
  knn.fit(torch::zeros({4, 4}));
  CHECK(message_of<gad::invalid_argument>([&] { knn.score(torch::zeros({1, 5})); })
            .find("expected 4 features") != std::string::npos);
  const torch::Tensor nan = torch::full({1, 4}, std::numeric_limits<double>::quiet_NaN());
  CHECK(message_of<gad::invalid_argument>([&] { knn.score(nan); }).find("NaN") !=
        std::string::npos);
  CHECK(message_of<gad::invalid_argument>([&] { knn.fit(torch::zeros({4}, torch::kLong)); })
            .find("floating-point") != std::string::npos);
}
