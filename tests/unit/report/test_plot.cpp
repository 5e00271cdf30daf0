#include <gad/core/error.hpp>
#include <gad/report/plot/canvas.hpp>
#include <gad/report/plot/charts.hpp>
#include <gad/report/plot/font.hpp>
#include <gad/report/plot/image_grid.hpp>

#include <torch/torch.h>
#include "support/catch.hpp"

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <unistd.h>

namespace fs = std::filesystem;
using gad::plot::canvas;
using gad::plot::rgb;

namespace {

// A fresh directory per test case, removed afterwards.
struct temp_dir {
  fs::path path;
  temp_dir() {
    static int counter = 0;
    path = fs::temp_directory_path() /
           ("gad_test_plot_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::uint32_t big_endian32(const std::string& s, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

struct png_size {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
};

// Checks the signature and that the first chunk is IHDR, then reads its size.
png_size check_png(const std::string& path) {
  const std::string bytes = read_bytes(path);
  REQUIRE(bytes.size() > 33);
  REQUIRE(bytes.compare(0, 8, std::string("\x89PNG\r\n\x1a\n", 8)) == 0);
  REQUIRE(big_endian32(bytes, 8) == 13);  // IHDR data length
  REQUIRE(bytes.compare(12, 4, "IHDR") == 0);
  CHECK(static_cast<unsigned char>(bytes[24]) == 8);  // bit depth
  CHECK(static_cast<unsigned char>(bytes[25]) == 2);  // colour type: RGB
  return {big_endian32(bytes, 16), big_endian32(bytes, 20)};
}

bool has_color(const canvas& c, rgb color, int tolerance = 0) {
  const auto& d = c.data();
  for (std::size_t i = 0; i < d.size(); i += 3) {
    if (std::abs(d[i] - color.r) <= tolerance && std::abs(d[i + 1] - color.g) <= tolerance &&
        std::abs(d[i + 2] - color.b) <= tolerance) {
      return true;
    }
  }
  return false;
}

void no_tmp_left(const temp_dir& dir) {
  for (const auto& entry : fs::directory_iterator(dir.path)) {
    INFO(entry.path().string());
    CHECK(entry.path().filename().string().find(".tmp") == std::string::npos);
  }
}

std::vector<double> linspace(double lo, double hi, int n) {
  std::vector<double> v(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = lo + (hi - lo) * i / (n - 1);
  return v;
}

}  // namespace

TEST_CASE("font covers the characters figures use", "[plot][font]") {
  const std::string needed =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-+:()/=%,_";
  for (char c : needed) {
    INFO("glyph '" << c << "'");
    bool inked = false;
    for (auto row : gad::plot::font::glyph(c)) inked = inked || row != 0;
    CHECK(inked);
    CHECK(gad::plot::font::glyph_width(c) >= 1);
    CHECK(gad::plot::font::glyph_width(c) <= gad::plot::font::kCellWidth);
  }
  CHECK(gad::plot::font::advance(' ') == gad::plot::font::kSpaceAdvance);
  // Tabular digits keep tick labels aligned; '.' is narrow.
  CHECK(gad::plot::font::glyph_width('1') == gad::plot::font::glyph_width('8'));
  CHECK(gad::plot::font::glyph_width('.') < gad::plot::font::glyph_width('0'));
  // Anything outside printable ASCII is drawn visibly, as '?'.
  CHECK(&gad::plot::font::glyph('\x01') == &gad::plot::font::glyph('?'));
  CHECK(&gad::plot::font::glyph(static_cast<char>(0xE9)) == &gad::plot::font::glyph('?'));
  CHECK(gad::plot::font::text_width("") == 0);
  CHECK(gad::plot::font::text_width("00", 2) == 2 * (2 * 5 + 1));
}

TEST_CASE("canvas primitives put the expected colour in the expected places", "[plot][canvas]") {
  const rgb red{255, 0, 0};
  canvas c(64, 48);
  CHECK(c.width() == 64);
  CHECK(c.height() == 48);
  CHECK(c.data().size() == 64u * 48u * 3u);
  CHECK(c.pixel(0, 0) == gad::plot::colors::white);

  SECTION("a horizontal line on a pixel row is one solid row") {
    c.draw_line(5, 10.5, 50, 10.5, red);
    for (int x = 6; x < 50; ++x) CHECK(c.pixel(x, 10) == red);
    CHECK(c.pixel(20, 9) == gad::plot::colors::white);
    CHECK(c.pixel(20, 11) == gad::plot::colors::white);
    CHECK(c.pixel(2, 10) == gad::plot::colors::white);
    CHECK(c.pixel(55, 10) == gad::plot::colors::white);
  }
  SECTION("a vertical line of width 3 covers three columns") {
    c.draw_line(20.5, 5, 20.5, 40, red, 3.0);
    for (int x = 19; x <= 21; ++x) CHECK(c.pixel(x, 20) == red);
    CHECK(c.pixel(17, 20) == gad::plot::colors::white);
    CHECK(c.pixel(23, 20) == gad::plot::colors::white);
  }
  SECTION("a diagonal line is solid on the diagonal and anti-aliased beside it") {
    c.draw_line(0, 0, 40, 40, red, 2.0);
    CHECK(c.pixel(20, 20) == red);
    const rgb side = c.pixel(23, 20);
    CHECK(side == gad::plot::colors::white);
    const rgb edge = c.pixel(21, 20);  // centre 0.71 px away from a 1 px half-width
    CHECK(edge.r == 255);
    CHECK(edge.g > 0);
    CHECK(edge.g < 255);
  }
  SECTION("lines outside the canvas or the clip draw nothing there") {
    c.draw_line(-100, -100, -10, -10, red);
    c.set_clip(0, 0, 32, 48);
    c.draw_line(0, 24.5, 64, 24.5, red);
    c.reset_clip();
    CHECK(c.pixel(10, 24) == red);
    CHECK(c.pixel(40, 24) == gad::plot::colors::white);
  }
  SECTION("a dashed line alternates dash and gap") {
    c.draw_dashed_line(0, 5.5, 64, 5.5, red, 1.0, 6, 4);
    CHECK(c.pixel(2, 5) == red);
    CHECK(c.pixel(8, 5) == gad::plot::colors::white);
    CHECK(c.pixel(12, 5) == red);
  }
  SECTION("a half-transparent rectangle blends with white") {
    c.fill_rect(10, 10, 20, 20, gad::plot::hex(0x1F77B4), 0.5);
    const rgb p = c.pixel(15, 15);
    CHECK(std::abs(p.r - (0x1F + 255 + 1) / 2) <= 1);
    CHECK(std::abs(p.g - (0x77 + 255 + 1) / 2) <= 1);
    CHECK(std::abs(p.b - (0xB4 + 255 + 1) / 2) <= 1);
    CHECK(c.pixel(9, 15) == gad::plot::colors::white);
    CHECK(c.pixel(20, 15) == gad::plot::colors::white);
  }
  SECTION("a fractional rectangle edge gets partial coverage") {
    c.fill_rect(10, 10, 12.5, 20, gad::plot::colors::black);
    CHECK(c.pixel(11, 15) == gad::plot::colors::black);
    CHECK(c.pixel(12, 15).r > 100);
    CHECK(c.pixel(12, 15).r < 155);
  }
  SECTION("a circle is filled in the middle and empty outside its radius") {
    c.fill_circle(30, 30, 5, red);
    CHECK(c.pixel(30, 30) == red);
    CHECK(c.pixel(29, 29) == red);
    CHECK(c.pixel(30, 37) == gad::plot::colors::white);
  }
  SECTION("text lands inside its box") {
    c.draw_text(10, 10, "H", gad::plot::colors::black);
    // 'H' has its left stem in the first column, on every row of the cap height.
    for (int y = 10; y < 17; ++y) CHECK(c.pixel(10, y) == gad::plot::colors::black);
    CHECK(c.pixel(12, 10) == gad::plot::colors::white);
    CHECK(c.pixel(12, 13) == gad::plot::colors::black);  // crossbar
    CHECK(c.pixel(10, 18) == gad::plot::colors::white);
    canvas v(64, 48);
    v.draw_text_vertical(32, 24, "HHHH", gad::plot::colors::black);
    // Reading upwards, the text is taller than it is wide.
    int min_x = 64, max_x = -1, min_y = 48, max_y = -1;
    for (int y = 0; y < 48; ++y) {
      for (int x = 0; x < 64; ++x) {
        if (v.pixel(x, y) != gad::plot::colors::white) {
          min_x = std::min(min_x, x);
          max_x = std::max(max_x, x);
          min_y = std::min(min_y, y);
          max_y = std::max(max_y, y);
        }
      }
    }
    CHECK(max_y - min_y + 1 == gad::plot::font::text_width("HHHH"));
    CHECK(max_x - min_x + 1 == gad::plot::font::kCapHeight);
  }
  CHECK_THROWS_AS(c.pixel(64, 0), gad::invalid_argument);
  CHECK_THROWS_AS(canvas(0, 10), gad::invalid_argument);
  CHECK_THROWS_AS(canvas(10, -1), gad::invalid_argument);
  CHECK_THROWS_AS(canvas(canvas::kMaxSide + 1, 1), gad::invalid_argument);
}

TEST_CASE("canvas writes a valid PNG atomically", "[plot][png]") {
  temp_dir dir;
  canvas c(37, 23);
  c.fill_rect(0, 0, 10, 10, rgb{10, 20, 30});
  const std::string path = dir.file("small.png");
  c.write_png(path);
  const png_size size = check_png(path);
  CHECK(size.width == 37);
  CHECK(size.height == 23);
  no_tmp_left(dir);

  SECTION("an existing file is replaced") {
    canvas(5, 7).write_png(path);
    const png_size again = check_png(path);
    CHECK(again.width == 5);
    CHECK(again.height == 7);
    no_tmp_left(dir);
  }
  SECTION("an unwritable path throws and names the path") {
    const std::string bad = dir.file("no_such_dir/x.png");
    try {
      c.write_png(bad);
      FAIL("expected gad::invalid_argument");
    } catch (const gad::invalid_argument& e) {
      CHECK_THAT(e.what(), gad_test::contains(bad));
    }
    CHECK_FALSE(fs::exists(dir.file("no_such_dir")));
    CHECK_THROWS_AS(c.write_png(""), gad::invalid_argument);
  }
  SECTION("a path that is a directory throws, and no .tmp is left behind") {
    const std::string target = dir.file("a_directory");
    fs::create_directories(fs::path(target) / "child");
    CHECK_THROWS_AS(c.write_png(target), gad::invalid_argument);
    no_tmp_left(dir);
  }
}

TEST_CASE("tick steps and labels are matplotlib-like", "[plot][ticks]") {
  using gad::plot::detail::format_tick;
  using gad::plot::detail::tick_step;
  CHECK(tick_step({-0.02, 1.02}, 6) == Approx(0.2));
  CHECK(tick_step({0, 100}, 5) == Approx(20));
  CHECK(format_tick(0.4, 0.2) == "0.4");
  CHECK(format_tick(0.25, 0.25) == "0.25");
  CHECK(format_tick(20, 20) == "20");
  CHECK(format_tick(1e7, 1e6) == "1e+07");
  const auto t = gad::plot::detail::ticks({-0.02, 1.02}, 0.2);
  REQUIRE(t.size() == 6);
  CHECK(t.front() == 0.0);
  CHECK(t.back() == Approx(1.0));
}

TEST_CASE("roc_png writes a ROC figure", "[plot][roc]") {
  temp_dir dir;
  std::vector<double> fpr{0.0, 0.0, 0.05, 0.1, 0.3, 0.6, 1.0};
  std::vector<double> tpr{0.0, 0.5, 0.8, 0.9, 0.97, 0.99, 1.0};
  const std::string path = dir.file("roc.png");
  gad::plot::roc_png(path, fpr, tpr, 0.9512, "ROC of a test");
  const png_size size = check_png(path);
  CHECK(size.width == 640);
  CHECK(size.height == 480);
  no_tmp_left(dir);

  const canvas c = gad::plot::roc_chart(fpr, tpr, 0.9512);
  CHECK(has_color(c, gad::plot::kTab10[0]));  // the curve
  CHECK(has_color(c, gad::plot::colors::grid));
  CHECK(has_color(c, gad::plot::colors::text));

  const auto throws = [&](const std::vector<double>& f, const std::vector<double>& t,
                          double auroc) {
    CHECK_THROWS_AS(gad::plot::roc_png(dir.file("bad.png"), f, t, auroc), gad::invalid_argument);
  };
  throws({}, {}, 0.5);
  throws({0, 1}, {0, 0.5, 1}, 0.5);
  throws({0, NAN}, {0, 1}, 0.5);
  throws({0, 1}, {0, INFINITY}, 0.5);
  throws({0, 1.5}, {0, 1}, 0.5);
  throws({0, 1}, {0, 1}, 1.5);
  throws({0, 1}, {0, 1}, NAN);
  CHECK_FALSE(fs::exists(dir.file("bad.png")));
  // Many thresholds are fine: markers are thinned, not piled up.
  const auto many = linspace(0, 1, 5000);
  std::vector<double> curve(many.size());
  for (std::size_t i = 0; i < many.size(); ++i) curve[i] = std::sqrt(many[i]);
  CHECK_NOTHROW(gad::plot::roc_chart(many, curve, 0.667));
  try {
    gad::plot::roc_png(dir.file("missing/roc.png"), fpr, tpr, 0.5);
    FAIL("expected gad::invalid_argument");
  } catch (const gad::invalid_argument& e) {
    CHECK_THAT(e.what(), gad_test::contains(dir.file("missing/roc.png")));
  }
}

TEST_CASE("histogram_png writes overlaid histograms", "[plot][histogram]") {
  temp_dir dir;
  std::vector<double> normal, anomalous;
  for (int i = 0; i < 200; ++i) normal.push_back(std::sin(i * 0.37) * 0.5);
  for (int i = 0; i < 40; ++i) anomalous.push_back(1.0 + std::cos(i * 0.91) * 0.4);
  const std::string path = dir.file("hist.png");
  gad::plot::histogram_png(path, normal, anomalous, 25, "Scores");
  const png_size size = check_png(path);
  CHECK(size.width == 640);
  CHECK(size.height == 480);
  no_tmp_left(dir);

  const canvas c = gad::plot::histogram_chart(normal, anomalous);
  // Half-transparent tab:blue and tab:orange over white.
  CHECK(has_color(c, rgb{143, 187, 218}, 2));
  CHECK(has_color(c, rgb{255, 191, 135}, 2));
  // A constant sample still gets an axis.
  CHECK_NOTHROW(gad::plot::histogram_chart({1.0, 1.0}, {1.0}, 5));

  const std::string bad = dir.file("bad.png");
  CHECK_THROWS_AS(gad::plot::histogram_png(bad, {}, anomalous), gad::invalid_argument);
  CHECK_THROWS_AS(gad::plot::histogram_png(bad, normal, {}), gad::invalid_argument);
  CHECK_THROWS_AS(gad::plot::histogram_png(bad, {0.0, NAN}, anomalous), gad::invalid_argument);
  CHECK_THROWS_AS(gad::plot::histogram_png(bad, normal, {-INFINITY}), gad::invalid_argument);
  CHECK_THROWS_AS(gad::plot::histogram_png(bad, normal, anomalous, 0), gad::invalid_argument);
  CHECK_THROWS_AS(gad::plot::histogram_png(bad, normal, anomalous, 100000), gad::invalid_argument);
  CHECK_FALSE(fs::exists(bad));
}

TEST_CASE("line_png writes a multi-series line chart", "[plot][line]") {
  temp_dir dir;
  const auto x = linspace(0, 50, 51);
  gad::plot::series g{"generator", x, {}}, d{"discriminator", x, {}};
  for (double v : x) {
    g.y.push_back(2.0 * std::exp(-v / 10) + 0.7);
    d.y.push_back(0.69 + 0.1 * std::sin(v / 3));
  }
  const std::string path = dir.file("loss.png");
  gad::plot::line_png(path, {g, d}, "Losses", "Epoch", "Loss");
  const png_size size = check_png(path);
  CHECK(size.width == 640);
  CHECK(size.height == 480);
  no_tmp_left(dir);

  const canvas c = gad::plot::line_chart({g, d}, "Losses", "Epoch", "Loss");
  CHECK(has_color(c, gad::plot::kTab10[0]));
  CHECK(has_color(c, gad::plot::kTab10[1]));
  CHECK_FALSE(has_color(c, gad::plot::kTab10[2]));
  CHECK_NOTHROW(gad::plot::line_chart({{"one point", {1.0}, {2.0}}}, "", "", ""));
  CHECK_NOTHROW(gad::plot::line_chart({{"", {0.0, 1.0}, {3.0, 3.0}}}, "flat", "x", "y"));

  const std::string bad = dir.file("bad.png");
  CHECK_THROWS_AS(gad::plot::line_png(bad, {}, "t", "x", "y"), gad::invalid_argument);
  CHECK_THROWS_AS(gad::plot::line_png(bad, {{"empty", {}, {}}}, "t", "x", "y"),
                  gad::invalid_argument);
  CHECK_THROWS_AS(gad::plot::line_png(bad, {{"short", {0, 1}, {0}}}, "t", "x", "y"),
                  gad::invalid_argument);
  CHECK_THROWS_AS(gad::plot::line_png(bad, {g, {"nan", {0, 1}, {0, NAN}}}, "t", "x", "y"),
                  gad::invalid_argument);
  CHECK_FALSE(fs::exists(bad));
}

TEST_CASE("image_grid_png lays images out like make_grid", "[plot][grid]") {
  temp_dir dir;
  torch::manual_seed(0);

  SECTION("16 digits of 28x28, 8 per row, padding 4") {
    const auto images = torch::rand({16, 1, 28, 28}) * 2 - 1;
    const std::string path = dir.file("grid.png");
    gad::plot::image_grid_png(path, images, 8);
    const png_size size = check_png(path);
    CHECK(size.width == 8 * 28 + 9 * 4);   // 260
    CHECK(size.height == 2 * 28 + 3 * 4);  // 68
    no_tmp_left(dir);

    gad::plot::image_grid_png(path, images, 8, 4, -1, 1, /*scale=*/2);
    const png_size scaled = check_png(path);
    CHECK(scaled.width == 520);
    CHECK(scaled.height == 136);
  }
  SECTION("values map lo..hi to 0..255 and padding is white") {
    auto images = torch::full({3, 1, 2, 2}, -1.0);
    images[1].fill_(1.0);
    images[2].fill_(0.0);
    images[2][0][0][0] = 5.0;  // clamped
    const canvas c = gad::plot::image_grid(images, 2, 1);
    CHECK(c.width() == 2 * 2 + 3);
    CHECK(c.height() == 2 * 2 + 3);
    CHECK(c.pixel(0, 0) == gad::plot::colors::white);
    CHECK(c.pixel(1, 1) == rgb{0, 0, 0});
    CHECK(c.pixel(4, 1) == rgb{255, 255, 255});
    CHECK(c.pixel(2, 4) == rgb{128, 128, 128});
    CHECK(c.pixel(1, 4) == rgb{255, 255, 255});
    // The missing fourth slot is padding colour.
    CHECK(c.pixel(5, 5) == gad::plot::colors::white);
  }
  SECTION("colour images keep their channels; scale repeats pixels") {
    auto images = torch::zeros({1, 3, 1, 1});
    images[0][0][0][0] = 1.0;  // red in [0, 1]
    const canvas c = gad::plot::image_grid(images, 4, 0, 0.0, 1.0, 3);
    CHECK(c.width() == 3);
    CHECK(c.height() == 3);
    for (int y = 0; y < 3; ++y) {
      for (int x = 0; x < 3; ++x) CHECK(c.pixel(x, y) == rgb{255, 0, 0});
    }
    // uint8 images with their own range.
    const auto bytes = torch::full({2, 1, 3, 3}, 200, torch::kUInt8);
    const canvas b = gad::plot::image_grid(bytes, 2, 0, 0, 255);
    CHECK(b.pixel(4, 1) == rgb{200, 200, 200});
  }
  SECTION("bad input is rejected") {
    const std::string bad = dir.file("bad.png");
    const auto ok = torch::zeros({4, 1, 8, 8});
    CHECK_THROWS_AS(gad::plot::image_grid_png(bad, torch::Tensor(), 2), gad::invalid_argument);
    CHECK_THROWS_AS(gad::plot::image_grid_png(bad, torch::zeros({4, 8, 8}), 2),
                    gad::invalid_argument);
    CHECK_THROWS_AS(gad::plot::image_grid_png(bad, torch::zeros({4, 2, 8, 8}), 2),
                    gad::invalid_argument);
    CHECK_THROWS_AS(gad::plot::image_grid_png(bad, torch::zeros({0, 1, 8, 8}), 2),
                    gad::invalid_argument);
    CHECK_THROWS_AS(gad::plot::image_grid_png(bad, ok, 0), gad::invalid_argument);
    CHECK_THROWS_AS(gad::plot::image_grid_png(bad, ok, 2, -1), gad::invalid_argument);
    CHECK_THROWS_AS(gad::plot::image_grid_png(bad, ok, 2, 4, 1, 1), gad::invalid_argument);
    CHECK_THROWS_AS(gad::plot::image_grid_png(bad, ok, 2, 4, -1, 1, 0), gad::invalid_argument);
    CHECK_THROWS_AS(gad::plot::image_grid_png(bad, ok, 2, 4, -1, 1, 100000), gad::invalid_argument);
    auto with_nan = ok.clone();
    with_nan[1][0][3][3] = NAN;
    CHECK_THROWS_AS(gad::plot::image_grid_png(bad, with_nan, 2), gad::invalid_argument);
    CHECK_FALSE(fs::exists(bad));
    try {
      gad::plot::image_grid_png(dir.file("nope/grid.png"), ok, 2);
      FAIL("expected gad::invalid_argument");
    } catch (const gad::invalid_argument& e) {
      CHECK_THAT(e.what(), gad_test::contains(dir.file("nope/grid.png")));
    }
  }
}
