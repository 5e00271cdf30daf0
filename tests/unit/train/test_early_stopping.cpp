#include <gad/train/early_stopping.hpp>

#include "support/catch.hpp"

using gad::train::early_stopping;
using gad::train::validation_info;

namespace {
validation_info validation(bool eligible, bool selected) {
  validation_info v;
  v.eligible = eligible;
  v.selected = selected;
  return v;
}
}  // namespace

TEST_CASE("early_stopping counts eligible validations without a new best",
          "[train][early_stopping]") {
  STATIC_REQUIRE(gad::train::is_callback_v<early_stopping>);
  early_stopping stop(2);
  CHECK_FALSE(stop.on_validation(validation(false, false)));  // before the window: ignored
  CHECK_FALSE(stop.on_validation(validation(false, false)));
  CHECK_FALSE(stop.on_validation(validation(true, true)));  // new best
  CHECK_FALSE(stop.on_validation(validation(true, false)));
  CHECK(stop.since_best() == 1);
  CHECK_FALSE(stop.on_validation(validation(true, true)));  // improvement resets the count
  CHECK(stop.since_best() == 0);
  CHECK_FALSE(stop.on_validation(validation(true, false)));
  CHECK(stop.on_validation(validation(true, false)));  // second in a row without a new best
  CHECK(early_stopping(0).patience() == 1);
}
