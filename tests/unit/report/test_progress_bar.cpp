#include <gad/report/progress_bar.hpp>

#include "support/catch.hpp"

#include <sstream>
#include <string>

using namespace gad::report;
using namespace gad::train;

namespace {

iteration_info iteration(int epoch, std::int64_t in_epoch, std::int64_t per_epoch, int epochs) {
  iteration_info it;
  it.epoch = epoch;
  it.epochs = epochs;
  it.iteration_in_epoch = in_epoch;
  it.iterations_per_epoch = per_epoch;
  it.iteration = epoch * per_epoch + in_epoch;
  it.losses = {{"d", 1.25}, {"g", 0.5}};
  return it;
}

epoch_info epoch_end(int epoch, int epochs) {
  epoch_info e;
  e.epoch = epoch;
  e.epochs = epochs;
  e.losses = {{"d", 1.0}, {"g", 0.75}};
  e.elapsed_seconds = 10.0 * (epoch + 1);
  e.eta_seconds = 10.0 * (epochs - epoch - 1);
  return e;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("progress_bar is a callback with every reporting hook", "[train][progress]") {
  STATIC_REQUIRE(has_on_iteration_end_v<progress_bar>);
  STATIC_REQUIRE(has_on_epoch_end_v<progress_bar>);
  STATIC_REQUIRE(has_on_validation_v<progress_bar>);
  STATIC_REQUIRE(has_on_train_end_v<progress_bar>);
}

TEST_CASE("on a terminal the bar is redrawn in place and fits the line", "[train][progress]") {
  std::ostringstream out;
  progress_bar_options o;
  o.interactive = true;
  o.period = 1e-9;  // redraw at every iteration
  o.width = 10;
  o.columns = 60;
  progress_bar bar(out, o);
  bar.on_iteration_end(iteration(0, 0, 4, 2));
  bar.on_iteration_end(iteration(0, 1, 4, 2));
  CHECK(bar.bar_line().rfind("[##........]  25%  epoch 1/2", 0) == 0);
  CHECK(bar.bar_line().size() <= 60);
  for (int i = 2; i < 4; ++i) bar.on_iteration_end(iteration(0, i, 4, 2));
  bar.on_epoch_end(epoch_end(0, 2));
  CHECK(bar.bar_line().rfind("[#####.....]  50%  epoch 1/2", 0) == 0);

  validation_info v;
  v.epoch = 0;
  v.value = 0.875;
  v.eligible = true;
  v.selected = true;
  bar.on_validation(v);
  const std::string text = out.str();
  CHECK(count(text, "\r[") >= 4);  // redrawn, not scrolled
  CHECK(count(text, "\n") == 1);   // only the validation got its own line
  CHECK(text.find("validation after epoch 1: AUROC 0.87500 (new best)\n") != std::string::npos);
}

TEST_CASE("elsewhere it prints plain lines, at most one per period", "[train][progress]") {
  std::ostringstream out;
  progress_bar_options o;
  o.interactive = false;
  o.period = 3600.0;
  progress_bar bar(out, o);
  for (int e = 0; e < 5; ++e) {
    for (int i = 0; i < 3; ++i) bar.on_iteration_end(iteration(e, i, 3, 5));
    bar.on_epoch_end(epoch_end(e, 5));
  }
  train_end_info end;
  end.epochs_run = 5;
  end.iterations = 15;
  end.wall_seconds = 50;
  bar.on_train_end(end);
  const std::string text = out.str();
  CHECK(text.find('\r') == std::string::npos);
  // The first epoch, then nothing within the hour, then the last epoch.
  CHECK(count(text, "epoch 1/5") == 1);
  CHECK(count(text, "epoch 2/5") == 0);
  CHECK(count(text, "epoch 5/5") == 1);
  CHECK(text.find("eta 0:00") != std::string::npos);
  CHECK(text.find("trained 5 epochs (15 iterations) in 0:50\n") != std::string::npos);
}

TEST_CASE("validations and the end line name the criterion", "[train][progress]") {
  std::ostringstream out;
  progress_bar_options o;
  o.interactive = false;
  progress_bar bar(out, o);
  validation_info v;
  v.epoch = 2;
  v.criterion = "mean fm score";
  v.value = 0.25;
  v.eligible = true;
  v.best_epoch = 1;
  v.best_value = 0.125;
  bar.on_validation(v);
  train_end_info end;
  end.epochs_run = 3;
  end.iterations = 9;
  end.best_epoch = 1;
  end.criterion = "mean fm score";
  end.best_value = 0.125;
  bar.on_train_end(end);
  const std::string text = out.str();
  CHECK(text.find("validation after epoch 3: mean fm score 0.25000 (best 0.12500 after epoch 2)") !=
        std::string::npos);
  CHECK(text.find("kept epoch 2 (validation mean fm score 0.12500)") != std::string::npos);
}
