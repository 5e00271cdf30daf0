// Numeric CSV tables: features and labels, the seeded split into training normals and a test
// set, standardization fitted on the training rows only, and every malformed input rejected
// with its row and column.
#include <gad/data/csv_table.hpp>

#include "support/fixture.hpp"
#include "support/message_of.hpp"

#include <torch/types.h>
#include "support/catch.hpp"

#include <cmath>
#include <sstream>
#include <string>

using gad_test::message_of;

namespace {
gad::data::table parse(const std::string& text, gad::data::csv_options o = {}) {
  std::istringstream in(text);
  return gad::data::read_csv(in, "t.csv", o);
}
std::string error_of(const std::string& text, gad::data::csv_options o = {}) {
  return message_of<gad::data_error>([&] { parse(text, o); });
}
}  // namespace

TEST_CASE("a CSV table reads into features and anomaly labels", "[data][csv]") {
  const auto t = parse("a, label ,\"b, quoted\"\n1,0,2\n\n-3.5e1,1,\"4\"\r\n5,0,6\n");
  CHECK(t.feature_names == std::vector<std::string>{"a", "b, quoted"});
  REQUIRE(t.rows.images.sizes() == torch::IntArrayRef({3, 2}));
  CHECK(t.rows.images.equal(torch::tensor({{1.0F, 2.0F}, {-35.0F, 4.0F}, {5.0F, 6.0F}})));
  CHECK(t.rows.labels.equal(torch::tensor({0, 1, 0}, torch::kLong)));

  gad::data::csv_options o;
  o.label_column = "class";
  o.normal_value = "ok";
  o.anomalous_value = "attack";
  o.separator = ';';
  const auto named = parse("x;class\n1;ok\n2;attack\n", o);
  CHECK(named.rows.labels.equal(torch::tensor({0, 1}, torch::kLong)));
}

TEST_CASE("malformed CSV input names the row and the column", "[data][csv][errors]") {
  CHECK_THAT(error_of(""), gad_test::contains("empty"));
  CHECK_THAT(error_of("a,b\n1,2\n"),
             gad_test::contains("no label column 'label'") && gad_test::contains("a, b"));
  CHECK_THAT(error_of("a,label\n"), gad_test::contains("no rows"));
  CHECK_THAT(error_of("a,label\n1,0\nx1,0\n"),
             gad_test::contains("row 3") && gad_test::contains("column 'a'") &&
                 gad_test::contains("'x1' is not a finite number"));
  CHECK_THAT(error_of("a,label\n,0\n"), gad_test::contains("row 2"));
  CHECK_THAT(error_of("a,label\nnan,0\n"), gad_test::contains("not a finite number"));
  CHECK_THAT(error_of("a,label\n1e999,0\n"), gad_test::contains("not a finite number"));
  CHECK_THAT(error_of("a,label\n1,0,3\n"), gad_test::contains("row 2 has 3 cells, the header 2"));
  CHECK_THAT(error_of("a,label\n1,2\n"),
             gad_test::contains("label '2' is neither") && gad_test::contains("row 2"));
  CHECK_THAT(error_of("a,label\n\"1,0\n"), gad_test::contains("unbalanced quotes"));
  CHECK_THAT(error_of("label\n0\n"), gad_test::contains("no feature column"));
  CHECK_THAT(message_of<gad::data_error>(
                 [] { gad::data::read_csv(std::filesystem::path("/no/such.csv")); }),
             gad_test::contains("/no/such.csv"));
}

TEST_CASE("a table splits into training normals and a test set, standardized on the training rows",
          "[data][csv]") {
  std::string text = "f,g,label\n";
  for (int i = 0; i < 20; ++i) text += std::to_string(i) + ",7," + (i % 5 == 4 ? "1" : "0") + "\n";
  const auto t = parse(text);
  const auto s = gad::data::split_table(t, 0.75, 42);
  CHECK(s.train.size() == 12);  // 16 normal rows
  CHECK(s.train.labels.eq(0).all().item<bool>());
  CHECK(s.test.size() == 8);  // 4 normal + 4 anomalous
  CHECK(s.test.labels.sum().item<std::int64_t>() == 4);
  // Seeded: the same seed, the same cut; another seed, another one.
  CHECK(gad::data::split_table(t, 0.75, 42).train.images.equal(s.train.images));
  CHECK_FALSE(gad::data::split_table(t, 0.75, 43).train.images.equal(s.train.images));

  const auto z = gad::data::standardizer::fit(s.train.images);
  const torch::Tensor train = z(s.train.images);
  CHECK(train.select(1, 0).mean().abs().item<double>() < 1e-5);
  CHECK(std::abs(train.select(1, 0).std(false).item<double>() - 1.0) < 1e-5);
  CHECK(train.select(1, 1).eq(0).all().item<bool>());  // constant column: centred, not scaled
  CHECK_THROWS_AS(z(torch::zeros({2, 3})), gad::invalid_argument);
  CHECK_THROWS_AS(gad::data::split_table(t, 1.0, 1), gad::invalid_argument);
}

TEST_CASE("rows to score may come without the label column", "[data][csv]") {
  gad::data::csv_options o;
  CHECK_THAT(error_of("a,b\n1,2\n", o), gad_test::contains("no label column 'label'"));
  o.label_optional = true;
  const auto t = parse("a,b\n1,2\n3,4\n", o);
  CHECK(t.feature_names == std::vector<std::string>{"a", "b"});
  CHECK(t.rows.size() == 2);
  CHECK_FALSE(t.rows.labels.defined());
  // A label column that is there is still read and checked.
  const auto labelled = parse("a,label\n1,0\n2,1\n", o);
  CHECK(labelled.rows.labels.equal(torch::tensor({0, 1}, torch::kLong)));
  CHECK_THAT(error_of("a,label\n1,2\n", o), gad_test::contains("neither the normal value"));
  CHECK_THAT(error_of("a,b\n", o), gad_test::contains("no rows"));
}

TEST_CASE("a range scaling maps the training rows onto [-1, 1] and clips the others",
          "[data][csv]") {
  const torch::Tensor train = torch::tensor({{0.0F, 5.0F}, {10.0F, 5.0F}, {4.0F, 5.0F}});
  const auto z = gad::data::standardizer::fit_range(train);
  CHECK(z.clip);
  CHECK(z(train).equal(torch::tensor({{-1.0F, 0.0F}, {1.0F, 0.0F}, {-0.2F, 0.0F}})));
  // Rows beyond the training range stay inside what a tanh generator can produce.
  CHECK(z(torch::tensor({{20.0F, 6.0F}, {-5.0F, 4.0F}}))
            .equal(torch::tensor({{1.0F, 1.0F}, {-1.0F, -1.0F}})));
  // The record keeps the clipping, so rows scored later are treated the same way.
  gad::data::table t;
  t.feature_names = {"x", "y"};
  t.rows.images = torch::tensor({{20.0F, 6.0F}});
  const gad::data::preprocessing p = gad::data::record({}, t, z);
  CHECK(p.clip);
  CHECK(gad::data::standardize(p, t).equal(torch::tensor({{1.0F, 1.0F}})));
}
