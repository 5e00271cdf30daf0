// ALAD and EGBAD checkpoints on the small tabular (KDD-shaped) networks: every network and its
// moving average travel, the policy signature and network tables guard loading, and resume()
// reproduces an uninterrupted fit, dropout masks included.
#include <gad/alad.hpp>
#include <gad/egbad.hpp>
#include <gad/io/checkpoint.hpp>
#include <gad/train/checkpoints.hpp>

#include "support/callbacks.hpp"
#include "support/device.hpp"
#include "support/fixture.hpp"
#include "support/message_of.hpp"

#include <torch/torch.h>
#include "support/catch.hpp"

#include <string>
#include <vector>

using gad_test::epochs_seen;
using gad_test::identical;
using gad_test::message_of;
using gad_test::stop_after;

namespace {

constexpr std::int64_t kFeatures = 6;

gad::bigan_options tabular(int epochs, std::int64_t features = kFeatures) {
  gad::bigan_options o = gad::alad_kdd_options(features);
  o.epochs = epochs;
  o.batch_size = 20;
  o.learning_rate = 1e-3;
  o.ema_decay = 0.9;
  o.runtime = gad::runtime_options{11, 1, gad_test::device_name()};
  return o;
}

// Normal rows near the origin, anomalies shifted: enough signal for a validation AUROC.
struct tabular_data {
  gad::data::dataset train;
  gad::data::dataset validation;
  torch::Tensor test;
};

const tabular_data& data() {
  static const tabular_data d = [] {
    auto gen = gad::make_generator(3);
    tabular_data out;
    out.train.images = torch::randn({100, kFeatures}, gen) * 0.3;
    out.train.labels = torch::zeros({100}, torch::kLong);
    out.validation.images = torch::cat(
        {torch::randn({20, kFeatures}, gen) * 0.3, torch::randn({20, kFeatures}, gen) * 0.3 + 1.5});
    out.validation.labels =
        torch::cat({torch::zeros({20}, torch::kLong), torch::ones({20}, torch::kLong)});
    out.test = torch::randn({30, kFeatures}, gen);
    return out;
  }();
  return d;
}

void check_same_scores(const gad::named_scores& a, const gad::named_scores& b) {
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].first == b[i].first);
    CHECK(identical(a[i].second, b[i].second));
  }
}

using full_alad = gad::alad<gad::norm::spectral, gad::score::fm, gad::with_dzz>;

}  // namespace

TEST_CASE("ALAD save and load_detector keep every network, average and threshold",
          "[io][alad][checkpoint]") {
  gad_test::temp_dir dir;
  full_alad trained(tabular(2));
  trained.fit(data().train, &data().validation);
  trained.save(dir / "alad.gad");
  const auto summary = gad::inspect_checkpoint(dir / "alad.gad");
  CHECK(summary.family == "bigan");
  CHECK(summary.policies ==
        "discriminators={D_xz, D_xx, D_zz} normalization=spectral scoring=fm latent_shift=none");

  auto loaded = gad::load_detector<full_alad>(dir / "alad.gad");
  CHECK(loaded.threshold() == trained.threshold());
  CHECK(loaded.options().network.name == trained.options().network.name);
  check_same_scores(loaded.all_scores(data().test), trained.all_scores(data().test));
  // The trained (not averaged) networks travel too, e.g. for fine-tuning.
  const auto a = trained.dzz()->parameters();
  const auto b = loaded.dzz()->parameters();
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(identical(a[i], b[i]));
}

TEST_CASE("ALAD and EGBAD checkpoints are refused by detectors of other policies or networks",
          "[io][alad][checkpoint]") {
  gad_test::temp_dir dir;
  gad::egbad<> egbad(tabular(1));
  egbad.fit(data().train);
  egbad.save(dir / "egbad.gad");

  full_alad alad(tabular(1));
  CHECK_THAT(message_of<gad::checkpoint_error>([&] { alad.load(dir / "egbad.gad"); }),
             gad_test::contains("discriminators={D_xz}") &&
                 gad_test::contains("discriminators={D_xz, D_xx, D_zz}"));
  CHECK_FALSE(alad.is_fitted());

  gad::egbad<> wider(tabular(1, kFeatures + 1));
  CHECK_THAT(message_of<gad::checkpoint_error>([&] { wider.load(dir / "egbad.gad"); }),
             gad_test::contains("networks") && gad_test::contains("differ"));
  CHECK_FALSE(wider.is_fitted());
}

TEST_CASE("ALAD resume reproduces the uninterrupted fit, dropout included",
          "[io][alad][checkpoint][resume]") {
  gad_test::temp_dir dir;
  gad::bigan_options o = tabular(4);
  o.validate_every = 1;
  full_alad whole(o);
  const gad::fit_report expected = whole.fit(data().train, &data().validation);

  full_alad first(o);
  first.fit(data().train, &data().validation, gad::train::checkpoint_every{dir / "run.gad", 1},
            stop_after{1});
  // Unrelated draws from the global generator between the two runs must not matter.
  (void)torch::rand({1000});

  full_alad second(o);
  epochs_seen seen;
  const gad::fit_report resumed =
      second.resume(dir / "run.gad", data().train, &data().validation, seen);
  CHECK(seen.epochs == std::vector<int>{2, 3});
  CHECK(resumed.epoch_losses == expected.epoch_losses);
  CHECK(resumed.best_epoch == expected.best_epoch);
  CHECK(resumed.threshold == expected.threshold);
  check_same_scores(second.all_scores(data().test), whole.all_scores(data().test));
}

TEST_CASE("ALAD stopped inside an epoch resumes to the same model file byte for byte",
          "[io][alad][checkpoint][resume][stop]") {
  gad_test::temp_dir dir;
  const gad::bigan_options o = tabular(3);
  full_alad whole(o);
  const gad::fit_report expected = whole.fit(data().train, &data().validation);
  whole.save(dir / "whole.gad");
  const std::int64_t per_epoch = expected.iterations_per_epoch;
  REQUIRE(per_epoch > 3);

  gad::train::stop_request stop;
  full_alad first(o);
  const gad::fit_report partial =
      first.fit(data().train, &data().validation, gad_test::request_stop_at{&stop, per_epoch + 2},
                stop, gad::train::checkpoint_every{dir / "run.gad", 100});
  CHECK(partial.stopped_early);
  CHECK(partial.iterations == per_epoch + 3);
  // Dropout, shuffles and latents of the rest of the epoch must not depend on other draws.
  (void)torch::rand({1000});

  full_alad second(o);
  const gad::fit_report resumed = second.resume(dir / "run.gad", data().train, &data().validation);
  CHECK(resumed.epoch_losses == expected.epoch_losses);
  CHECK(resumed.threshold == expected.threshold);
  second.save(dir / "resumed.gad");
  CHECK(gad_test::file_bytes(dir / "resumed.gad") == gad_test::file_bytes(dir / "whole.gad"));
}

TEST_CASE("ALAD resume keeps the validation criterion of the checkpoint",
          "[io][alad][checkpoint][resume]") {
  gad_test::temp_dir dir;
  gad::bigan_options o = tabular(3);
  o.validation_score = "l2";
  gad::data::dataset normals = data().validation;
  normals.images = normals.images.slice(0, 0, 20);
  normals.labels = normals.labels.slice(0, 0, 20);
  full_alad whole(o);
  const gad::fit_report expected = whole.fit(data().train, &normals);
  CHECK(expected.criterion.name == "mean l2 score");

  full_alad first(o);
  first.fit(data().train, &normals, gad::train::checkpoint_every{dir / "run.gad", 1},
            stop_after{0});
  // Switching to a labelled validation set would choose the kept epoch by two rules.
  full_alad mixed(o);
  CHECK_THAT(message_of<gad::checkpoint_error>(
                 [&] { mixed.resume(dir / "run.gad", data().train, &data().validation); }),
             gad_test::contains("mean l2 score") && gad_test::contains("AUROC"));
  CHECK_FALSE(mixed.is_fitted());
  // Without a validation set the history is kept as it was measured.
  full_alad plain(o);
  const gad::fit_report no_val = plain.resume(dir / "run.gad", data().train);
  CHECK(no_val.criterion.name == "mean l2 score");
  CHECK(no_val.validations.size() == 1);
  // The rule travels with the options in the file.
  full_alad second(tabular(3));
  const gad::fit_report resumed = second.resume(dir / "run.gad", data().train, &normals);
  CHECK(second.options().validation_score == "l2");
  CHECK(resumed.epoch_losses == expected.epoch_losses);
  CHECK(resumed.best_epoch == expected.best_epoch);
  CHECK(resumed.best_validation_value == expected.best_validation_value);
  check_same_scores(second.all_scores(data().test), whole.all_scores(data().test));
}

TEST_CASE("ALAD resume refuses a training set of the same size with other rows",
          "[io][alad][checkpoint][resume]") {
  gad_test::temp_dir dir;
  full_alad first(tabular(3));
  first.fit(data().train, nullptr, gad::train::checkpoint_every{dir / "run.gad", 1},
            stop_after{0});
  gad::data::dataset other_rows = data().train;
  other_rows.images = data().train.images.flip({0});
  full_alad second(tabular(3));
  CHECK_THAT(message_of<gad::checkpoint_error>([&] { second.resume(dir / "run.gad", other_rows); }),
             gad_test::contains("other data than the training set"));
  CHECK_FALSE(second.is_fitted());
  second.resume(dir / "run.gad", data().train);
  CHECK(second.is_fitted());
}

TEST_CASE("EGBAD resume reproduces the uninterrupted fit", "[io][egbad][checkpoint][resume]") {
  gad_test::temp_dir dir;
  const gad::bigan_options o = tabular(3);
  gad::egbad<> whole(o);
  const gad::fit_report expected = whole.fit(data().train);
  gad::egbad<> first(o);
  first.fit(data().train, nullptr, gad::train::checkpoint_every{dir / "run.gad", 1}, stop_after{0});
  gad::egbad<> second(o);
  const gad::fit_report resumed = second.resume(dir / "run.gad", data().train);
  CHECK(resumed.epoch_losses == expected.epoch_losses);
  CHECK(identical(second.decision_function(data().test), whole.decision_function(data().test)));
}
