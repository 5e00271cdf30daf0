// Image folders in the MVTec-AD layout: PNG, JPEG and BMP files written on the fly, decoded,
// converted, resized, scaled to [-1, 1] and labelled from their folders; and every bad input
// (a missing folder, an empty class, an undecodable file) rejected with the file named.
#include <gad/data/image_folder.hpp>
#include <gad/report/plot/canvas.hpp>  // stb_image_write, to make the files

#include "support/fixture.hpp"
#include "support/message_of.hpp"

#include <torch/types.h>
#include "support/catch.hpp"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using gad_test::message_of;

namespace {

// A w x h image of `channels` bytes per pixel, every byte `value` (or a gradient when < 0).
std::vector<unsigned char> pixels(int w, int h, int channels, int value) {
  std::vector<unsigned char> p(static_cast<std::size_t>(w * h * channels));
  for (std::size_t i = 0; i < p.size(); ++i) {
    p[i] = static_cast<unsigned char>(value >= 0 ? value : static_cast<int>(i % 256));
  }
  return p;
}

void png(const fs::path& path, int w, int h, int channels, int value) {
  fs::create_directories(path.parent_path());
  const auto p = pixels(w, h, channels, value);
  REQUIRE(stbi_write_png(path.c_str(), w, h, channels, p.data(), w * channels) != 0);
}

// train/good: 3 images (one of another size), test/good: 2, test/crack: 1 BMP and 1 JPEG.
void mvtec_like(const fs::path& root) {
  png(root / "train/good/000.png", 8, 8, 1, 255);
  png(root / "train/good/001.png", 8, 8, 3, 0);
  png(root / "train/good/002.png", 16, 12, 1, 51);  // resized
  png(root / "test/good/a.png", 8, 8, 1, 255);
  png(root / "test/good/b.png", 8, 8, 1, 0);
  fs::create_directories(root / "test/crack");
  const auto p = pixels(8, 8, 3, 128);
  REQUIRE(stbi_write_bmp((root / "test/crack/x.BMP").c_str(), 8, 8, 3, p.data()) != 0);
  // A committed JPEG (8x8, every byte 128, written by stb_image_write): its JPEG encoder trips
  // UndefinedBehaviorSanitizer, so the test does not run it.
  fs::copy_file(fs::path(GAD_TEST_DATA_DIR) / "images" / "gray128-8x8.jpg",
                root / "test/crack/y.jpg");
  std::ofstream(root / "test/crack/notes.txt") << "not an image";  // ignored: not an image name
}

}  // namespace

TEST_CASE("an MVTec-like folder reads into labelled, scaled, resized tensors", "[data][images]") {
  gad_test::temp_dir dir;
  mvtec_like(dir.path());
  gad::data::image_folder_options o;
  o.size = 8;
  const gad::data::image_folder f = gad::data::read_image_folder(dir.path(), o);

  REQUIRE(f.train.images.sizes() == torch::IntArrayRef({3, 1, 8, 8}));
  CHECK(f.train.labels.eq(0).all().item<bool>());
  // 255 -> 1, 0 -> -1, and a uniform 51 stays 51 (-0.6) through the area resize.
  CHECK(f.train.images[0].eq(1.0).all().item<bool>());
  CHECK(f.train.images[1].eq(-1.0).all().item<bool>());
  CHECK(f.train.images[2].sub(51 / 127.5 - 1).abs().max().item<double>() < 1e-5);
  CHECK(f.resized == 1);

  CHECK(f.class_names == std::vector<std::string>{"crack", "good"});
  REQUIRE(f.test.images.sizes() == torch::IntArrayRef({4, 1, 8, 8}));
  CHECK(f.test.labels.equal(torch::tensor({1, 1, 0, 0}, torch::kLong)));
  CHECK(f.test.classes.equal(torch::tensor({0, 0, 1, 1}, torch::kLong)));
  REQUIRE(f.test_files.size() == 4);
  CHECK(f.test_files[0].filename() == "x.BMP");  // byte order: upper case first
  CHECK(f.test_files[1].filename() == "y.jpg");
  CHECK(f.test.images.min().item<float>() >= -1.0F);
  CHECK(f.test.images.max().item<float>() <= 1.0F);
  CHECK(f.skipped.empty());

  SECTION("three channels, another size, and the same numbers on a second read") {
    o.channels = 3;
    o.size = 4;
    const auto rgb = gad::data::read_image_folder(dir.path(), o);
    CHECK(rgb.train.images.sizes() == torch::IntArrayRef({3, 3, 4, 4}));
    CHECK(rgb.resized == 7);
    CHECK(gad_test::identical(rgb.test.images,
                              gad::data::read_image_folder(dir.path(), o).test.images));
  }
  SECTION("a named normal class") {
    fs::rename(dir / "train/good", dir / "train/ok");
    fs::rename(dir / "test/good", dir / "test/ok");
    o.normal = "ok";
    const auto named = gad::data::read_image_folder(dir.path(), o);
    CHECK(named.test.labels.equal(torch::tensor({1, 1, 0, 0}, torch::kLong)));
  }
  SECTION("no test folder: training images only") {
    fs::remove_all(dir / "test");
    CHECK(gad::data::read_image_folder(dir.path(), o).test.empty());
  }
}

TEST_CASE("bad image folders are refused with what is wrong and where", "[data][images][errors]") {
  gad_test::temp_dir dir;
  mvtec_like(dir.path());
  gad::data::image_folder_options o;
  o.size = 8;
  CHECK_THAT(message_of<gad::data_error>([&] { gad::data::read_image_folder(dir / "nope", o); }),
             gad_test::contains("nope") && gad_test::contains("does not exist"));
  CHECK_THAT(message_of<gad::data_error>([&] {
               auto other = o;
               other.normal = "fine";
               gad::data::read_image_folder(dir.path(), other);
             }),
             gad_test::contains("train/fine") && gad_test::contains("expected layout"));

  // A corrupt file: named, with the decoder's reason; or skipped and counted.
  std::ofstream(dir / "test/crack/z.png") << "not a png at all";
  CHECK_THAT(message_of<gad::data_error>([&] { gad::data::read_image_folder(dir.path(), o); }),
             gad_test::contains("z.png") && gad_test::contains("skip"));
  o.skip_unreadable = true;
  const auto skipping = gad::data::read_image_folder(dir.path(), o);
  REQUIRE(skipping.skipped.size() == 1);
  CHECK(skipping.skipped[0].filename() == "z.png");
  CHECK(skipping.test.size() == 4);
  CHECK(skipping.test_files.size() == 4);

  // An empty class folder.
  fs::create_directories(dir / "test/hole");
  CHECK_THAT(message_of<gad::data_error>([&] { gad::data::read_image_folder(dir.path(), o); }),
             gad_test::contains("hole") && gad_test::contains("holds no"));

  CHECK_THROWS_AS(gad::data::read_image_folder(dir.path(),
                                               [] {
                                                 gad::data::image_folder_options bad;
                                                 bad.channels = 2;
                                                 return bad;
                                               }()),
                  gad::invalid_argument);
}
