// A "training diverged" message names the oneDNN workaround exactly where the known LibTorch
// 2.x / AVX-512 problem can be the cause (README, "Known problem"), and the fit loop ends its
// message with the hint it was given.
#include <gad/core/error.hpp>
#include <gad/train/divergence_hint.hpp>
#include <gad/train/fit_loop.hpp>

#include "support/message_of.hpp"

#include <torch/types.h>
#include "support/catch.hpp"

#include <limits>
#include <string>

TEST_CASE("the divergence hint appears only where the oneDNN problem can be the cause",
          "[train][errors]") {
  using gad::train::divergence_hint;
  const std::string hint = divergence_hint(true, true, true, nullptr);
  CHECK(hint.find("ONEDNN_MAX_CPU_ISA=AVX2") != std::string::npos);
  CHECK(divergence_hint(true, true, true, "") == hint);  // an empty variable caps nothing
  CHECK(divergence_hint(false, true, true, nullptr).empty());  // CUDA
  CHECK(divergence_hint(true, false, true, nullptr).empty());  // LibTorch 1.13
  CHECK(divergence_hint(true, true, false, nullptr).empty());  // no AVX-512
  CHECK(divergence_hint(true, true, true, "AVX2").empty());    // already capped
  // The device form: never on CUDA, whatever this machine is.
  CHECK(divergence_hint(c10::Device("cuda:0")).empty());
}

TEST_CASE("the fit loop ends a non-finite loss message with its hint", "[train][errors]") {
  gad::train::loop_hooks h;
  h.epochs = 1;
  h.family = "TEST";
  h.divergence_hint = ". HINT";
  h.begin_epoch = [](int) {};
  h.iteration = [](int, std::int64_t, std::int64_t) {
    return torch::tensor({std::numeric_limits<float>::quiet_NaN()});
  };
  h.save = [](const std::filesystem::path&) {};
  gad::train::loop_state s;
  s.report.loss_names = {"a"};
  s.report.iterations_per_epoch = 1;
  const std::string message = gad_test::message_of<gad::training_error>(
      [&] { gad::train::run_fit_loop(h, s); });
  CHECK(message.find("loss a is") != std::string::npos);
  CHECK(message.size() >= 6);
  CHECK(message.substr(message.size() - 6) == ". HINT");
}
