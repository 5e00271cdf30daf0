#include <gad/core/error.hpp>
#include <gad/core/runtime.hpp>

#include "support/catch.hpp"
#include <torch/torch.h>

#include <cstdint>

namespace {
// A miniature training run that touches every source of randomness a detector
// uses: weight init (global generator), shuffling and latent draws (streams).
torch::Tensor tiny_training_run(std::uint64_t seed) {
  gad::runtime rt(gad::runtime_options{seed, 2, "cpu"});
  torch::nn::Sequential net(torch::nn::Linear(8, 16), torch::nn::ReLU(), torch::nn::Linear(16, 1));
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(1e-2));
  auto data_gen = rt.generator("data");
  const auto x = torch::randn({64, 8}, data_gen);
  auto shuffle = rt.generator("shuffle");
  auto latent = rt.generator("latent");
  for (int step = 0; step < 20; ++step) {
    const auto idx = torch::randperm(64, shuffle, torch::kLong).slice(0, 0, 16);
    const auto noise = torch::randn({16, 8}, latent);
    opt.zero_grad();
    const auto loss = net->forward(x.index_select(0, idx) + 0.1 * noise).pow(2).mean();
    loss.backward();
    opt.step();
  }
  torch::NoGradGuard no_grad;
  return net->forward(x).clone();
}
}  // namespace

TEST_CASE("same seed and threads on CPU give bit-identical training", "[core][determinism]") {
  const auto a = tiny_training_run(7);
  const auto b = tiny_training_run(7);
  REQUIRE(torch::equal(a, b));
  const auto c = tiny_training_run(8);
  REQUIRE_FALSE(torch::equal(a, c));
}

TEST_CASE("named streams are independent and reproducible", "[core][random]") {
  STATIC_REQUIRE(gad::derive_seed(1, "latent") != gad::derive_seed(1, "shuffle"));
  STATIC_REQUIRE(gad::derive_seed(1, "latent") != gad::derive_seed(2, "latent"));
  auto g1 = gad::make_generator(5, "latent");
  auto g2 = gad::make_generator(5, "latent");
  auto g3 = gad::make_generator(5, "shuffle");
  const auto a = torch::randn({32}, g1);
  REQUIRE(torch::equal(a, torch::randn({32}, g2)));
  REQUIRE_FALSE(torch::equal(a, torch::randn({32}, g3)));
  // Drawing more from one stream must not shift another.
  auto s1 = gad::make_generator(5, "shuffle");
  auto l1 = gad::make_generator(5, "latent");
  (void)torch::randn({1000}, s1);
  REQUIRE(torch::equal(a, torch::randn({32}, l1)));
}

TEST_CASE("device selection", "[core][device]") {
  REQUIRE(gad::select_device("cpu").is_cpu());
  const auto automatic = gad::select_device("auto");
  REQUIRE(automatic.is_cuda() == torch::cuda::is_available());
  REQUIRE(gad::select_device("").type() == automatic.type());
  REQUIRE_THROWS_AS(gad::select_device("tpu"), gad::invalid_argument);
  REQUIRE_THROWS_WITH(gad::select_device("gpu0"), gad_test::contains("expected auto, cpu, cuda"));
  if (!torch::cuda::is_available()) {
    REQUIRE_THROWS_WITH(gad::select_device("cuda"), gad_test::contains("no CUDA device"));
    REQUIRE_THROWS_AS(gad::select_device("cuda:1"), gad::invalid_argument);
  } else {
    REQUIRE(gad::select_device("cuda").is_cuda());
  }
}

TEST_CASE("thread count is set explicitly", "[core][threads]") {
  REQUIRE(gad::set_threads(1) == 1);
  REQUIRE(at::get_num_threads() == 1);
  REQUIRE(gad::set_threads(2) == 2);
  REQUIRE(gad::set_threads(0) >= 1);
  REQUIRE_THROWS_AS(gad::set_threads(-1), gad::invalid_argument);
  gad::runtime rt(gad::runtime_options{1, 2, "cpu"});
  REQUIRE(rt.threads() == 2);
  REQUIRE(rt.seed() == 1);
  REQUIRE(rt.device().is_cpu());
}
