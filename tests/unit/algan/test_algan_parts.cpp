// The building blocks of ALGAN, each on its own: losses, replay buffer, networks, options and
// the callback plumbing. Fast: no training here.
#include <gad/algan/losses.hpp>
#include <gad/algan/networks.hpp>
#include <gad/algan/options.hpp>
#include <gad/algan/replay_buffer.hpp>
#include <gad/core/error.hpp>
#include <gad/core/random.hpp>
#include <gad/report/csv_loss_log.hpp>
#include <gad/report/progress_printer.hpp>
#include <gad/train/callbacks.hpp>

#include <torch/torch.h>
#include "support/catch.hpp"
#include "support/fixture.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {
const double ln2 = std::log(2.0);

torch::Tensor zeros(std::int64_t n) { return torch::zeros({n, 1}); }
}  // namespace

TEST_CASE("ALGAN losses at all-zero logits", "[algan][losses]") {
  torch::set_num_threads(2);
  using namespace gad::losses;
  SECTION("every BCE term is ln 2") {
    CHECK(bce_with_logits(zeros(8), 1.0).item<double>() == Approx(ln2));
    CHECK(bce_with_logits(zeros(8), 0.0).item<double>() == Approx(ln2));
  }
  SECTION("D loss is 2 ln 2 in the first epoch (no buffers)") {
    const auto t = algan_terms_from_logits(zeros(4), zeros(4), zeros(4));
    CHECK_FALSE(t.has_buffers());
    CHECK(algan_discriminator_loss(t, 0.75, 0.75).item<double>() == Approx(2 * ln2));
  }
  SECTION("D loss is 2 ln 2 with buffers") {
    const auto t = algan_terms_from_logits(zeros(4), zeros(4), zeros(4), zeros(4), zeros(4));
    CHECK(t.has_buffers());
    CHECK(algan_discriminator_loss(t, 0.75, 0.75).item<double>() == Approx(2 * ln2));
  }
  SECTION("G loss is ln 2; the ablation's D loss is 2 ln 2") {
    CHECK(generator_loss(zeros(4)).item<double>() == Approx(ln2));
    CHECK(gan_discriminator_loss(zeros(4), zeros(4)).item<double>() == Approx(2 * ln2));
  }
  SECTION("alpha and xi weigh the terms as in the reference") {
    algan_terms t;
    t.real = torch::tensor(1.0);
    t.fake_normal = torch::tensor(10.0);
    t.fake_anomalous = torch::tensor(100.0);
    CHECK(algan_discriminator_loss(t, 0.75, 0.75).item<double>() == Approx(1 + 7.5 + 25));
    t.buffer_normal = torch::tensor(1000.0);
    t.buffer_anomalous = torch::tensor(10000.0);
    // 1 + 0.5625*10 + 0.1875*1000 + 0.1875*100 + 0.0625*10000
    CHECK(algan_discriminator_loss(t, 0.75, 0.75).item<double>() ==
          Approx(1 + 5.625 + 187.5 + 18.75 + 625));
  }
  SECTION("only one buffered group is an error") {
    CHECK_THROWS_AS(algan_terms_from_logits(zeros(2), zeros(2), zeros(2), zeros(2), {}),
                    gad::invalid_argument);
  }
}

TEST_CASE("replay buffer keeps at most its capacity and samples without replacement",
          "[algan][replay]") {
  gad::replay_buffer buffer(16, gad::make_generator(3, "replay"));
  // Row i holds the value i, so rows can be told apart after shuffling.
  const auto rows = [](std::int64_t from, std::int64_t n) {
    return torch::arange(from, from + n, torch::kFloat).unsqueeze(1).repeat({1, 3});
  };
  CHECK(buffer.empty());
  CHECK_THROWS_AS(buffer.sample(1), gad::invalid_argument);

  buffer.insert(rows(0, 10));
  CHECK(buffer.size() == 10);
  buffer.insert(rows(10, 10));
  CHECK(buffer.size() == 16);
  buffer.insert(rows(20, 10));
  CHECK(buffer.size() == 16);

  std::set<float> stored;
  for (std::int64_t i = 0; i < buffer.size(); ++i) stored.insert(buffer.data()[i][0].item<float>());
  CHECK(stored.size() == 16);  // no row was duplicated by the random trim

  for (int trial = 0; trial < 5; ++trial) {
    const auto s = buffer.sample(12);
    REQUIRE(s.sizes() == torch::IntArrayRef({12, 3}));
    std::set<float> seen;
    for (std::int64_t i = 0; i < 12; ++i) {
      const float v = s[i][0].item<float>();
      CHECK(stored.count(v) == 1);
      seen.insert(v);
    }
    CHECK(seen.size() == 12);
  }
  CHECK_THROWS_AS(buffer.sample(17), gad::invalid_argument);
  CHECK_THROWS_AS(buffer.insert(torch::zeros({2, 4})), gad::invalid_argument);
  CHECK_THROWS_AS(gad::replay_buffer(0, gad::make_generator(1)), gad::invalid_argument);

  // Same generator seed, same contents.
  gad::replay_buffer a(8, gad::make_generator(9, "r"));
  gad::replay_buffer b(8, gad::make_generator(9, "r"));
  for (int k = 0; k < 3; ++k) {
    a.insert(rows(10 * k, 6));
    b.insert(rows(10 * k, 6));
  }
  CHECK(torch::equal(a.data(), b.data()));
  CHECK(torch::equal(a.sample(5), b.sample(5)));
}

TEST_CASE("ALGAN networks have the reference shapes and initialization", "[algan][networks]") {
  torch::set_num_threads(2);
  auto gen = gad::make_generator(1, "init");
  gad::nn::AlganGenerator G;  // reference widths 100 -> 512 -> 1024 -> 784
  gad::nn::AlganDiscriminator<> D;
  G->initialize(gen);
  D->initialize(gen);
  std::int64_t g_params = 0;
  for (const auto& p : G->parameters()) g_params += p.numel();
  std::int64_t d_params = 0;
  for (const auto& p : D->parameters()) d_params += p.numel();
  CHECK(g_params == 1381376);
  CHECK(d_params == 1327616);
  // Spectral norm on the two hidden layers only: PyTorch's state-dict vocabulary.
  const auto d_state = D->named_parameters();
  CHECK(d_state.contains("linear0.weight_orig"));
  CHECK(d_state.contains("linear1.weight_orig"));
  CHECK(d_state.contains("last.weight"));
  CHECK(D->named_buffers().contains("linear0.weight_u"));

  const auto z = torch::randn({6, 100});
  const auto x = G->forward(z);
  CHECK(x.sizes() == torch::IntArrayRef({6, 784}));
  CHECK(x.abs().max().item<float>() <= 1.0f);
  CHECK(D->forward(x).sizes() == torch::IntArrayRef({6, 1}));
  CHECK_THROWS_AS(D->forward(torch::zeros({2, 100})), gad::invalid_argument);
  CHECK_THROWS_AS(G->forward(torch::zeros({2, 99})), gad::invalid_argument);

  // Xavier-uniform bound sqrt(6 / (fan_in + fan_out)); BatchNorm weight ~ N(1, 0.02).
  const double bound = std::sqrt(6.0 / (100 + 512));
  CHECK(G->linears[0]->weight.abs().max().item<double>() <= bound);
  CHECK(G->linears[0]->weight.abs().max().item<double>() > 0.9 * bound);
  CHECK(G->norms[1]->weight.mean().item<double>() == Approx(1.0).margin(0.01));
  CHECK(G->norms[1]->weight.std().item<double>() == Approx(0.02).margin(0.005));
  CHECK(G->norms[1]->bias.abs().max().item<double>() == 0.0);

  gad::nn::AlganDiscriminator<gad::norm::none> plain(
      gad::nn::AlganDiscriminatorOptions{784, {32, 16}, 0.2});
  CHECK(plain->named_parameters().contains("linear0.weight"));
  CHECK(plain->named_buffers().size() == 0);
}

TEST_CASE("pseudo-anomalies leave BatchNorm's running statistics untouched",
          "[algan][networks][batchnorm]") {
  torch::set_num_threads(2);
  auto gen = gad::make_generator(2, "init");
  gad::nn::AlganGenerator G(gad::nn::AlganGeneratorOptions{8, {32, 16}, 64, 1e-5, 0.1});
  G->initialize(gen);
  G->train();
  G->forward(torch::randn({16, 8}));  // give the running stats non-trivial values
  std::vector<torch::Tensor> before;
  for (const auto& b : G->buffers()) before.push_back(b.clone());

  const auto out = gad::nn::make_pseudo_anomalies(G, 4.0 * torch::randn({16, 8}));
  CHECK_FALSE(out.requires_grad());
  CHECK(G->is_training());  // mode restored
  std::size_t i = 0;
  for (const auto& b : G->buffers()) CHECK(torch::equal(b, before[i++]));

  // The contrast: a training-mode forward does move them.
  G->forward(4.0 * torch::randn({16, 8}));
  CHECK_FALSE(torch::equal(G->norms[0]->running_var, before[1]));
}

TEST_CASE("algan_options are validated with clear messages", "[algan][options]") {
  const auto fails = [](auto mutate, const std::string& needle) {
    gad::algan_options o;
    mutate(o);
    try {
      gad::validate(o, true);
    } catch (const gad::invalid_argument& e) {
      INFO(e.what());
      return std::string(e.what()).find(needle) != std::string::npos;
    }
    return false;
  };
  CHECK_NOTHROW(gad::validate(gad::algan_options{}, true));
  CHECK(fails([](auto& o) { o.generator_lr = 0; }, "generator_lr must be > 0"));
  CHECK(fails([](auto& o) { o.discriminator_lr = -1e-4; }, "discriminator_lr"));
  CHECK(fails([](auto& o) { o.epochs = 0; }, "epochs must be > 0"));
  CHECK(fails([](auto& o) { o.batch_size = -3; }, "batch_size must be > 0, got -3"));
  CHECK(fails([](auto& o) { o.sigma = 0; }, "sigma must be > 0"));
  CHECK(fails([](auto& o) { o.alpha = 1.5; }, "alpha must lie in [0, 1], got 1.5"));
  CHECK(fails([](auto& o) { o.xi = -0.1; }, "xi must lie in [0, 1]"));
  CHECK(fails([](auto& o) { o.alpha = std::nan(""); }, "alpha"));
  CHECK(fails([](auto& o) { o.contamination = 1.0; }, "contamination must lie in (0, 1)"));
  CHECK_FALSE(fails([](auto& o) { o.contamination = 0.7; }, "contamination"));
  CHECK(fails([](auto& o) { o.buffer_capacity = 100; }, "buffer_capacity (100)"));
  // The ablation never reads sigma, alpha or xi.
  gad::algan_options ablation;
  ablation.sigma = -1;
  CHECK_NOTHROW(gad::validate(ablation, false));
}

namespace {
struct counts_epochs {
  int epochs = 0;
  void on_epoch_end(const gad::train::epoch_info&) { ++epochs; }
};
struct stops_at_two {
  bool on_epoch_end(const gad::train::epoch_info& e) { return e.epoch + 1 >= 2; }
};
struct misspelt {
  void on_epoch_ended(const gad::train::epoch_info&) {}
};
}  // namespace

TEST_CASE("callback hooks are detected at compile time", "[algan][callbacks]") {
  using namespace gad::report;
  using namespace gad::train;
  STATIC_REQUIRE(has_on_epoch_end_v<counts_epochs>);
  STATIC_REQUIRE_FALSE(has_on_iteration_end_v<counts_epochs>);
  STATIC_REQUIRE_FALSE(has_on_epoch_end_v<misspelt>);
  STATIC_REQUIRE_FALSE(has_on_epoch_end_v<const counts_epochs>);  // hooks need a mutable object
  STATIC_REQUIRE(has_on_iteration_end_v<csv_loss_log>);
  STATIC_REQUIRE(has_on_train_end_v<csv_loss_log>);
  STATIC_REQUIRE(has_on_validation_v<progress_printer>);

  counts_epochs c;
  stops_at_two s;
  misspelt m;
  epoch_info e;
  e.epoch = 0;
  CHECK_FALSE(notify_epoch_end(e, c, s, m));
  e.epoch = 1;
  CHECK(notify_epoch_end(e, c, s, m));
  CHECK(c.epochs == 2);  // every callback is called, even after one asked to stop

  std::ostringstream out;
  progress_printer p(out);
  e.epochs = 256;
  e.losses = {{"d_total", 1.25}, {"g", 0.5}};
  e.elapsed_seconds = 125;
  e.eta_seconds = 3725;
  p.on_epoch_end(e);
  CHECK(out.str().find("epoch   2/256  d_total 1.2500  g 0.5000") == 0);
  CHECK(out.str().find("elapsed 2:05  eta 1:02:05") != std::string::npos);
}

namespace {

std::vector<std::string> lines_of(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

void log_rows(gad::report::csv_loss_log& log, std::int64_t from, std::int64_t to, double d) {
  gad::train::iteration_info it;
  it.losses = {{"d", d}, {"g", 0.25}};
  for (it.iteration = from; it.iteration < to; ++it.iteration) log.on_iteration_end(it);
}

}  // namespace

TEST_CASE("csv_loss_log continues the log of the run it resumes", "[algan][callbacks]") {
  gad_test::temp_dir dir;
  const auto path = dir / "loss_log.csv";
  using gad::report::log_start;
  {
    gad::report::csv_loss_log first(path);
    log_rows(first, 0, 6, 1.5);
    first.on_train_end({});
  }
  SECTION("rows before the resumed iteration are kept, later ones trained again") {
    gad::report::csv_loss_log resumed(path, log_start::continued);
    log_rows(resumed, 4, 7, 2.5);
    resumed.on_train_end({});
    CHECK(lines_of(path) == std::vector<std::string>{"iteration,epoch,d,g", "0,0,1.5,0.25",
                                                     "1,0,1.5,0.25", "2,0,1.5,0.25",
                                                     "3,0,1.5,0.25", "4,0,2.5,0.25",
                                                     "5,0,2.5,0.25", "6,0,2.5,0.25"});
  }
  SECTION("after a crash the partial file is the earlier log, without its cut last line") {
    {
      std::ofstream crashed(dir / "loss_log.csv.partial");
      crashed << "iteration,epoch,d,g\n0,0,9,9\n1,0,9,9\n2,0,9";
    }
    gad::report::csv_loss_log resumed(path, log_start::continued);
    log_rows(resumed, 3, 4, 2.5);
    resumed.on_train_end({});
    CHECK(lines_of(path) == std::vector<std::string>{"iteration,epoch,d,g", "0,0,9,9", "1,0,9,9",
                                                     "3,0,2.5,0.25"});
    CHECK_FALSE(std::filesystem::exists(dir / "loss_log.csv.partial"));
  }
  SECTION("a fresh log, or one with other losses, does not continue") {
    gad::report::csv_loss_log fresh(path);
    log_rows(fresh, 4, 5, 2.5);
    fresh.on_train_end({});
    CHECK(lines_of(path) == std::vector<std::string>{"iteration,epoch,d,g", "4,0,2.5,0.25"});
    gad::report::csv_loss_log other(path, log_start::continued);
    gad::train::iteration_info it;
    it.iteration = 5;
    it.losses = {{"e", 1.0}};
    other.on_iteration_end(it);
    other.on_train_end({});
    CHECK(lines_of(path) == std::vector<std::string>{"iteration,epoch,e", "5,0,1"});
  }
  SECTION("a resumed fit that stops before its first iteration keeps the earlier log whole") {
    gad::report::csv_loss_log resumed(path, log_start::continued);
    resumed.on_train_end({});
    CHECK(lines_of(path).size() == 7);
  }
  SECTION("rows reach the disk at every epoch end, before that epoch's checkpoint") {
    gad::report::csv_loss_log log(dir / "flushed.csv");
    log_rows(log, 0, 2, 1.0);
    log.on_epoch_end({});
    CHECK(lines_of(dir / "flushed.csv.partial").size() == 3);
  }
}

TEST_CASE("csv_loss_log only shows the final name once training ended", "[algan][callbacks]") {
  const auto dir = std::filesystem::temp_directory_path() / "gad_test_algan_csv";
  std::filesystem::remove_all(dir);
  const auto path = dir / "loss_log.csv";
  {
    gad::report::csv_loss_log log(path);
    gad::train::iteration_info it;
    it.losses = {{"d", 1.5}, {"g", 0.25}};
    log.on_iteration_end(it);
    it.iteration = 1;
    log.on_iteration_end(it);
    CHECK_FALSE(std::filesystem::exists(path));
    CHECK(std::filesystem::exists(dir / "loss_log.csv.partial"));
    log.on_train_end({});
  }
  REQUIRE(std::filesystem::exists(path));
  std::ifstream in(path);
  std::string header, row0, row1;
  std::getline(in, header);
  std::getline(in, row0);
  std::getline(in, row1);
  CHECK(header == "iteration,epoch,d,g");
  CHECK(row0 == "0,0,1.5,0.25");
  CHECK(row1 == "1,0,1.5,0.25");
  std::filesystem::remove_all(dir);
}
