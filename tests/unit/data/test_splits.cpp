// Protocol splits and dataset helpers. Synthetic data sets tag every image with its row number
// (the single pixel value), so overlaps between parts can be counted exactly; the MNIST-sized
// ones reproduce the published split sizes from the per-digit counts alone.
#include <gad/data/dataset.hpp>
#include <gad/data/idx.hpp>
#include <gad/data/splits.hpp>

#include <torch/types.h>

#include "data_test_util.hpp"

#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

using namespace gad_test;
namespace gd = gad::data;

namespace {

/// counts[c] images of class c, classes interleaved; image i is a 1x1x1 image of value i.
gd::dataset tagged(const std::vector<std::int64_t>& counts) {
  std::vector<std::int64_t> classes;
  std::vector<std::int64_t> left = counts;
  for (bool any = true; any;) {
    any = false;
    for (std::size_t c = 0; c < left.size(); ++c) {
      if (left[c] > 0) {
        classes.push_back(static_cast<std::int64_t>(c));
        --left[c];
        any = true;
      }
    }
  }
  const auto n = static_cast<std::int64_t>(classes.size());
  gd::dataset d;
  d.images = torch::arange(n, torch::kFloat64).to(torch::kFloat32).view({n, 1, 1, 1});
  d.labels = torch::tensor(classes, torch::kInt64);
  return d;
}

/// Row tags (original row numbers) of the images of a part.
std::set<std::int64_t> tags(const gd::dataset& d) {
  const auto t = d.images.flatten().to(torch::kInt64).contiguous();
  return {t.data_ptr<std::int64_t>(), t.data_ptr<std::int64_t>() + t.numel()};
}

std::size_t overlap(const std::set<std::int64_t>& a, const std::set<std::int64_t>& b) {
  std::size_t n = 0;
  for (auto v : a) n += b.count(v);
  return n;
}

std::int64_t count(const torch::Tensor& t, std::int64_t value) {
  return t.eq(value).sum().item<std::int64_t>();
}

gd::dataset fixture_set(const std::string& split) {
  return gd::load_idx_folder(std::string(GAD_TEST_DATA_DIR) + "/mnist-fixture", split, 28, 28);
}

void check_part(const gd::dataset& part) {
  gd::validate(part, "part");
  REQUIRE(part.classes.defined());
}

const std::vector<std::int64_t> kMnistTrain = {5923, 6742, 5958, 6131, 5842,
                                               5421, 5918, 6265, 5851, 5949};
const std::vector<std::int64_t> kMnistTest = {980, 1135, 1032, 1010, 982,
                                              892, 958,  1028, 974,  1009};

}  // namespace

TEST_CASE("dataset helpers", "[data][dataset]") {
  const auto d = tagged({3, 2});
  CHECK(d.size() == 5);
  CHECK(gd::dataset{}.size() == 0);
  const auto s = gd::subset(d, torch::tensor({4, 0, 4}, torch::kInt64));
  CHECK(s.size() == 3);
  CHECK(s.images.flatten().equal(torch::tensor({4.0F, 0.0F, 4.0F})));
  CHECK(s.labels.equal(d.labels.index_select(0, torch::tensor({4, 0, 4}, torch::kInt64))));
  CHECK(gd::subset(d, torch::empty({0}, torch::kInt64)).size() == 0);
  CHECK_THROWS_AS(gd::subset(d, torch::tensor({5}, torch::kInt64)), gad::invalid_argument);
  CHECK_THROWS_AS(gd::subset(d, torch::tensor({-1}, torch::kInt64)), gad::invalid_argument);
  CHECK_THROWS_AS(gd::subset(d, torch::tensor({0.5})), gad::invalid_argument);

  const auto c = gd::concat(d, s);
  CHECK(c.size() == 8);
  CHECK_FALSE(c.classes.defined());
  gd::dataset wide;
  wide.images = torch::zeros({1, 1, 2, 2});
  wide.labels = torch::zeros({1}, torch::kInt64);
  CHECK_THROWS_AS(gd::concat(d, wide), gad::invalid_argument);
  gd::dataset bad = d;
  bad.labels = bad.labels.slice(0, 0, 4);
  CHECK_THROWS_AS(gd::validate(bad), gad::invalid_argument);
  bad = d;
  bad.images = bad.images.view({5, 1, 1});
  CHECK_THROWS_AS(gd::validate(bad), gad::invalid_argument);
  // Table rows [N, F] are a dataset too (csv_table.hpp).
  gd::dataset rows = d;
  rows.images = rows.images.reshape({5, -1});
  CHECK_NOTHROW(gd::validate(rows));
  CHECK(gd::subset(rows, torch::tensor({4, 0}, torch::kInt64)).images.sizes() ==
        torch::IntArrayRef({2, rows.images.size(1)}));
}

TEST_CASE("one_class_normal: normal class only in train/validation, whole test set",
          "[data][splits]") {
  const auto train = fixture_set("train");
  const auto test = fixture_set("t10k");
  const auto s = gd::one_class_normal(train, test, /*normal_class=*/0, /*seed=*/7, 0.2);
  check_part(s.train);
  check_part(s.validation);
  check_part(s.test);
  // 80 zeros: floor(0.8 * 80) = 64 train, 16 validation.
  CHECK(s.train.size() == 64);
  CHECK(s.validation.size() == 16);
  CHECK(count(s.train.classes, 0) == 64);
  CHECK(count(s.validation.classes, 0) == 16);
  CHECK(count(s.train.labels, 0) == 64);
  CHECK(s.test.size() == 100);
  CHECK(s.test.classes.equal(test.labels));  // file order kept
  CHECK(s.test.labels.equal(test.labels.ne(0).to(torch::kInt64)));
  CHECK(count(s.test.labels, 1) == 70);
  // Train and validation partition the normals.
  const auto all = gd::concat(s.train, s.validation);
  CHECK(all.images.sum().item<double>() ==
        Approx(train.images.index_select(0, train.labels.eq(0).nonzero().flatten())
                   .sum()
                   .item<double>()));

  const auto again = gd::one_class_normal(train, test, 0, 7, 0.2);
  CHECK(again.train.images.equal(s.train.images));
  const auto other = gd::one_class_normal(train, test, 0, 8, 0.2);
  CHECK_FALSE(other.train.images.equal(s.train.images));

  const auto no_val = gd::one_class_normal(train, test, 1, 7);
  CHECK(no_val.train.size() == 80);
  CHECK(no_val.validation.size() == 0);
  CHECK(no_val.validation.images.dim() == 4);

  CHECK_THROWS_AS(gd::one_class_normal(train, test, 42, 7), gad::invalid_argument);
  CHECK_THROWS_AS(gd::one_class_normal(train, test, 0, 7, 1.0), gad::invalid_argument);
  CHECK_THROWS_AS(gd::one_class_normal(train, test, 0, 7, -0.1), gad::invalid_argument);
  CHECK_THROWS_AS(
      gd::one_class_normal(gd::subset(train, torch::empty({0}, torch::kInt64)), test, 0, 7),
      gad::invalid_argument);
  CHECK_THROWS_AS(gd::one_class_normal(train, gd::dataset{}, 0, 7), gad::invalid_argument);
}

TEST_CASE("one_class_anomalous: leak-free by default, legacy mode leaks", "[data][splits]") {
  // 10 classes x 100 images; class 3 anomalous: 900 normals -> 720 train, 180 + 100 test.
  const auto pool = tagged(std::vector<std::int64_t>(10, 100));
  const auto s = gd::one_class_anomalous(pool, /*anomalous_class=*/3, /*seed=*/11);
  check_part(s.train);
  check_part(s.test);
  CHECK(s.train.size() == 720);
  CHECK(s.validation.size() == 0);
  CHECK(s.test.size() == 280);
  CHECK(count(s.train.classes, 3) == 0);
  CHECK(count(s.train.labels, 1) == 0);
  CHECK(count(s.test.classes, 3) == 100);
  CHECK(s.test.labels.equal(s.test.classes.eq(3).to(torch::kInt64)));
  const auto train_tags = tags(s.train);
  const auto test_tags = tags(s.test);
  CHECK(train_tags.size() == 720);
  CHECK(test_tags.size() == 280);
  CHECK(overlap(train_tags, test_tags) == 0);
  // The test set is shuffled, not normals-then-anomalies.
  CHECK_FALSE(s.test.labels.slice(0, 0, 180).eq(0).all().item<bool>());

  const auto again = gd::one_class_anomalous(pool, 3, 11);
  CHECK(again.train.images.equal(s.train.images));
  CHECK(again.test.images.equal(s.test.images));
  const auto other = gd::one_class_anomalous(pool, 3, 12);
  CHECK_FALSE(other.train.images.equal(s.train.images));

  gd::one_class_anomalous_options legacy;
  legacy.legacy_leaky_split = true;
  const auto leaky = gd::one_class_anomalous(pool, 3, 11, legacy);
  CHECK(leaky.train.images.equal(s.train.images));  // same first draw
  CHECK(leaky.test.size() == 280);
  CHECK_THAT(leaky.protocol, gad_test::contains("legacy_leaky_split"));
  CHECK_THAT(s.protocol, !gad_test::contains("legacy"));
  CHECK(count(leaky.test.classes, 3) == 100);
  const auto leaked = overlap(train_tags, tags(leaky.test));
  INFO("test normals also in train: " << leaked << " of 180");
  CHECK(leaked > 110);  // about 80 % of 180 = 144 expected
  CHECK(leaked < 180);

  // The real-data fixture, pooled: 190 normals for digit 1 -> 152 train, 38 + 110 test.
  const auto fixture_pool = gd::concat(fixture_set("train"), fixture_set("t10k"));
  const auto f = gd::one_class_anomalous(fixture_pool, 1, 0);
  CHECK(f.train.size() == 152);
  CHECK(f.test.size() == 148);
  CHECK(count(f.test.labels, 1) == 110);

  gd::one_class_anomalous_options bad;
  bad.train_fraction = 0.0;
  CHECK_THROWS_AS(gd::one_class_anomalous(pool, 3, 11, bad), gad::invalid_argument);
  bad.train_fraction = 1.0;
  CHECK_THROWS_AS(gd::one_class_anomalous(pool, 3, 11, bad), gad::invalid_argument);
  CHECK_THROWS_AS(gd::one_class_anomalous(pool, 10, 11), gad::invalid_argument);
}

TEST_CASE("one_class_anomalous: validation normals come out of training, not test",
          "[data][splits]") {
  const auto pool = tagged(std::vector<std::int64_t>(10, 100));
  const auto plain = gd::one_class_anomalous(pool, 3, 11);
  gd::one_class_anomalous_options held;
  held.validation_fraction = 0.25;
  const auto s = gd::one_class_anomalous(pool, 3, 11, held);
  check_part(s.validation);
  // 720 training normals: 540 train, 180 validation; the test set does not change.
  CHECK(s.train.size() == 540);
  CHECK(s.validation.size() == 180);
  CHECK(s.test.images.equal(plain.test.images));
  CHECK(s.test.labels.equal(plain.test.labels));
  CHECK(count(s.validation.labels, 1) == 0);
  CHECK(count(s.validation.classes, 3) == 0);
  const auto train_tags = tags(s.train);
  const auto val_tags = tags(s.validation);
  CHECK(overlap(train_tags, val_tags) == 0);
  CHECK(overlap(val_tags, tags(s.test)) == 0);
  CHECK(overlap(train_tags, tags(plain.train)) == 540);
  CHECK(overlap(val_tags, tags(plain.train)) == 180);
  CHECK_THAT(s.protocol, gad_test::contains("validation_fraction=0.25"));
  CHECK_THAT(plain.protocol, !gad_test::contains("validation_fraction"));

  held.validation_fraction = 1.0;
  CHECK_THROWS_AS(gd::one_class_anomalous(pool, 3, 11, held), gad::invalid_argument);
  held.validation_fraction = -0.1;
  CHECK_THROWS_AS(gd::one_class_anomalous(pool, 3, 11, held), gad::invalid_argument);
}

TEST_CASE("split sizes at MNIST scale match the published protocols", "[data][splits]") {
  SECTION("ALGAN: 0 normal, 1 anomalous") {
    const auto s = gd::algan_reference(tagged(kMnistTrain), tagged(kMnistTest), 1234);
    CHECK(s.train.size() == 4738);
    CHECK(count(s.validation.labels, 0) == 1185);
    CHECK(count(s.validation.labels, 1) == 1349);
    CHECK(count(s.test.labels, 0) == 980);
    CHECK(count(s.test.labels, 1) == 1135);
    CHECK(s.test.size() == 980 + 1135);
  }
  SECTION("EGBAD: digit 0 anomalous in the 70000-image pool") {
    std::vector<std::int64_t> pooled(10);
    for (std::size_t c = 0; c < 10; ++c) pooled[c] = kMnistTrain[c] + kMnistTest[c];
    const auto s = gd::one_class_anomalous(tagged(pooled), 0, 42);
    CHECK(s.train.size() == 50477);
    CHECK(s.test.size() == 19523);
    CHECK(count(s.test.labels, 1) == 6903);
  }
}

TEST_CASE("algan_reference: parts, labels and argument checks", "[data][splits]") {
  const auto train = fixture_set("train");
  const auto test = fixture_set("t10k");
  const auto s = gd::algan_reference(train, test, 5);
  check_part(s.train);
  check_part(s.validation);
  check_part(s.test);
  CHECK(s.protocol ==
        "algan_reference(normal_class=0, anomalous_class=1, train_fraction=0.800000, seed=5)");
  // 80 zeros -> 64 train + 16 validation; 80 ones -> 64 dropped + 16 validation.
  CHECK(s.train.size() == 64);
  CHECK(count(s.train.classes, 0) == 64);
  REQUIRE(s.validation.size() == 32);
  CHECK(s.validation.classes.slice(0, 0, 16).eq(0).all().item<bool>());
  CHECK(s.validation.classes.slice(0, 16).eq(1).all().item<bool>());
  CHECK(s.validation.labels.equal(s.validation.classes));
  CHECK(s.test.size() == 60);
  CHECK(count(s.test.labels, 1) == 30);

  const auto again = gd::algan_reference(train, test, 5);
  CHECK(again.train.images.equal(s.train.images));
  CHECK(again.validation.images.equal(s.validation.images));
  const auto other = gd::algan_reference(train, test, 6);
  CHECK_FALSE(other.train.images.equal(s.train.images));

  gd::algan_split_options swapped;
  swapped.normal_class = 7;
  swapped.anomalous_class = 2;
  const auto small = gd::algan_reference(train, test, 5, swapped);
  CHECK(small.train.size() == 4);
  CHECK(small.validation.size() == 2);
  CHECK(small.test.size() == 10);

  gd::algan_split_options bad;
  bad.anomalous_class = 0;
  CHECK_THROWS_AS(gd::algan_reference(train, test, 5, bad), gad::invalid_argument);
  bad = {};
  bad.normal_class = 11;
  CHECK_THROWS_AS(gd::algan_reference(train, test, 5, bad), gad::invalid_argument);
  bad = {};
  bad.train_fraction = 1.5;
  CHECK_THROWS_AS(gd::algan_reference(train, test, 5, bad), gad::invalid_argument);
  try {
    bad = {};
    bad.anomalous_class = 12;
    gd::algan_reference(train, test, 5, bad);
    FAIL("expected gad::invalid_argument");
  } catch (const gad::invalid_argument& e) {
    CHECK_THAT(e.what(), gad_test::contains("anomalous class 12"));
  }
}

// Full MNIST, when scripts/fetch_data.sh has been run: hidden, run with
//   ./test_data "[mnist-full]"
TEST_CASE("full MNIST gives the published split sizes", "[.][mnist-full]") {
  const char* env = std::getenv("GAD_DATA_DIR");
  const std::string root = env != nullptr ? env : std::string(GAD_TEST_DATA_DIR) + "/../../data";
  const auto train = gd::load_idx_folder(root + "/mnist", "train", 28, 28);
  const auto test = gd::load_idx_folder(root + "/mnist", "t10k", 28, 28);
  REQUIRE(train.size() == 60000);
  REQUIRE(test.size() == 10000);
  const auto s = gd::algan_reference(train, test, 1);
  CHECK(s.train.size() == 4738);
  CHECK(count(s.validation.labels, 0) == 1185);
  CHECK(count(s.validation.labels, 1) == 1349);
  CHECK(count(s.test.labels, 0) == 980);
  CHECK(count(s.test.labels, 1) == 1135);
  const auto e = gd::one_class_anomalous(gd::concat(train, test), 0, 1);
  CHECK(e.train.size() == 50477);
  CHECK(e.test.size() == 19523);
  const auto f = gd::load_idx_folder(root + "/fashion-mnist", "train", 28, 28);
  CHECK(f.size() == 60000);
}
