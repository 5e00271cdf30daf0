// The PCA reconstruction baseline against cases worked out by hand, and its errors.
#include <gad/baseline/pca.hpp>
#include <gad/core/random.hpp>

#include <torch/torch.h>
#include "support/catch.hpp"

#include <cmath>
#include <limits>

using gad::baseline::pca_reconstruction;

TEST_CASE("PCA on a hand-worked 2-D set keeps the long axis", "[baseline][pca]") {
  // Mean 0, covariance diag(8/3, 2/3): the first component is the x axis.
  const torch::Tensor x =
      torch::tensor({2.0, 0.0, -2.0, 0.0, 0.0, 1.0, 0.0, -1.0}, torch::kDouble).reshape({4, 2});
  pca_reconstruction pca(1);
  pca.fit(x);
  CHECK(pca.explained_variance().item<double>() == Approx(8.0 / 3.0));
  CHECK(std::abs(pca.basis()[0][0].item<double>()) == Approx(1.0));
  CHECK(pca.basis()[0][1].item<double>() == Approx(0.0).margin(1e-12));

  // (3, -2) projects to (3, 0): the residual (0, -2) has L1 and L2 norm 2.
  const torch::Tensor probe = torch::tensor({3.0, -2.0, 1.0, 1.0}, torch::kDouble).reshape({2, 2});
  const torch::Tensor l1 = pca.score_l1(probe);
  const torch::Tensor l2 = pca.score_l2(probe);
  CHECK(l1[0].item<double>() == Approx(2.0));
  CHECK(l2[0].item<double>() == Approx(2.0));
  CHECK(l1[1].item<double>() == Approx(1.0));
  CHECK(pca.reconstruct(probe)[0][0].item<double>() == Approx(3.0));
}

TEST_CASE("samples on the learnt subspace score zero, and the distance off it is the L2 score",
          "[baseline][pca]") {
  auto gen = gad::make_generator(5);
  // 200 points on a random 3-D affine subspace of R^10.
  const torch::Tensor q = std::get<0>(at::linalg_qr(torch::randn({10, 3}, gen).to(torch::kDouble), "reduced"));
  const torch::Tensor offset = torch::randn({10}, gen).to(torch::kDouble);
  const torch::Tensor coords = torch::randn({200, 3}, gen).to(torch::kDouble) * 3.0;
  const torch::Tensor on_plane = coords.mm(q.t()) + offset;
  pca_reconstruction pca(3);
  pca.fit(on_plane.to(torch::kFloat));  // float input is accepted and widened
  CHECK(pca.basis().mm(pca.basis().t()).allclose(torch::eye(3, torch::kDouble), 1e-6, 1e-9));
  CHECK(pca.score_l2(on_plane).max().item<double>() < 1e-4);

  // Step off the subspace by 0.5 along a direction orthogonal to it.
  torch::Tensor normal = torch::randn({10}, gen).to(torch::kDouble);
  normal = normal - q.mv(q.t().mv(normal));
  normal = normal / normal.norm();
  const torch::Tensor off = on_plane.slice(0, 0, 5) + 0.5 * normal;
  CHECK(pca.score_l2(off).allclose(torch::full({5}, 0.5, torch::kDouble), 1e-4, 1e-4));
  // Images of any shape are flattened the same way.
  CHECK(pca.score_l2(off.reshape({5, 2, 5})).allclose(pca.score_l2(off)));
}

TEST_CASE("PCA rejects unusable input with the reason", "[baseline][pca][errors]") {
  CHECK_THROWS_WITH(pca_reconstruction(0), gad_test::contains("components must be >= 1"));
  pca_reconstruction pca(4);
  CHECK_THROWS_WITH(pca.score_l1(torch::zeros({2, 3})), gad_test::contains("before fit()"));
  CHECK_THROWS_WITH(pca.fit(torch::zeros({10, 3})), gad_test::contains("4 components need"));
  CHECK_THROWS_WITH(pca.fit(torch::zeros({3, 8})), gad_test::contains("4 components need"));
  CHECK_THROWS_WITH(pca.fit(torch::zeros({1, 8})), gad_test::contains("at least 2 samples"));
  CHECK_THROWS_WITH(pca.fit(torch::zeros({10, 8}, torch::kLong)),
                    gad_test::contains("floating-point"));
  torch::Tensor nan = torch::zeros({10, 8});
  nan[3][2] = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_WITH(pca.fit(nan), gad_test::contains("NaN or Inf"));
  pca.fit(torch::randn({20, 8}));
  CHECK_THROWS_WITH(pca.score_l2(torch::zeros({2, 7})), gad_test::contains("expected 8 features"));
  CHECK(pca.score_l2(torch::zeros({0, 8})).size(0) == 0);
}
