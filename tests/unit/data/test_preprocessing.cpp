// The preprocessing a detector records travels with its model file: image size and channels,
// or a table's columns and standardization, so new data is read the way training data was.
#include <gad/algan.hpp>
#include <gad/data/csv_table.hpp>
#include <gad/data/image_folder.hpp>
#include <gad/io/checkpoint.hpp>

#include "support/fixture.hpp"
#include "support/message_of.hpp"

#include <torch/types.h>
#include "support/catch.hpp"

#include <sstream>
#include <string>

using gad_test::message_of;

namespace {
gad::algan_options tiny() {
  gad::algan_options o;
  o.z_dim = 4;
  o.generator_hidden = {8, 8};
  o.discriminator_hidden = {8, 8};
  o.runtime = gad::runtime_options{1, 1, "cpu"};
  return o;
}
}  // namespace

TEST_CASE("a detector saves and loads the preprocessing it was given", "[data][preprocessing]") {
  gad_test::temp_dir dir;
  std::istringstream text("x,y,label\n1,10,0\n3,10,0\n5,10,1\n");
  const gad::data::csv_options read;
  const gad::data::table t = gad::data::read_csv(text, "t.csv", read);
  const auto z = gad::data::standardizer::fit(t.rows.images.slice(0, 0, 2));

  gad::algan<> d(tiny());
  CHECK_FALSE(d.preprocessing().recorded());
  d.save(dir / "plain.gad");
  d.set_preprocessing(gad::data::record(read, t, z));
  d.save(dir / "table.gad");

  const auto loaded = gad::load_detector<gad::algan<>>(dir / "table.gad");
  const gad::data::preprocessing& p = loaded.preprocessing();
  CHECK(p.source == "csv");
  CHECK(p.features == std::vector<std::string>{"x", "y"});
  CHECK(p.mean == std::vector<double>{2.0, 10.0});
  CHECK(p.scale == std::vector<double>{1.0, 1.0});  // y is constant: centred, not scaled
  CHECK(gad::data::table_options(p).label_column == "label");
  CHECK_FALSE(p.clip);
  d.set_preprocessing(gad::data::record(read, t, gad::data::standardizer::fit_range(t.rows.images)));
  d.save(dir / "clipped.gad");
  CHECK(gad::load_detector<gad::algan<>>(dir / "clipped.gad").preprocessing().clip);
  // New rows are standardized with the training statistics, not their own.
  CHECK(gad::data::standardize(p, t).equal(
      torch::tensor({{-1.0F, 0.0F}, {1.0F, 0.0F}, {3.0F, 0.0F}})));
  gad::data::table renamed = t;
  renamed.feature_names = {"x", "z"};
  CHECK_THAT(message_of<gad::data_error>([&] { gad::data::standardize(p, renamed); }),
             gad_test::contains("feature columns differ") && gad_test::contains("x, y"));
  CHECK_THROWS_AS(gad::data::image_options(p), gad::invalid_argument);

  gad::algan<> images(tiny());
  gad::data::image_folder_options folder;
  folder.size = 32;
  folder.channels = 3;
  folder.normal = "ok";
  images.set_preprocessing(gad::data::record(folder));
  images.save(dir / "images.gad");
  gad::algan<> again(tiny());
  again.load(dir / "images.gad");
  const auto o = gad::data::image_options(again.preprocessing());
  CHECK(o.size == 32);
  CHECK(o.channels == 3);
  CHECK(o.normal == "ok");

  // A model saved without a record (every file written before records existed) has none, and
  // loading it clears the record a detector held.
  again.load(dir / "plain.gad");
  CHECK_FALSE(again.preprocessing().recorded());
}

TEST_CASE("an inconsistent preprocessing record is a checkpoint_error", "[data][preprocessing]") {
  gad_test::temp_dir dir;
  gad::algan<> d(tiny());
  gad::data::preprocessing bad;
  bad.source = "csv";
  bad.features = {"a", "b"};
  bad.mean = {0.0};  // one mean for two columns
  bad.scale = {1.0, 1.0};
  d.set_preprocessing(bad);
  d.save(dir / "bad.gad");
  gad::algan<> e(tiny());
  CHECK_THAT(message_of<gad::checkpoint_error>([&] { e.load(dir / "bad.gad"); }),
             gad_test::contains("preprocessing is inconsistent"));
}
