// The ALAD / EGBAD detectors end to end: option and input errors, training on the real-MNIST
// fixture, reproducibility, scoring hygiene (eval mode, restored modes, equal repeated calls),
// divergence handling, validation and callbacks, and the EGBAD and tabular configurations.
//
// Training runs use a narrowed copy of the ALAD MNIST network (same layers, same TF padding,
// widths divided by 8): the full network needs about 2 s per iteration on this 2-core machine.
#include <gad/alad.hpp>
#include <gad/core/torch_compat.hpp>
#include <gad/data/dataset.hpp>
#include <gad/data/idx.hpp>
#include <gad/egbad.hpp>
#include <gad/metrics/roc.hpp>

#include "support/catch.hpp"
#include "support/device.hpp"

#include <algorithm>
#include <initializer_list>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace {

using gad::nn::layer_spec;

// The ALAD MNIST layer table with every width divided by 8 (latent 100 -> 16).
gad::nn::architecture narrow_mnist() {
  using L = layer_spec;
  auto a = gad::nn::alad_mnist_architecture();
  a.name = "alad-mnist-narrow";
  a.latent_dim = 16;
  a.encoder = {L::conv_layer(16, 4, 2).bn().lrelu(0.2), L::conv_layer(32, 4, 2).bn().lrelu(0.2),
               L::conv_layer(64, 4, 2).bn().lrelu(0.2),
               L::conv_layer(16, 4, 1, gad::nn::tf_padding::valid)};
  a.generator = {L::dense_layer(128).bn().relu(), L::dense_layer(7 * 7 * 16).bn().relu(),
                 L::unflatten_to(16, 7, 7), L::deconv_layer(16, 4, 2).bn().relu(),
                 L::deconv_layer(1, 4, 2).tanh()};
  a.dxz_x = {L::conv_layer(16, 4, 2).lrelu(0.2), L::conv_layer(32, 4, 2).bn().lrelu(0.2),
             L::conv_layer(64, 4, 2).bn().lrelu(0.2)};
  a.dxz_z = {L::dense_layer(64).lrelu(0.2).drop(0.2)};
  a.dxz_joint = {L::dense_layer(128).lrelu(0.2).drop(0.2)};
  a.dxx = {L::conv_layer(8, 5, 2).lrelu(0.2).drop(0.2),
           L::conv_layer(16, 5, 2).lrelu(0.2).drop(0.2)};
  a.dzz = {L::dense_layer(16).lrelu(0.2).drop(0.2), L::dense_layer(8).lrelu(0.2).drop(0.2)};
  return a;
}

// Short runs: a faster learning rate and a short-memory average, since the reference's 0.999
// needs thousands of iterations to move away from the initial weights.
gad::bigan_options narrow_options(int epochs, std::int64_t batch, std::uint64_t seed = 3) {
  gad::bigan_options o;
  o.network = narrow_mnist();
  o.epochs = epochs;
  o.batch_size = batch;
  o.learning_rate = 1e-3;
  o.ema_decay = 0.9;
  o.runtime.seed = seed;
  o.runtime.threads = 1;  // the machine is shared: two threads under load are far slower
  o.runtime.device = gad_test::device_name();
  return o;
}

struct fixture {
  gad::data::dataset train;  // the 80 ones, in [-1, 1]
  torch::Tensor test_x;      // 100 images: 30 ones (normal), 70 other digits (anomalous)
  std::vector<int> test_y;
};

const fixture& mnist() {
  static const fixture f = [] {
    const std::string dir = std::string(GAD_TEST_DATA_DIR) + "/mnist-fixture";
    const auto tr = gad::data::load_idx_folder(dir, "train", 28, 28);
    const auto te = gad::data::load_idx_folder(dir, "t10k", 28, 28);
    fixture out;
    const auto ones = tr.labels.eq(1).nonzero().reshape({-1});
    out.train.images = gad::data::unit_to_symmetric(tr.images.index_select(0, ones));
    out.train.labels = torch::zeros({ones.size(0)}, torch::kLong);
    out.test_x = gad::data::unit_to_symmetric(te.images);
    const auto y = te.labels.ne(1).to(torch::kInt).contiguous();
    out.test_y.assign(y.data_ptr<int>(), y.data_ptr<int>() + y.numel());
    return out;
  }();
  return f;
}

std::vector<double> doubles(const torch::Tensor& t) {
  const auto c = t.to(torch::kDouble).contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

const torch::Tensor& find(const gad::named_scores& all, const std::string& name) {
  for (const auto& [n, s] : all) {
    if (n == name) return s;
  }
  FAIL("no score named " << name);
  static torch::Tensor none;
  return none;
}

std::vector<std::string> names(const gad::named_scores& all) {
  std::vector<std::string> out;
  for (const auto& kv : all) out.push_back(kv.first);
  return out;
}

gad::data::dataset head(const gad::data::dataset& d, std::int64_t n) {
  return gad::data::subset(d, torch::arange(n));
}

}  // namespace

TEST_CASE("options outside their domain are rejected with the option's name", "[alad][errors]") {
  const auto rejects = [](auto change, const std::string& text) {
    gad::bigan_options o = narrow_options(1, 16);
    change(o);
    CHECK_THROWS_WITH(gad::alad<>(o), gad_test::contains(text));
  };
  rejects([](auto& o) { o.learning_rate = 0.0; }, "learning_rate must be > 0");
  rejects([](auto& o) { o.learning_rate = -1e-3; }, "learning_rate must be > 0");
  rejects([](auto& o) { o.batch_size = 0; }, "batch_size must be > 0");
  rejects([](auto& o) { o.epochs = 0; }, "epochs must be > 0");
  rejects([](auto& o) { o.degree = 0.5; }, "degree must be >= 1");
  rejects([](auto& o) { o.egbad_weight = 1.5; }, "egbad_weight must lie in [0, 1]");
  rejects([](auto& o) { o.egbad_weight = -0.1; }, "egbad_weight must lie in [0, 1]");
  rejects([](auto& o) { o.contamination = 1.0; }, "contamination must lie in (0, 1)");
  rejects([](auto& o) { o.ema_decay = 1.0; }, "ema_decay");
  rejects([](auto& o) { o.runtime.threads = -1; }, "thread count");
  // An EGBAD layer table has no D_xx for an ALAD detector to build.
  CHECK_THROWS_WITH(gad::alad<>(gad::egbad_mnist_options()), gad_test::contains("no D_xx"));
}

TEST_CASE("bad inputs are rejected with what was expected", "[alad][errors]") {
  gad::alad<> det(narrow_options(1, 16));
  const auto& f = mnist();
  CHECK_THROWS_WITH(det.decision_function(f.test_x), gad_test::contains("before a successful fit"));

  gad::data::dataset wrong = f.train;
  wrong.images = torch::zeros({20, 1, 32, 32});
  CHECK_THROWS_WITH(det.fit(wrong), gad_test::contains("expected [N, 1, 28, 28] or [N, 784]") &&
                                        gad_test::contains("got [20, 1, 32, 32]"));
  gad::data::dataset nan = head(f.train, 20);
  nan.images = nan.images.clone();
  nan.images[3][0][5][5] = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_WITH(det.fit(nan), gad_test::contains("NaN or Inf"));
  gad::data::dataset unit = head(f.train, 20);
  unit.images = unit.images + 1.0;  // [0, 2]
  CHECK_THROWS_WITH(det.fit(unit), gad_test::contains("[-1, 1]"));
  CHECK_THROWS_WITH(det.fit(head(f.train, 8)), gad_test::contains("batch_size 16 is larger"));
  CHECK_FALSE(det.is_fitted());
}

TEST_CASE("a short run on real MNIST ones learns to flag other digits", "[alad][train]") {
  // Normal = the fixture's 80 ones; 20 epochs of batch 16 (100 iterations, a few seconds).
  // Untrained networks reconstruct a near-constant image, and the reconstruction error then
  // ranks every other digit below the ones (l1 and l2 AUROC 0.00). A run this short is chaotic:
  // one seed's AUROC depends on the CPU's rounding. Seed 3 gave l2/l1 0.90/0.69 on one 2-core
  // Xeon, 0.73/0.59 on a 2-core AMD EPYC and 0.50/0.32 on a 2-core Xeon with AVX512-FP16
  // (2026-12-07), where seeds 1-8 spread over l2 0.50-0.999 and l1 0.32-0.996. So the check is
  // on the median of five seeds, which fails only if three of them fail to learn: on that last
  // Xeon seeds 1-5 gave medians l2 0.987 and l1 0.973; the floors (0.80, 0.65) still say that
  // training happened, far above the untrained 0.00.
  // (fm and ch stay inverted, below 0.04, on this tiny one-class set after 100 iterations; with
  // the zeros as normal class they reach 0.9 and more after 200 iterations. They are checked
  // against their formulas below, not against a floor.)
  const auto& f = mnist();
  gad::alad<gad::norm::none, gad::score::l2> det(narrow_options(20, 16));  // seed 3
  const gad::fit_report report = det.fit(f.train);
  CHECK(report.iterations == 100);
  CHECK(report.iterations_per_epoch == 5);
  CHECK(report.epoch_losses.size() == 20);
  CHECK(report.loss_names == std::vector<std::string>{"d_xz", "d_xx", "d", "g", "e"});
  REQUIRE(det.is_fitted());
  const gad::named_scores all = det.all_scores(f.test_x);
  CHECK(names(all) == std::vector<std::string>{"ch", "l1", "l2", "fm"});

  std::vector<double> l2s;
  std::vector<double> l1s;
  const auto add = [&](std::uint64_t seed, const gad::named_scores& scores) {
    l2s.push_back(gad::metrics::auroc(doubles(find(scores, "l2")), f.test_y));
    l1s.push_back(gad::metrics::auroc(doubles(find(scores, "l1")), f.test_y));
    UNSCOPED_INFO("seed " << seed << ": l2 AUROC " << l2s.back() << ", l1 AUROC " << l1s.back());
  };
  add(3, all);
  for (const std::uint64_t seed : std::initializer_list<std::uint64_t>{1, 2, 4, 5}) {
    gad::alad<gad::norm::none, gad::score::l2> other(narrow_options(20, 16, seed));
    other.fit(f.train);
    add(seed, other.all_scores(f.test_x));
  }
  const auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  CHECK(median(l2s) >= 0.80);
  CHECK(median(l1s) >= 0.65);

  // The rest checks the seed-3 run's bookkeeping and scores, not its quality.
  // decision_function is the policy's rule (l2) and repeats exactly: no dropout, no BN updates.
  det.averaged_dxx()->train();
  det.averaged_encoder()->train();
  const torch::Tensor s1 = det.decision_function(f.test_x);
  const torch::Tensor s2 = det.decision_function(f.test_x.reshape({100, 784}));
  CHECK(torch::equal(s1, s2));
  CHECK(torch::equal(s1, find(all, "l2")));
  CHECK(det.averaged_dxx()->is_training());  // modes restored
  CHECK(det.averaged_encoder()->is_training());
  CHECK_FALSE(det.averaged_generator()->is_training());

  // The scores are what the formulas give on the averaged networks in eval mode.
  {
    torch::NoGradGuard no_grad;
    det.averaged_dxx()->eval();
    det.averaged_encoder()->eval();
    // The networks live on the detector's device (CUDA under GAD_TEST_DEVICE=cuda); the
    // scores come back on the CPU, so the formulas run there and the results move back.
    const torch::Tensor x_cpu = f.test_x.slice(0, 0, 10);
    const torch::Tensor x = x_cpu.to(det.device());
    const torch::Tensor rec = det.averaged_generator()(det.averaged_encoder()(x));
    const auto real = det.averaged_dxx()->forward(x, x);
    const auto fake = det.averaged_dxx()->forward(x, rec);
    CHECK(torch::allclose(find(all, "fm").slice(0, 0, 10),
                          (real.features - fake.features).abs().sum(1).cpu(), 1e-4, 1e-4));
    CHECK(torch::allclose(find(all, "ch").slice(0, 0, 10),
                          torch::log1p(torch::exp(-fake.logits)).cpu(), 1e-4, 1e-5));
    CHECK(torch::allclose(find(all, "l1").slice(0, 0, 10),
                          (x - rec).abs().reshape({10, -1}).sum(1).cpu(), 1e-4, 1e-4));
    CHECK(torch::equal(det.reconstruct(x_cpu), rec.cpu()));
  }

  // Threshold from contamination 0.1 on the training scores: about 10 % of them flagged.
  const double flagged = det.predict(f.train.images).to(torch::kDouble).mean().item<double>();
  CHECK(flagged > 0.05);
  CHECK(flagged <= 0.1);
  CHECK(report.threshold == det.threshold());
}

TEST_CASE("one seed gives identical training; a second fit repeats the first", "[alad][seed]") {
  const auto& f = mnist();
  const auto train = head(f.train, 48);
  gad::alad<> a(narrow_options(1, 16, 11));
  gad::alad<> b(narrow_options(1, 16, 11));
  gad::alad<> c(narrow_options(1, 16, 12));
  const auto ra = a.fit(train);
  const auto rb = b.fit(train);
  c.fit(train);
  CHECK(ra.epoch_losses == rb.epoch_losses);
  const torch::Tensor sa = a.decision_function(f.test_x);
  CHECK(torch::equal(sa, b.decision_function(f.test_x)));
  CHECK_FALSE(torch::equal(sa, c.decision_function(f.test_x)));
  a.fit(train);
  CHECK(torch::equal(sa, a.decision_function(f.test_x)));
}

namespace {
struct poison_dxz {
  gad::alad<>* detector;
  void on_iteration_end(const gad::train::iteration_info& info) {
    if (info.iteration == 1) {
      torch::NoGradGuard no_grad;
      detector->dxz()->logit->weight.fill_(std::numeric_limits<float>::quiet_NaN());
    }
  }
};

struct stop_after_epoch {
  int epoch;
  int validations = 0;
  bool on_epoch_end(const gad::train::epoch_info& e) { return e.epoch == epoch; }
  void on_validation(const gad::train::validation_info&) { ++validations; }
};
}  // namespace

TEST_CASE("a non-finite loss stops training with the epoch and iteration", "[alad][errors]") {
  const auto& f = mnist();
  gad::alad<> det(narrow_options(2, 16));
  CHECK_THROWS_AS(det.fit(f.train, nullptr, poison_dxz{&det}), gad::training_error);
  CHECK_THROWS_WITH(det.fit(f.train, nullptr, poison_dxz{&det}),
                    gad_test::contains("loss d_xz is") && gad_test::contains("nan") &&
                        gad_test::contains("epoch 0, iteration 2"));
  CHECK_FALSE(det.is_fitted());
}

TEST_CASE("validation keeps the best epoch and a callback can stop", "[alad][train]") {
  const auto& f = mnist();
  gad::data::dataset validation;
  validation.images = f.test_x;
  validation.labels = torch::tensor(std::vector<std::int64_t>(f.test_y.begin(), f.test_y.end()));
  gad::alad<> det(narrow_options(4, 16));
  stop_after_epoch stop{1};
  const auto report = det.fit(head(f.train, 48), &validation, stop);
  CHECK(report.epochs_run == 2);
  CHECK(report.stopped_early);
  CHECK(stop.validations == 2);
  REQUIRE(report.validations.size() == 2);
  CHECK(report.best_epoch >= 0);
  CHECK(report.criterion.name == "AUROC");
  const double best = std::max(report.validations[0].value, report.validations[1].value);
  CHECK(report.best_validation_value == best);
  // The restored networks are the ones that scored best.
  CHECK(gad::metrics::auroc(doubles(det.decision_function(f.test_x)), f.test_y) ==
        Approx(best).epsilon(1e-9));
  gad::data::dataset anomalies_only = validation;
  anomalies_only.labels = torch::ones_like(validation.labels);
  CHECK_THROWS_WITH(det.fit(f.train, &anomalies_only), gad_test::contains("only anomalous"));
}

TEST_CASE("a validation set of normals alone selects the epoch of lowest mean score",
          "[alad][train]") {
  const auto& f = mnist();
  // Held-out normals: the last 20 of the fixture's ones; training on the other 60.
  const auto train = head(f.train, 60);
  gad::data::dataset normals = gad::data::subset(f.train, torch::arange(60, 80));
  std::vector<double> seen;
  struct record {
    std::vector<double>* values;
    std::string criterion;
    void on_validation(const gad::train::validation_info& v) {
      values->push_back(v.value);
      criterion = v.criterion;
    }
  } rec{&seen, ""};
  gad::alad<> det(narrow_options(4, 16));
  const auto report = det.fit(train, &normals, rec);
  CHECK(report.criterion.name == "mean fm score");
  CHECK_FALSE(report.criterion.higher_is_better);
  CHECK(rec.criterion == "mean fm score");
  REQUIRE(seen.size() == 4);
  const auto lowest = std::min_element(seen.begin(), seen.end());
  CHECK(report.best_validation_value == *lowest);
  // Ties go to the later epoch, as with AUROC.
  const auto last_lowest = std::find(seen.rbegin(), seen.rend(), *lowest);
  CHECK(report.best_epoch == static_cast<int>(seen.rend() - last_lowest) - 1);
  // The kept networks are those of that epoch, and the mean is of the policy's own score.
  CHECK(det.decision_function(normals.images).to(torch::kDouble).mean().item<double>() ==
        Approx(*lowest).epsilon(1e-9));
  // Labels are optional for such a set: none at all means normal.
  gad::data::dataset unlabelled = normals;
  unlabelled.labels = torch::Tensor();
  gad::alad<> again(narrow_options(4, 16));
  const auto same = again.fit(train, &unlabelled);
  CHECK(same.best_epoch == report.best_epoch);
  CHECK(same.best_validation_value == report.best_validation_value);
  gad::data::dataset empty = gad::data::subset(f.train, torch::arange(0));
  CHECK_THROWS_WITH(again.fit(train, &empty), gad_test::contains("validation set is empty"));

  // Another rule may select; the kept weights are then those of its lowest mean.
  gad::bigan_options by_l1 = narrow_options(4, 16);
  by_l1.validation_score = "l1";
  gad::alad<> pixel(by_l1);
  const auto r1 = pixel.fit(train, &normals);
  CHECK(r1.criterion.name == "mean l1 score");
  double lowest_l1 = r1.validations.front().value;
  for (const auto& v : r1.validations) lowest_l1 = std::min(lowest_l1, v.value);
  CHECK(r1.best_validation_value == lowest_l1);
  CHECK(find(pixel.all_scores(normals.images), "l1").to(torch::kDouble).mean().item<double>() ==
        Approx(lowest_l1).epsilon(1e-9));
}

TEST_CASE("validation_score must name a rule the discriminator set computes", "[alad][errors]") {
  gad::bigan_options o = narrow_options(1, 16);
  o.validation_score = "l3";
  CHECK_THROWS_WITH(gad::alad<>{o}, gad_test::contains("validation_score 'l3'") &&
                                        gad_test::contains("ch, l1, l2, fm"));
  o.validation_score = "fm";
  CHECK_NOTHROW(gad::alad<>{o});
  gad::bigan_options e = gad::egbad_mnist_options();
  e.validation_score = "fm";  // needs D_xx, which EGBAD lacks
  CHECK_THROWS_WITH(gad::egbad<>{e}, gad_test::contains("EGBAD computes") &&
                                         gad_test::contains("egbad-fm, egbad-ch, l1, l2"));
}

TEST_CASE("ALAD with spectral norm and D_zz trains all three discriminators", "[alad][train]") {
  const auto& f = mnist();
  gad::alad<gad::norm::spectral, gad::score::l2, gad::with_dzz> det(narrow_options(1, 16));
  CHECK(det.encoder()->stack->normalized_count() == 3);
  CHECK(det.dzz()->stack->normalized_count() == 2);
  const torch::Tensor before = det.dzz()->logit->weight.clone();
  const auto report = det.fit(head(f.train, 32));
  CHECK(report.loss_names == std::vector<std::string>{"d_xz", "d_xx", "d_zz", "d", "g", "e"});
  CHECK_FALSE(torch::equal(before, det.dzz()->logit->weight));
  const torch::Tensor s = det.decision_function(f.test_x);
  CHECK(torch::equal(s, find(det.all_scores(f.test_x), "l2")));
  CHECK(decltype(det)::score_name() == "l2");
  CHECK(torch::isfinite(s).all().item<bool>());
}

TEST_CASE("ALAD in bfloat16 learns the fixture and scores in float32", "[alad][precision]") {
  // Same run as the float32 test above but seed 1, in bfloat16. Seeds 1-6 gave l2 AUROC
  // 0.83-0.997 and l1 0.69-0.98 when this was written (seed 1: 0.99 and 0.98); same floors.
  const auto& f = mnist();
  auto o = narrow_options(20, 16, 1);
  o.compute_precision = gad::precision::bfloat16;
  gad::alad<gad::norm::none, gad::score::l2> det(o);
  det.fit(f.train);
  CHECK_FALSE(gad::compat::autocast_enabled(c10::DeviceType::CPU));
  const gad::named_scores all = det.all_scores(f.test_x);
  for (const auto& [name, s] : all) {
    INFO(name);
    CHECK(s.scalar_type() == torch::kFloat);
    CHECK(torch::isfinite(s).all().item<bool>());
  }
  const double l2 = gad::metrics::auroc(doubles(find(all, "l2")), f.test_y);
  const double l1 = gad::metrics::auroc(doubles(find(all, "l1")), f.test_y);
  INFO("bfloat16 l2 AUROC " << l2 << ", l1 AUROC " << l1);
  CHECK(l2 >= 0.80);
  CHECK(l1 >= 0.60);
  CHECK(torch::equal(det.decision_function(f.test_x), find(all, "l2")));

  SECTION("with spectral norm and D_zz every network runs and trains") {
    auto so = narrow_options(1, 16, 1);
    so.compute_precision = gad::precision::bfloat16;
    gad::alad<gad::norm::spectral, gad::score::fm, gad::with_dzz> sn(so);
    const torch::Tensor before = sn.dzz()->logit->weight.clone();
    sn.fit(head(f.train, 32));
    CHECK(sn.dzz()->logit->weight.scalar_type() == torch::kFloat);  // weights stay float32
    CHECK_FALSE(torch::equal(before, sn.dzz()->logit->weight));
    CHECK(torch::isfinite(sn.decision_function(f.test_x)).all().item<bool>());
  }
}

TEST_CASE("EGBAD trains its BiGAN and scores (1 - w) l1 + w L_D", "[alad][egbad]") {
  const auto& f = mnist();
  gad::bigan_options o = gad::egbad_mnist_options();
  o.epochs = 1;
  o.batch_size = 8;
  o.runtime.threads = 1;
  o.runtime.device = gad_test::device_name();
  gad::egbad<> det(o);
  CHECK(det.options().network.latent_dim == 200);
  const auto report = det.fit(head(f.train, 16));
  CHECK(report.loss_names == std::vector<std::string>{"d_xz", "d", "g", "e"});
  const torch::Tensor x = f.test_x.slice(0, 0, 12);
  const gad::named_scores all = det.all_scores(x);
  CHECK(names(all) == std::vector<std::string>{"egbad-fm", "egbad-ch", "l1", "l2"});
  CHECK(torch::equal(det.decision_function(x), find(all, "egbad-fm")));
  {
    torch::NoGradGuard no_grad;
    auto& E = det.averaged_encoder();
    auto& G = det.averaged_generator();
    auto& D = det.averaged_dxz();
    const torch::Tensor z = E(x);
    const torch::Tensor rec = G(z);
    const torch::Tensor l1 = (x - rec).abs().reshape({12, -1}).sum(1);
    const torch::Tensor fm = (D->forward(x, z).features - D->forward(rec, z).features).abs().sum(1);
    const torch::Tensor ch = torch::log1p(torch::exp(-D->forward(rec, z).logits));
    CHECK(torch::allclose(find(all, "egbad-fm"), 0.9 * l1 + 0.1 * fm, 1e-4, 1e-4));
    CHECK(torch::allclose(find(all, "egbad-ch"), 0.9 * l1 + 0.1 * ch, 1e-4, 1e-4));
  }
  gad::egbad<gad::score::egbad_term::ch> det_ch(o);
  det_ch.fit(head(f.train, 16));
  CHECK(torch::equal(det_ch.decision_function(x), find(det_ch.all_scores(x), "egbad-ch")));
  CHECK(decltype(det_ch)::score_name() == "egbad-ch");
}

TEST_CASE("the KDD preset trains on feature vectors", "[alad][tabular]") {
  gad::bigan_options o = gad::alad_kdd_options(10);
  o.epochs = 2;
  o.batch_size = 16;
  o.runtime.threads = 1;
  o.runtime.device = gad_test::device_name();
  gad::alad<> det(o);
  gad::data::dataset train;
  at::Generator gen = gad::make_generator(5, "kdd-data");
  train.images = torch::randn({64, 10}, gen);
  train.labels = torch::zeros({64}, torch::kLong);
  det.fit(train);
  const torch::Tensor x = torch::randn({5, 10}, gen) * 3;  // any range: G is linear
  const auto all = det.all_scores(x);
  CHECK(names(all) == std::vector<std::string>{"ch", "l1", "l2", "fm"});
  for (const auto& kv : all) CHECK(kv.second.sizes() == torch::IntArrayRef{5});
  CHECK_THROWS_WITH(det.decision_function(torch::zeros({5, 11})),
                    gad_test::contains("expected [N, 10]") && gad_test::contains("got [5, 11]"));
}
