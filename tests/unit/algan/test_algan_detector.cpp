// The ALGAN detector end to end on tiny networks: scoring, reproducibility, a short training run
// on the committed MNIST fixture, and the errors users get for bad input.
#include <gad/algan.hpp>
#include <gad/core/torch_compat.hpp>
#include <gad/data/splits.hpp>
#include <gad/io/checkpoint.hpp>
#include <gad/metrics/roc.hpp>
#include <gad/metrics/tensor.hpp>
#include <gad/train/checkpoints.hpp>

#include "support/device.hpp"
#include "support/fixture.hpp"
#include "support/message_of.hpp"

#include <torch/torch.h>
#include "support/auroc.hpp"
#include "support/catch.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

using gad_test::algan_fixture;
using gad_test::auroc_of;
using gad_test::message_of;

namespace {

// Small enough for a fraction of a second per epoch on two cores.
gad::algan_options tiny(std::uint64_t seed = 5, int epochs = 4) {
  gad::algan_options o;
  o.z_dim = 16;
  o.generator_hidden = {32, 64};
  o.discriminator_hidden = {64, 32};
  o.batch_size = 16;
  o.epochs = epochs;
  o.validate_every = 2;
  o.select_from_epoch = 2;
  o.runtime = gad::runtime_options{seed, 2, gad_test::device_name()};
  return o;
}

struct recorder {
  int iterations = 0;
  int epochs = 0;
  std::vector<double> aurocs;
  bool ended = false;
  void on_iteration_end(const gad::train::iteration_info&) { ++iterations; }
  void on_epoch_end(const gad::train::epoch_info&) { ++epochs; }
  void on_validation(const gad::train::validation_info& v) { aurocs.push_back(v.value); }
  void on_train_end(const gad::train::train_end_info&) { ended = true; }
};

}  // namespace

TEST_CASE("ALGAN learns 0 vs 1 on the MNIST fixture", "[algan][detector][fixture]") {
  // Floor 0.9 (chance is 0.5). With these settings seeds 1..6 reached test AUROCs between 0.967
  // and 1.0 when this was written (seed 3: 0.982), so the floor leaves a wide margin while still
  // catching a detector that has stopped learning.
  constexpr double floor = 0.9;
  const auto& data = algan_fixture();
  REQUIRE(data.train.size() == 64);
  REQUIRE(data.test.size() == 60);

  auto options = tiny(3, 30);
  options.z_dim = 32;
  options.generator_hidden = {64, 128};
  options.discriminator_hidden = {128, 64};
  options.generator_lr = 1e-3;  // fewer, larger steps than the reference: 120 iterations in all
  options.discriminator_lr = 5e-4;
  gad::algan<> detector(options);
  recorder rec;
  const gad::fit_report report = detector.fit(data.train, &data.validation, rec);
  // 64 images, batch 16 -> 4 iterations per epoch; validation every 2 epochs.
  CHECK(report.iterations_per_epoch == 4);
  CHECK(rec.iterations == 30 * 4);
  CHECK(rec.epochs == 30);
  CHECK(rec.aurocs.size() == 15);
  CHECK(rec.ended);
  CHECK(report.epoch_losses.size() == 30);
  CHECK(report.loss_names.back() == "g");
  REQUIRE(report.best_epoch >= 1);
  // Every validation here is eligible (select_from_epoch = 2), and ties go to the later epoch.
  CHECK(report.best_validation_value == *std::max_element(rec.aurocs.begin(), rec.aurocs.end()));
  CHECK(rec.aurocs[static_cast<std::size_t>(report.best_epoch / 2)] ==
        report.best_validation_value);
  for (std::size_t i = static_cast<std::size_t>(report.best_epoch / 2) + 1; i < rec.aurocs.size();
       ++i) {
    CHECK(rec.aurocs[i] < report.best_validation_value);
  }

  const auto scores = detector.decision_function(data.test.images);
  const double test_auroc = auroc_of(scores, data.test.labels);
  INFO("fixture test AUROC " << test_auroc << ", best epoch " << report.best_epoch);
  CHECK(test_auroc >= floor);

  // The restored checkpoint is the one validation chose.
  CHECK(auroc_of(detector.decision_function(data.validation.images), data.validation.labels) ==
        report.best_validation_value);

  // Scoring: eval mode (no power iteration), no grad, deterministic, previous mode restored.
  auto& D = detector.discriminator();
  D->train();
  const auto u_before = D->hidden_layers[0]->weight_u.clone();
  const auto again = detector.decision_function(data.test.images.reshape({60, 784}));
  CHECK(D->is_training());
  CHECK(torch::equal(scores, again));
  CHECK(torch::equal(u_before, D->hidden_layers[0]->weight_u));
  CHECK_FALSE(scores.requires_grad());
  CHECK(scores.sizes() == torch::IntArrayRef({60}));
  D->eval();
  detector.decision_function(data.test.images);
  CHECK_FALSE(D->is_training());
  // A score does not depend on the other images of the call (D has no batch norm); only the
  // GEMM blocking may change the last bits.
  CHECK(torch::allclose(scores.slice(0, 0, 10),
                        detector.decision_function(data.test.images.slice(0, 0, 10))));

  // predict thresholds the scores (default threshold 0, D's own real/fake boundary).
  CHECK(detector.threshold() == 0.0);
  CHECK(torch::equal(detector.predict(data.test.images), scores.gt(0.0).to(torch::kLong)));
  detector.set_threshold(1e9);
  CHECK(detector.predict(data.test.images).sum().item<std::int64_t>() == 0);
  CHECK_THROWS_AS(detector.set_threshold(std::nan("")), gad::invalid_argument);

  // Sample grids: fake-normal (sigma 1) and pseudo-anomalous (sigma 4) images.
  const auto normal = detector.sample(8, 1.0);
  const auto anomalous = detector.sample(8, 4.0);
  CHECK(normal.sizes() == torch::IntArrayRef({8, 1, 28, 28}));
  CHECK(torch::equal(normal, detector.sample(8, 1.0)));  // fixed latent stream
  CHECK(anomalous.abs().max().item<float>() <= 1.0f);
}

TEST_CASE("ALGAN training is reproducible from the seed", "[algan][detector][determinism]") {
  const auto& data = algan_fixture();
  const auto train_once = [&](std::uint64_t seed, gad::latent_resampling r) {
    auto o = tiny(seed, 3);
    o.resampling = r;
    gad::algan<> detector(o);
    detector.fit(data.train);
    return detector.decision_function(data.test.images);
  };
  const auto a = train_once(11, gad::latent_resampling::reference);
  CHECK(torch::equal(a, train_once(11, gad::latent_resampling::reference)));
  CHECK_FALSE(torch::equal(a, train_once(12, gad::latent_resampling::reference)));
  CHECK_FALSE(torch::equal(a, train_once(11, gad::latent_resampling::every_iteration)));

  SECTION("a second fit() on one detector repeats the first") {
    gad::algan<> detector(tiny(11, 3));
    detector.fit(data.train);
    detector.fit(data.train);
    CHECK(torch::equal(a, detector.decision_function(data.test.images)));
  }
}

TEST_CASE("ALGAN variants: no spectral norm, the plain-GAN ablation, fused D calls",
          "[algan][detector][variants]") {
  const auto& data = algan_fixture();
  gad::algan<gad::norm::none> no_sn(tiny(3, 2));
  // Only plain layers are built: no weight_orig, and no power-iteration vectors u and v.
  CHECK(no_sn.discriminator()->named_parameters().contains("linear0.weight"));
  CHECK(no_sn.discriminator()->named_buffers().size() == 0);
  no_sn.fit(data.train);

  gad::algan<gad::norm::spectral, gad::shift::none> plain(tiny(3, 2));
  const auto r = plain.fit(data.train);
  CHECK(r.loss_names == std::vector<std::string>{"d_real", "d_fake", "d_total", "g"});

  auto fused_options = tiny(3, 2);
  fused_options.fused_d_forward = true;
  gad::algan<> fused(fused_options);
  gad::algan<> separate(tiny(3, 2));
  fused.fit(data.train);
  separate.fit(data.train);
  // One D call per step instead of five changes the spectral-norm trajectory.
  CHECK_FALSE(torch::equal(fused.decision_function(data.test.images),
                           separate.decision_function(data.test.images)));

  SECTION("contamination sets the threshold from the training scores") {
    auto o = tiny(3, 2);
    o.contamination = 0.1;
    gad::algan<> d(o);
    const auto rep = d.fit(data.train);
    const auto flagged = d.predict(data.train.images).sum().item<std::int64_t>();
    CHECK(rep.threshold == d.threshold());
    CHECK(flagged >= 5);
    CHECK(flagged <= 7);  // 10 % of 64 images
    // The threshold comes from the one metrics function, and predict() applies the rule the
    // metrics apply (score >= threshold): a score equal to the threshold is flagged.
    const torch::Tensor scores = d.decision_function(data.train.images);
    CHECK(d.threshold() == gad::metrics::threshold_from_contamination(scores, 0.1));
    d.set_threshold(scores[5].item<double>());
    const torch::Tensor flags = d.predict(data.train.images);
    CHECK(flags[5].item<std::int64_t>() == 1);
    for (std::int64_t i = 0; i < scores.size(0); ++i) {
      CHECK(flags[i].item<std::int64_t>() ==
            (gad::metrics::is_anomalous(scores[i].item<double>(), d.threshold()) ? 1 : 0));
    }
  }
}

// Train-mode G calls of one fit, as counted by G's first BatchNorm layer.
static std::int64_t generator_train_calls(gad::algan<>& detector) {
  return detector.generator()->norms.at(0)->num_batches_tracked.item<std::int64_t>();
}

static std::unique_ptr<gad::algan<>> fitted(gad::algan_options o, bool reuse,
                                            const gad::data::dataset& train) {
  o.reuse_d_step_fakes = reuse;
  auto detector = std::make_unique<gad::algan<>>(o);
  detector->fit(train);
  return detector;
}

TEST_CASE("ALGAN reuse_d_step_fakes makes the fakes once per iteration",
          "[algan][detector][variants]") {
  const auto& data = algan_fixture();
  const auto o = tiny(3, 2);
  const std::int64_t iterations = 2 * (data.train.size() / o.batch_size);
  const auto reference = fitted(o, false, data.train);
  const auto reuse = fitted(o, true, data.train);
  // One fake-normal batch per D step and one for the G step, against one per iteration and
  // one for the G step.
  CHECK(generator_train_calls(*reference) == iterations * (o.discriminator_steps + 1));
  CHECK(generator_train_calls(*reuse) == iterations * 2);
  CHECK_FALSE(torch::equal(reuse->decision_function(data.test.images),
                           reference->decision_function(data.test.images)));

  SECTION("with one D step there is nothing to reuse and the fit is the reference's") {
    auto one = o;
    one.discriminator_steps = 1;
    CHECK(torch::equal(fitted(one, false, data.train)->decision_function(data.test.images),
                       fitted(one, true, data.train)->decision_function(data.test.images)));
  }
}

TEST_CASE("ALGAN in bfloat16 learns the fixture and leaves float32 code untouched",
          "[algan][detector][precision]") {
  const auto& data = algan_fixture();
  auto options = tiny(3, 30);
  options.z_dim = 32;
  options.generator_hidden = {64, 128};
  options.discriminator_hidden = {128, 64};
  options.generator_lr = 1e-3;
  options.discriminator_lr = 5e-4;
  auto bf16_options = options;
  bf16_options.compute_precision = gad::precision::bfloat16;
  gad::algan<> fp32(options);
  gad::algan<> bf16(bf16_options);
  fp32.fit(data.train, &data.validation);
  bf16.fit(data.train, &data.validation);
  CHECK_FALSE(gad::compat::autocast_enabled(c10::DeviceType::CPU));  // every scope has closed

  const torch::Tensor scores = bf16.decision_function(data.test.images);
  CHECK(scores.scalar_type() == torch::kFloat);
  CHECK(torch::equal(scores, bf16.decision_function(data.test.images)));
  // Another arithmetic, so another trajectory, but the same detector: the same floor as the
  // float32 fixture test above (seeds 1..6 reached 0.959-0.999 in bfloat16 when this was written).
  CHECK_FALSE(torch::equal(scores, fp32.decision_function(data.test.images)));
  const double test_auroc = auroc_of(scores, data.test.labels);
  INFO("bfloat16 fixture test AUROC " << test_auroc);
  CHECK(test_auroc >= 0.9);
  // The output layer runs in float32: scores are not rounded to bfloat16's 8 bits.
  CHECK(!torch::equal(scores, scores.to(torch::kBFloat16).to(torch::kFloat)));
}

TEST_CASE("precision_scope and float32_region restore the autocast state", "[algan][precision]") {
  const torch::Tensor a = torch::ones({4, 4});
  {
    gad::precision_scope off(gad::precision::float32, torch::kCPU);
    CHECK_FALSE(gad::compat::autocast_enabled(c10::DeviceType::CPU));
    CHECK(torch::mm(a, a).scalar_type() == torch::kFloat);
  }
  {
    gad::precision_scope on(gad::precision::bfloat16, torch::kCPU);
    CHECK(gad::compat::autocast_enabled(c10::DeviceType::CPU));
    CHECK(torch::mm(a, a).scalar_type() == torch::kBFloat16);
    {
      gad::float32_region f32;
      CHECK_FALSE(gad::compat::autocast_enabled(c10::DeviceType::CPU));
      CHECK(torch::mm(a, a).scalar_type() == torch::kFloat);
    }
    CHECK(torch::mm(a, a).scalar_type() == torch::kBFloat16);
  }
  CHECK_FALSE(gad::compat::autocast_enabled(c10::DeviceType::CPU));
  CHECK(torch::mm(a, a).scalar_type() == torch::kFloat);
}

TEST_CASE("ALGAN rejects bad input with clear messages", "[algan][detector][errors]") {
  const auto& data = algan_fixture();
  gad::algan<> detector(tiny(1, 1));

  CHECK_THROWS_WITH(detector.decision_function(data.test.images),
                    gad_test::contains("before a successful fit()"));

  gad::data::dataset wrong = data.train;
  wrong.images = torch::zeros({64, 1, 32, 32});
  CHECK_THAT(message_of<gad::invalid_argument>([&] { detector.fit(wrong); }),
             gad_test::contains("expected images of shape [N, 1, 28, 28] or [N, 784], got "
                                "[64, 1, 32, 32]"));

  gad::data::dataset with_nan = data.train;
  with_nan.images = data.train.images.clone();
  with_nan.images[3][0][5][5] = std::numeric_limits<float>::quiet_NaN();
  CHECK_THAT(message_of<gad::invalid_argument>([&] { detector.fit(with_nan); }),
             gad_test::contains("NaN or Inf"));

  gad::data::dataset raw_pixels = data.train;
  raw_pixels.images = data.train.images.add(1).mul(127.5);
  CHECK_THAT(message_of<gad::invalid_argument>([&] { detector.fit(raw_pixels); }),
             gad_test::contains("[-1, 1]"));

  gad::data::dataset few = gad::data::subset(data.train, torch::arange(10));
  CHECK_THAT(message_of<gad::invalid_argument>([&] { detector.fit(few); }),
             gad_test::contains("batch_size 16 is larger than the training set (10 images)"));

  gad::data::dataset empty_val =
      gad::data::subset(data.validation, torch::empty({0}, torch::kLong));
  CHECK_THAT(message_of<gad::invalid_argument>([&] { detector.fit(data.train, &empty_val); }),
             gad_test::contains("empty"));

  // A validation set of normals alone is not an error: it selects label-free (tested below).

  auto bad = tiny();
  bad.discriminator_lr = 0;
  CHECK_THROWS_AS(gad::algan<>(bad), gad::invalid_argument);
  bad = tiny();
  bad.sigma = -4;
  CHECK_THAT(message_of<gad::invalid_argument>([&] { gad::algan<> d(bad); }),
             gad_test::contains("sigma must be > 0"));
  bad = tiny();
  bad.epochs = 0;
  CHECK_THAT(message_of<gad::invalid_argument>([&] { gad::algan<> d(bad); }),
             gad_test::contains("epochs must be > 0"));

  // After invalid input the detector still works.
  detector.fit(data.train);
  CHECK_THAT(message_of<gad::invalid_argument>([&] {
               detector.decision_function(torch::zeros({2, 783}));
             }),
             gad_test::contains("got [2, 783]"));
  CHECK_THAT(message_of<gad::invalid_argument>([&] {
               detector.decision_function(torch::full({1, 784}, INFINITY));
             }),
             gad_test::contains("NaN or Inf"));
}

TEST_CASE("a diverging run stops with a training_error naming where", "[algan][detector][errors]") {
  const auto& data = algan_fixture();
  auto o = tiny(2, 8);
  o.discriminator_lr = 1e30;  // weights explode within a few steps
  o.generator_lr = 1e30;
  gad::algan<> detector(o);
  try {
    detector.fit(data.train, &data.validation);
    FAIL("no training_error");
  } catch (const gad::training_error& e) {
    CHECK_THAT(std::string(e.what()),
               gad_test::contains("epoch") && gad_test::contains("iteration"));
  }
}

namespace {
// Records D's parameters after every iteration of a fit, to average them by hand.
struct d_parameter_log {
  gad::algan<>* detector;
  std::vector<std::vector<torch::Tensor>> steps;
  void on_iteration_end(const gad::train::iteration_info&) {
    std::vector<torch::Tensor> now;
    for (const auto& p : detector->discriminator()->parameters()) now.push_back(p.detach().clone());
    steps.push_back(std::move(now));
  }
};
}  // namespace

TEST_CASE("ALGAN ema_decay scores with the moving average of D and leaves training untouched",
          "[algan][detector][ema]") {
  const auto& data = algan_fixture();
  const auto raw_options = tiny(3, 2);
  gad::algan<> raw(raw_options);
  const auto raw_report = raw.fit(data.train);

  auto o = raw_options;
  o.ema_decay = 0.75;
  gad::algan<> averaged(o);
  d_parameter_log log{&averaged, {}};
  const auto report = averaged.fit(data.train, nullptr, log);
  // The averages only read the weights: every loss of every epoch is the raw fit's.
  CHECK(report.epoch_losses == raw_report.epoch_losses);
  CHECK_FALSE(torch::equal(averaged.decision_function(data.test.images),
                           raw.decision_function(data.test.images)));

  // The average by hand, from D's initial weights (a fresh detector of the same seed).
  REQUIRE(log.steps.size() == static_cast<std::size_t>(report.iterations));
  gad::algan<> initial(o);
  std::vector<torch::Tensor> expected;
  for (const auto& p : initial.discriminator()->parameters())
    expected.push_back(p.detach().clone());
  for (const auto& step : log.steps) {
    for (std::size_t i = 0; i < expected.size(); ++i) {
      expected[i] = 0.75 * expected[i] + 0.25 * step[i];
    }
  }
  const auto kept = averaged.discriminator()->parameters();
  REQUIRE(kept.size() == expected.size());
  for (std::size_t i = 0; i < kept.size(); ++i) {
    CHECK(torch::allclose(kept[i].cpu(), expected[i].cpu(), 1e-5, 1e-6));
  }

  SECTION("a checkpoint written during the fit scores with the averages") {
    gad_test::temp_dir dir;
    gad::algan<> d(o);
    d.fit(data.train, nullptr, gad::train::checkpoint_every{dir / "last.gad", 1});
    CHECK(torch::equal(
        gad::load_detector<gad::algan<>>(dir / "last.gad").decision_function(data.test.images),
        averaged.decision_function(data.test.images)));
  }

  SECTION("a decay close to 0 follows the raw weights") {
    auto near_raw = raw_options;
    near_raw.ema_decay = 1e-12;
    gad::algan<> d(near_raw);
    d.fit(data.train);
    CHECK(torch::allclose(d.decision_function(data.test.images),
                          raw.decision_function(data.test.images), 1e-5, 1e-5));
  }

  SECTION("validation scores with the averages, and the best average is kept") {
    auto v = o;
    v.epochs = 4;
    gad::algan<> d(v);
    recorder rec;
    const auto r = d.fit(data.train, &data.validation, rec);
    REQUIRE(r.best_epoch >= 0);
    CHECK(auroc_of(d.decision_function(data.validation.images), data.validation.labels) ==
          Approx(r.best_validation_value).margin(1e-12));
  }

  SECTION("ema_decay must lie in [0, 1)") {
    for (double bad : {-0.1, 1.0, std::numeric_limits<double>::quiet_NaN()}) {
      auto b = raw_options;
      b.ema_decay = bad;
      CHECK(message_of<gad::invalid_argument>([&] {
              gad::algan<> d(b);
            }).find("ema_decay must lie in [0, 1)") != std::string::npos);
    }
  }
}

TEST_CASE("ALGAN validation on normals alone ranks them against pseudo-anomalies",
          "[algan][detector][selection]") {
  const auto& data = algan_fixture();
  const auto& v = data.validation;
  const gad::data::dataset normals = gad::data::subset(v, v.labels.eq(0).nonzero().flatten());
  REQUIRE(normals.size() > 4);
  auto o = tiny(3, 6);
  o.ema_decay = 0.5;  // the criterion reads the scoring networks, here the averages
  gad::algan<> detector(o);
  recorder rec;
  const auto report = detector.fit(data.train, &normals, rec);
  CHECK(report.criterion.name == "AUROC against pseudo-anomalies");
  CHECK(report.criterion.higher_is_better);
  REQUIRE(rec.aurocs.size() == 3);
  REQUIRE(report.best_epoch >= 0);
  CHECK(report.best_validation_value == *std::max_element(rec.aurocs.begin(), rec.aurocs.end()));

  // Recomputed from outside with the kept networks: as many pseudo-anomalies as normals, from
  // the seed's "algan/selection" latents scaled by sigma.
  auto latents = gad::make_generator(o.runtime.seed, "algan/selection");
  const torch::Tensor z = torch::randn({normals.size(), o.z_dim}, latents) * o.sigma;
  const torch::Tensor scores = torch::cat({detector.decision_function(normals.images),
                                           detector.decision_function(detector.generate(z))});
  const torch::Tensor labels = torch::cat(
      {torch::zeros({normals.size()}, torch::kLong), torch::ones({normals.size()}, torch::kLong)});
  CHECK(auroc_of(scores, labels) == Approx(report.best_validation_value).margin(1e-12));

  SECTION("labels may be left out, and the choice is the same") {
    gad::data::dataset unlabelled = normals;
    unlabelled.labels = torch::Tensor();
    gad::algan<> again(o);
    const auto same = again.fit(data.train, &unlabelled);
    CHECK(same.best_epoch == report.best_epoch);
    CHECK(same.best_validation_value == report.best_validation_value);
  }

  SECTION("anomalies alone, or an empty set, are refused") {
    const gad::data::dataset ones = gad::data::subset(v, v.labels.eq(1).nonzero().flatten());
    gad::algan<> d(o);
    CHECK(message_of<gad::invalid_argument>([&] {
            d.fit(data.train, &ones);
          }).find("holds only anomalous samples") != std::string::npos);
    const gad::data::dataset none = gad::data::subset(v, torch::arange(0));
    CHECK(message_of<gad::invalid_argument>([&] {
            d.fit(data.train, &none);
          }).find("validation set is empty") != std::string::npos);
  }

  SECTION("the plain-GAN ablation draws them with sigma too, which must be positive") {
    auto plain_options = o;
    plain_options.sigma = 0.0;  // not read by shift::none's training
    gad::algan<gad::norm::spectral, gad::shift::none> plain(plain_options);
    CHECK_NOTHROW(plain.fit(data.train));
    CHECK(message_of<gad::invalid_argument>([&] {
            plain.fit(data.train, &normals);
          }).find("sigma, which must be > 0") != std::string::npos);
  }
}
