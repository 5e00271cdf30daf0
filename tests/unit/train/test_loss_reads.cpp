// The fit loop reads the losses an iteration leaves on the device in batches (on a GPU every
// 32 iterations): the batching must not change what callbacks see, the epoch means, or which
// iteration a non-finite loss is blamed on. Run on the CPU with a scripted iteration.
#include <gad/core/error.hpp>
#include <gad/train/fit_loop.hpp>

#include "support/message_of.hpp"

#include <torch/types.h>
#include "support/catch.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace {

constexpr std::int64_t kPerEpoch = 10;

struct seen_iterations {
  std::vector<std::int64_t> overall;
  std::vector<std::int64_t> in_epoch;
  std::vector<double> first_loss;
  std::int64_t stop_at = -1;
  bool on_iteration_end(const gad::train::iteration_info& i) {
    overall.push_back(i.iteration);
    in_epoch.push_back(i.iteration_in_epoch);
    first_loss.push_back(i.losses.at(0).second);
    return i.iteration == stop_at;
  }
};

// Losses (overall, -overall / 2); NaN in the second loss at iteration `nan_at`.
gad::train::loop_hooks scripted(std::int64_t read_every, std::int64_t nan_at = -1, int epochs = 2) {
  gad::train::loop_hooks h;
  h.epochs = epochs;
  h.read_losses_every = read_every;
  h.family = "TEST";
  h.begin_epoch = [](int) {};
  h.iteration = [nan_at](int, std::int64_t, std::int64_t overall) {
    const double second =
        overall == nan_at ? std::numeric_limits<double>::quiet_NaN() : -0.5 * overall;
    return torch::tensor({static_cast<float>(overall), static_cast<float>(second)});
  };
  h.save = [](const std::filesystem::path&) {};
  return h;
}

gad::train::loop_state fresh_state() {
  gad::train::loop_state s;
  s.report.loss_names = {"a", "b"};
  s.report.iterations_per_epoch = kPerEpoch;
  return s;
}

}  // namespace

TEST_CASE("batched loss reads give callbacks and epoch means the same values", "[train][losses]") {
  for (std::int64_t every : {1, 3, 4, 32}) {
    INFO("read every " << every);
    auto state = fresh_state();
    seen_iterations seen;
    gad::train::run_fit_loop(scripted(every), state, seen);
    REQUIRE(seen.overall.size() == 2 * kPerEpoch);
    for (std::size_t i = 0; i < seen.overall.size(); ++i) {
      CHECK(seen.overall[i] == static_cast<std::int64_t>(i));
      CHECK(seen.in_epoch[i] == static_cast<std::int64_t>(i) % kPerEpoch);
      CHECK(seen.first_loss[i] == static_cast<double>(i));
    }
    REQUIRE(state.report.epoch_losses.size() == 2);
    CHECK(state.report.epoch_losses[0][0] == 4.5);    // mean of 0..9
    CHECK(state.report.epoch_losses[1][1] == -7.25);  // mean of -5 .. -9.5
    CHECK(state.iteration == 2 * kPerEpoch);
  }
}

TEST_CASE("a non-finite loss is blamed on the iteration that produced it, however late it is read",
          "[train][losses][errors]") {
  for (std::int64_t every : {1, 4, 32}) {
    INFO("read every " << every);
    auto state = fresh_state();
    seen_iterations seen;
    const std::string message = gad_test::message_of<gad::training_error>(
        [&] { gad::train::run_fit_loop(scripted(every, 16), state, seen); });
    CHECK_THAT(message, gad_test::contains("TEST training diverged: loss b is nan at epoch 1, "
                                           "iteration 6 (iteration 16 overall)"));
    // Callbacks saw every iteration before the bad one, and not the bad one.
    REQUIRE(seen.overall.size() == 16);
    CHECK(seen.overall.back() == 15);
    // The epoch with the bad loss was never recorded.
    CHECK(state.report.epoch_losses.size() == 1);
  }
}

TEST_CASE("a stop asked from an iteration callback takes effect at the next read",
          "[train][losses]") {
  auto state = fresh_state();
  seen_iterations seen;
  seen.stop_at = 5;
  gad::train::run_fit_loop(scripted(4), state, seen);
  // Iterations 4..7 are read together after iteration 7; the fit stops there, inside its
  // first epoch, which therefore has no mean yet, and the state resumes at iteration 8.
  CHECK(seen.overall.size() == 8);
  CHECK(state.report.stopped_early);
  CHECK(state.report.epochs_run == 0);
  CHECK(state.report.epoch_losses.empty());
  CHECK(state.report.iterations == 8);
  CHECK(state.next_epoch == 0);
  CHECK(state.in_epoch == 8);
  REQUIRE(state.partial_sums.size() == 2);
  CHECK(state.partial_sums[0] == 28.0);  // 0 + 1 + ... + 7

  // Continuing from that state gives the means of the uninterrupted loop.
  seen_iterations rest;
  gad::train::run_fit_loop(scripted(4), state, rest);
  CHECK(rest.overall.front() == 8);
  auto whole = fresh_state();
  seen_iterations all;
  gad::train::run_fit_loop(scripted(4), whole, all);
  CHECK(state.report.epoch_losses == whole.report.epoch_losses);

  auto immediate = fresh_state();
  seen_iterations seen_at_once;
  seen_at_once.stop_at = 5;
  gad::train::run_fit_loop(scripted(1), immediate, seen_at_once);
  CHECK(seen_at_once.overall.size() == 6);
}

TEST_CASE("losses are read every iteration on the CPU and in batches on a GPU", "[train][losses]") {
  CHECK(gad::train::loss_read_interval(c10::Device(c10::kCPU)) == 1);
  CHECK(gad::train::loss_read_interval(c10::Device(c10::kCUDA, 0)) == 32);
}
