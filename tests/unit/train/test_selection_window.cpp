// select_from_epoch means the same in both families: a validation can become the kept
// checkpoint once at least that many epochs have run. (The encoder-based engine used to count
// from 0, one epoch later than ALGAN, under the same option name and CLI flag.)
#include <gad/alad.hpp>
#include <gad/algan.hpp>

#include "support/device.hpp"
#include "support/fixture.hpp"

#include <torch/torch.h>
#include "support/catch.hpp"

#include <cmath>

namespace {

gad::algan_options algan_tiny(int select_from_epoch) {
  gad::algan_options o;
  o.z_dim = 8;
  o.generator_hidden = {16, 32};
  o.discriminator_hidden = {32, 16};
  o.batch_size = 16;
  o.epochs = 3;
  o.validate_every = 1;
  o.select_from_epoch = select_from_epoch;
  o.runtime = gad::runtime_options{7, 1, gad_test::device_name()};
  return o;
}

gad::bigan_options alad_tiny(int select_from_epoch) {
  gad::bigan_options o = gad::alad_kdd_options(6);
  o.epochs = 3;
  o.batch_size = 20;
  o.validate_every = 1;
  o.select_from_epoch = select_from_epoch;
  o.runtime = gad::runtime_options{11, 1, gad_test::device_name()};
  return o;
}

struct tabular {
  gad::data::dataset train;
  gad::data::dataset validation;
};

tabular tabular_data() {
  auto gen = gad::make_generator(3);
  tabular d;
  d.train.images = torch::randn({60, 6}, gen) * 0.3;
  d.train.labels = torch::zeros({60}, torch::kLong);
  d.validation.images =
      torch::cat({torch::randn({20, 6}, gen) * 0.3, torch::randn({20, 6}, gen) * 0.3 + 1.5});
  d.validation.labels =
      torch::cat({torch::zeros({20}, torch::kLong), torch::ones({20}, torch::kLong)});
  return d;
}

}  // namespace

TEST_CASE(
    "select_from_epoch = epochs leaves exactly the last validation eligible, in both families",
    "[train][selection]") {
  const auto& mnist = gad_test::algan_fixture();
  gad::algan<> algan(algan_tiny(3));
  CHECK(algan.fit(mnist.train, &mnist.validation).best_epoch == 2);

  const tabular t = tabular_data();
  gad::alad<> alad(alad_tiny(3));
  CHECK(alad.fit(t.train, &t.validation).best_epoch == 2);
}

TEST_CASE("select_from_epoch beyond the run keeps no checkpoint, and the last weights score",
          "[train][selection]") {
  const auto& mnist = gad_test::algan_fixture();
  gad::algan<> algan(algan_tiny(4));
  const gad::fit_report ra = algan.fit(mnist.train, &mnist.validation);
  CHECK(ra.best_epoch == -1);
  CHECK(ra.epochs_run == 3);
  CHECK(algan.is_fitted());
  // Every validation is timed, but with no checkpoint kept there is no time to it.
  REQUIRE(ra.validations.size() == 3);
  CHECK(ra.validations[0].elapsed_seconds > 0.0);
  CHECK(std::isnan(gad::seconds_to_best(ra)));

  const tabular t = tabular_data();
  gad::alad<> alad(alad_tiny(4));
  const gad::fit_report rb = alad.fit(t.train, &t.validation);
  CHECK(rb.best_epoch == -1);
  CHECK(alad.is_fitted());
}
