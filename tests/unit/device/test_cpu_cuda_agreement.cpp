// The same short fit on the CPU and on CUDA: same seed, data, latents and shuffles (gad draws
// them on the CPU and copies them over), so every logged loss and every final score must agree
// up to float32 rounding. Without a CUDA device the test says so and is reported as skipped.
//
// What differs between the two runs, and how the test removes it:
//  * TF32: cuDNN convolutions use TensorFloat-32 by default (10-bit mantissa); switched off here,
//    so both sides compute in float32.
//  * Dropout masks come from each device's own global generator, so ALAD and EGBAD run with
//    dropout 0 here; their reproducibility with dropout is tested per device elsewhere.
// Tolerance: relative 1e-3 and absolute 1e-4 on every loss of every iteration and on every
// score. Kernel differences (summation order, fused multiply-add) are ~1e-6 relative per step;
// the margin covers their growth over a dozen GAN steps, not a difference in the algorithm.
#include <gad/alad.hpp>
#include <gad/algan.hpp>
#include <gad/egbad.hpp>

#include "support/fixture.hpp"

#include <ATen/Context.h>
#include <torch/cuda.h>
#include <torch/torch.h>
#include "support/catch.hpp"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

namespace {

constexpr double kRelative = 1e-3;
constexpr double kAbsolute = 1e-4;

struct loss_log {
  std::vector<std::vector<double>> rows;
  void on_iteration_end(const gad::train::iteration_info& info) {
    std::vector<double> row;
    for (const auto& [name, value] : info.losses) row.push_back(value);
    rows.push_back(row);
  }
};

struct run_result {
  loss_log losses;
  torch::Tensor scores;
};

template <class Detector, class Options>
run_result run_on(Options options, const std::string& device) {
  options.runtime.device = device;
  Detector detector(options);
  run_result r;
  const auto& data = gad_test::algan_fixture();
  detector.fit(data.train, nullptr, r.losses);
  r.scores = detector.decision_function(data.test.images).to(torch::kDouble);
  return r;
}

bool close(double a, double b) { return std::abs(a - b) <= kAbsolute + kRelative * std::abs(b); }

// `compared_iterations` limits the loss comparison to the first iterations, for a detector
// whose short fit amplifies rounding past the tolerance on one device already (ALAD, below).
template <class Detector, class Options>
void check_agreement(const Options& options,
                     std::size_t compared_iterations = std::numeric_limits<std::size_t>::max()) {
  const run_result cpu = run_on<Detector>(options, "cpu");
  const run_result cuda = run_on<Detector>(options, "cuda");
  REQUIRE(cpu.losses.rows.size() == cuda.losses.rows.size());
  REQUIRE_FALSE(cpu.losses.rows.empty());
  for (std::size_t i = 0; i < std::min(cpu.losses.rows.size(), compared_iterations); ++i) {
    for (std::size_t k = 0; k < cpu.losses.rows[i].size(); ++k) {
      INFO("iteration " << i << ", loss " << k << ": cpu " << cpu.losses.rows[i][k] << ", cuda "
                        << cuda.losses.rows[i][k]);
      CHECK(close(cuda.losses.rows[i][k], cpu.losses.rows[i][k]));
    }
  }
  REQUIRE(cuda.scores.sizes() == cpu.scores.sizes());
  const double worst =
      ((cuda.scores - cpu.scores).abs() - kRelative * cpu.scores.abs()).max().item<double>();
  INFO("largest score difference beyond the relative tolerance: " << worst);
  CHECK(worst <= kAbsolute);
}

void without_dropout(std::vector<gad::nn::layer_spec>& layers) {
  for (auto& l : layers) l.dropout = 0.0;
}

gad::bigan_options deterministic(gad::bigan_options o) {
  auto& a = o.network;
  for (auto* layers : {&a.encoder, &a.generator, &a.dxz_x, &a.dxz_z, &a.dxz_joint, &a.dxx, &a.dzz}) {
    without_dropout(*layers);
  }
  o.epochs = 2;
  o.batch_size = 16;
  o.runtime.seed = 5;
  o.runtime.threads = 1;
  return o;
}

bool cuda_present() {
  if (torch::cuda::is_available()) {
    at::globalContext().setAllowTF32CuDNN(false);
    at::globalContext().setAllowTF32CuBLAS(false);
    return true;
  }
  // CTest's SKIP_REGULAR_EXPRESSION for this executable matches the line below.
  std::cout << "SKIPPED: no CUDA device is visible to LibTorch, so CPU-CUDA agreement cannot be "
               "checked on this machine"
            << std::endl;
  return false;
}

}  // namespace

TEST_CASE("ALGAN trains and scores alike on CPU and CUDA", "[device][algan]") {
  if (!cuda_present()) return;
  gad::algan_options o;
  o.z_dim = 16;
  o.generator_hidden = {32, 64};
  o.discriminator_hidden = {64, 32};
  o.batch_size = 16;
  o.epochs = 3;  // epochs 1 and 2 use the replay buffers
  o.runtime = gad::runtime_options{5, 1, "cpu"};
  check_agreement<gad::algan<>>(o);
}

TEST_CASE("ALAD trains and scores alike on CPU and CUDA", "[device][alad]") {
  if (!cuda_present()) return;
  // ALAD's losses are compared over the first three iterations only. This fit drifts from
  // itself on the CPU alone: with 1 and with 2 threads (summation order the only difference)
  // its first loss differs by 1.3e-5 relative at iteration 2, 2.7e-5 at 3, 2.0e-3 at 4 and
  // 1.1e-2 at 6 (Debian 12, LibTorch 1.13, 2026-12-04), while EGBAD's stay below 2e-7. On an
  // H200 the CPU-CUDA difference passed 1e-3 up to iteration 2 and reached 1.9e-3 at 3. The
  // scores after the whole fit are still compared.
  check_agreement<gad::alad<gad::norm::spectral, gad::score::l1, gad::with_dzz>>(
      deterministic(gad::alad_mnist_options()), 3);
}

TEST_CASE("EGBAD trains and scores alike on CPU and CUDA", "[device][egbad]") {
  if (!cuda_present()) return;
  check_agreement<gad::egbad<>>(deterministic(gad::egbad_mnist_options()));
}
