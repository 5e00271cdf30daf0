// IDX reading: the real-MNIST fixture in gzipped and raw form, and every kind of malformed file
// (made on the fly in a scratch folder), each of which must raise gad::data_error naming the file.
#include <gad/data/dataset.hpp>
#include <gad/data/idx.hpp>

#include <torch/types.h>

#include "data_test_util.hpp"

#include <cstdint>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

using namespace gad_test;
namespace gd = gad::data;

namespace {

const std::string kTrainImages = "train-images-idx3-ubyte";
const std::string kTrainLabels = "train-labels-idx1-ubyte";
const std::string kTestImages = "t10k-images-idx3-ubyte";
const std::string kTestLabels = "t10k-labels-idx1-ubyte";

std::istringstream in_memory(const bytes& b) {
  return std::istringstream(std::string(b.begin(), b.end()));
}

// A stream that cannot seek, like a pipe: the reader cannot measure it before reading.
class forward_only : public std::streambuf {
 public:
  explicit forward_only(const bytes& b) : data_(b.begin(), b.end()) {
    setg(data_.data(), data_.data(), data_.data() + data_.size());
  }

 private:
  std::string data_;
};

std::vector<std::int64_t> digit_counts(const torch::Tensor& labels) {
  const auto counts = torch::bincount(labels, {}, 10);
  return std::vector<std::int64_t>(counts.data_ptr<std::int64_t>(),
                                   counts.data_ptr<std::int64_t>() + counts.numel());
}

}  // namespace

TEST_CASE("fixture reads with the expected counts, digits and pixels", "[data][idx]") {
  const auto images = gd::read_idx_images(fixture(kTrainImages + ".gz"));
  const auto labels = gd::read_idx_labels(fixture(kTrainLabels + ".gz"));
  REQUIRE(images.scalar_type() == torch::kUInt8);
  REQUIRE(images.sizes() == torch::IntArrayRef({200, 1, 28, 28}));
  REQUIRE(labels.scalar_type() == torch::kInt64);
  REQUIRE(labels.sizes() == torch::IntArrayRef({200}));
  // The selection rule of scripts/make_fixture.py: 80 zeros, 80 ones, 5 of every other digit.
  CHECK(digit_counts(labels) == std::vector<std::int64_t>{80, 80, 5, 5, 5, 5, 5, 5, 5, 5});
  // MNIST's famous first training digits, and pixel checksums computed with Python.
  const auto first = labels.slice(0, 0, 6);
  CHECK(first.equal(torch::tensor({5, 0, 4, 1, 9, 2}, torch::kInt64)));
  CHECK(images.sum().item<std::int64_t>() == 5083688);
  CHECK(images[0].sum().item<std::int64_t>() == 27525);
  CHECK(images[5].sum().item<std::int64_t>() == 29601);
  CHECK(images[0][0][14][13].item<std::int64_t>() == 81);

  const auto test =
      gd::load_idx(fixture(kTestImages + ".gz"), fixture(kTestLabels + ".gz"), 28, 28);
  REQUIRE(test.size() == 100);
  CHECK(digit_counts(test.labels) == std::vector<std::int64_t>{30, 30, 5, 5, 5, 5, 5, 5, 5, 5});
  CHECK(test.images.scalar_type() == torch::kFloat32);
  CHECK(test.images.min().item<float>() == 0.0F);
  CHECK(test.images.max().item<float>() == 1.0F);
  CHECK(test.images.sum().item<double>() == Approx(2364184.0 / 255.0).epsilon(1e-5));
  CHECK_FALSE(test.classes.defined());

  const auto folder =
      gd::load_idx_folder(std::string(GAD_TEST_DATA_DIR) + "/mnist-fixture", "train");
  CHECK(folder.size() == 200);
  CHECK(folder.images.equal(gd::to_unit_range(images)));
}

TEST_CASE("raw, renamed and multi-member files read the same as the gzipped fixture",
          "[data][idx]") {
  scratch_dir dir;
  const auto gz_images = gd::read_idx_images(fixture(kTrainImages + ".gz"));
  const auto gz_labels = gd::read_idx_labels(fixture(kTrainLabels + ".gz"));
  const bytes raw_images = gunzip_file(fixture(kTrainImages + ".gz"));
  const bytes raw_labels = gunzip_file(fixture(kTrainLabels + ".gz"));

  SECTION("raw files") {
    const auto ip = write_file(dir.file(kTrainImages), raw_images);
    const auto lp = write_file(dir.file(kTrainLabels), raw_labels);
    CHECK(gd::read_idx_images(ip).equal(gz_images));
    CHECK(gd::read_idx_labels(lp).equal(gz_labels));
    // load_idx_folder falls back to the uncompressed names.
    CHECK(gd::load_idx_folder(dir.file(""), "train").labels.equal(gz_labels));
  }
  SECTION("compression is detected from content, not from the name") {
    const auto raw_named_gz = write_file(dir.file("raw.gz"), raw_images);
    const auto gz_named_raw = write_file(dir.file("data.bin"), gzip(raw_images));
    CHECK(gd::read_idx_images(raw_named_gz).equal(gz_images));
    CHECK(gd::read_idx_images(gz_named_raw).equal(gz_images));
  }
  SECTION("concatenated gzip members form one stream") {
    const bytes head(raw_images.begin(), raw_images.begin() + 1000);
    const bytes tail(raw_images.begin() + 1000, raw_images.end());
    bytes two = gzip(head);
    const bytes second = gzip(tail);
    two.insert(two.end(), second.begin(), second.end());
    CHECK(gd::read_idx_images(write_file(dir.file("two.gz"), two)).equal(gz_images));
  }
  SECTION("any image count and size") {
    const auto p = write_file(dir.file("odd"), idx_images(0x803, 3, 5, 7, 3 * 5 * 7));
    const auto t = gd::read_idx_images(p);
    CHECK(t.sizes() == torch::IntArrayRef({3, 1, 5, 7}));
    CHECK(t[2][0][4][6].item<std::int64_t>() == 104);
  }
}

TEST_CASE("streams read like files, whatever their state flags, and errors name them",
          "[data][idx]") {
  const auto file_images = gd::read_idx_images(fixture(kTrainImages + ".gz"));
  const auto file_labels = gd::read_idx_labels(fixture(kTrainLabels + ".gz"));
  const bytes gz_images = read_file(fixture(kTrainImages + ".gz"));
  const bytes raw_images = gunzip_file(fixture(kTrainImages + ".gz"));

  SECTION("gzipped and raw bytes in memory") {
    auto gz = in_memory(gz_images);
    CHECK(gd::read_idx_images(gz, "memory", 28, 28).equal(file_images));
    auto raw = in_memory(raw_images);
    CHECK(gd::read_idx_images(raw, "memory").equal(file_images));
    auto labels = in_memory(read_file(fixture(kTrainLabels + ".gz")));
    CHECK(gd::read_idx_labels(labels, "memory").equal(file_labels));
  }
  SECTION("the stream's exception mask plays no part") {
    auto raw = in_memory(raw_images);
    raw.exceptions(std::ios::eofbit | std::ios::failbit | std::ios::badbit);
    CHECK(gd::read_idx_images(raw, "memory").equal(file_images));
  }
  SECTION("a stream that cannot seek") {
    forward_only gz_buf(gz_images), raw_buf(raw_images);
    std::istream gz(&gz_buf), raw(&raw_buf);
    CHECK(gd::read_idx_images(gz, "pipe").equal(file_images));
    CHECK(gd::read_idx_images(raw, "pipe").equal(file_images));
  }
  SECTION("a lying header fails whether or not the stream can be measured") {
    const bytes liar = idx_images(0x803, 0xFFFFFFFF, 28, 28, 784);
    auto seekable = in_memory(liar);
    require_data_error([&] { gd::read_idx_images(seekable, "<liar>"); }, "<liar>",
                       {"4294967295 images", "only 784 bytes follow"});
    forward_only buf(liar);
    std::istream pipe(&buf);
    require_data_error([&] { gd::read_idx_images(pipe, "<pipe>"); }, "<pipe>",
                       {"4294967295 images", "only 784 bytes follow"});
  }
  SECTION("errors name the stream") {
    auto cut = in_memory(idx_labels(0x801, 10, 9));
    require_data_error([&] { gd::read_idx_labels(cut, "<labels>"); }, "IDX file '<labels>'",
                       {"truncated", "10 labels"});
    std::istream no_buffer(nullptr);
    require_data_error([&] { gd::read_idx_labels(no_buffer, "<none>"); }, "<none>", {"no buffer"});
  }
}

TEST_CASE("unit and symmetric ranges follow torchvision", "[data][idx]") {
  const auto pixels = torch::tensor({0, 1, 127, 128, 254, 255}, torch::kUInt8);
  const auto unit = gd::to_unit_range(pixels);
  CHECK(unit.scalar_type() == torch::kFloat32);
  CHECK(unit.equal(pixels.to(torch::kFloat32).div(255)));
  const auto sym = gd::to_symmetric_range(pixels);
  CHECK(sym.equal(pixels.to(torch::kFloat32).div(255).sub(0.5).div(0.5)));
  CHECK(sym[0].item<float>() == -1.0F);
  CHECK(sym[5].item<float>() == 1.0F);
  CHECK(gd::unit_to_symmetric(unit).equal(sym));
  CHECK_THROWS_AS(gd::to_unit_range(unit), gad::invalid_argument);
  CHECK_THROWS_AS(gd::unit_to_symmetric(pixels), gad::invalid_argument);
}

TEST_CASE("malformed IDX files raise data_error naming the file", "[data][idx]") {
  scratch_dir dir;
  const auto images = [](const std::string& p) { return gd::read_idx_images(p); };
  const auto labels = [](const std::string& p) { return gd::read_idx_labels(p); };
  const auto expect = [](auto reader, const std::string& path,
                         const std::vector<std::string>& fragments) {
    require_data_error([&] { reader(path); }, path, fragments);
  };

  SECTION("missing file and unreadable path") {
    expect(images, dir.file("nope.gz"), {"cannot open"});
    expect(labels, dir.file("nope"), {"cannot open"});
    expect(images, dir.file(""), {"read error"});  // a directory
  }
  SECTION("empty and truncated headers") {
    expect(images, write_file(dir.file("empty"), {}), {"empty file"});
    expect(images, write_file(dir.file("short2"), {0, 0}), {"truncated header"});
    bytes header = idx_images(0x803, 1, 28, 28, 0);
    header.resize(10);
    expect(images, write_file(dir.file("short10"), header), {"truncated header", "16"});
    expect(images, write_file(dir.file("short10.gz"), gzip(header)), {"truncated header"});
    expect(labels, write_file(dir.file("short6"), {0, 0, 8, 1, 0, 0}), {"truncated header"});
  }
  SECTION("wrong magic, element type or dimension count") {
    expect(images, write_file(dir.file("magic"), idx_images(0x12345678, 1, 2, 2, 4)),
           {"not an IDX file", "0x12345678", "0x00000803"});
    expect(images, write_file(dir.file("float"), idx_images(0x0D03, 1, 2, 2, 16)),
           {"element type 0x0D", "float32", "0x00000803"});
    expect(labels, write_file(dir.file("int32labels"), idx_labels(0x0C01, 2, 8)),
           {"element type 0x0C", "0x00000801"});
    // The two kinds swapped: a label file where images are expected and vice versa.
    const auto fixture_labels = fixture(kTrainLabels + ".gz");
    expect(images, fixture_labels, {"0x00000801", "0x00000803"});
    expect(labels, fixture(kTrainImages + ".gz"), {"0x00000803", "0x00000801"});
  }
  SECTION("zero, absurd or unexpected dimensions") {
    expect(images, write_file(dir.file("zero-n"), idx_images(0x803, 0, 28, 28, 0)), {"0 images"});
    expect(labels, write_file(dir.file("zero-labels"), idx_labels(0x801, 0, 0)), {"0 labels"});
    expect(images, write_file(dir.file("zero-rows"), idx_images(0x803, 1, 0, 28, 0)),
           {"implausible image size 0x28"});
    expect(images, write_file(dir.file("huge"), idx_images(0x803, 1, 0xFFFFFFFF, 0xFFFFFFFF, 8)),
           {"implausible image size"});
    const auto p = write_file(dir.file("small"), idx_images(0x803, 2, 5, 7, 70));
    require_data_error([&] { gd::read_idx_images(p, 28, 28); }, p, {"5x7", "expected 28x28"});
    require_data_error([&] { gd::read_idx_images(p, 0, 8); }, p, {"expected anyx8"});
    CHECK(gd::read_idx_images(p, 5, 7).size(0) == 2);
  }
  SECTION("truncated payload and trailing data") {
    expect(images, write_file(dir.file("cut"), idx_images(0x803, 3, 4, 4, 47)),
           {"truncated", "3 images of 4x4", "48 payload bytes", "only 47"});
    expect(images, write_file(dir.file("cut.gz"), gzip(idx_images(0x803, 3, 4, 4, 40))),
           {"truncated", "only 40"});
    expect(labels, write_file(dir.file("cut-labels"), idx_labels(0x801, 10, 9)),
           {"truncated", "10 labels"});
    expect(images, write_file(dir.file("long"), idx_images(0x803, 3, 4, 4, 53)),
           {"trailing data", "5 bytes"});
    expect(images, write_file(dir.file("long.gz"), gzip(idx_images(0x803, 3, 4, 4, 49))),
           {"trailing data", "1 bytes"});
    expect(labels, write_file(dir.file("long-labels"), idx_labels(0x801, 10, 11)),
           {"trailing data"});
  }
  SECTION("a header promising billions of images fails fast on the missing payload") {
    expect(images, write_file(dir.file("liar"), idx_images(0x803, 0xFFFFFFFF, 28, 28, 784)),
           {"truncated", "4294967295 images"});
    expect(images,
           write_file(dir.file("liar.gz"), gzip(idx_images(0x803, 0xFFFFFFFF, 28, 28, 784))),
           {"truncated"});
  }
  SECTION("corrupt, truncated or padded gzip streams") {
    const bytes good = read_file(fixture(kTestImages + ".gz"));
    bytes flipped = good;
    for (std::size_t i = 200; i < 260; ++i) flipped[i] ^= 0x5A;
    expect(images, write_file(dir.file("flipped.gz"), flipped), {"corrupt gzip stream"});
    bytes bad_crc = good;
    bad_crc[bad_crc.size() - 6] ^= 0xFF;  // inside the CRC-32 of the trailer
    expect(images, write_file(dir.file("crc.gz"), bad_crc), {"corrupt gzip stream"});
    const bytes half(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(good.size() / 2));
    expect(images, write_file(dir.file("half.gz"), half), {"truncated gzip stream"});
    const bytes no_trailer(good.begin(), good.end() - 4);
    expect(images, write_file(dir.file("no-trailer.gz"), no_trailer), {"truncated gzip stream"});
    bytes padded = good;
    padded.insert(padded.end(), {0, 0, 0, 0});
    expect(images, write_file(dir.file("padded.gz"), padded), {"after the end of the gzip stream"});
    bytes one_more = good;
    one_more.push_back(0x1f);
    expect(images, write_file(dir.file("one-more.gz"), one_more),
           {"after the end of the gzip stream"});
  }
}

TEST_CASE("load_idx rejects image and label files that disagree", "[data][idx]") {
  scratch_dir dir;
  const auto ip = write_file(dir.file("imgs"), idx_images(0x803, 4, 2, 2, 16));
  const auto lp = write_file(dir.file("lbls"), idx_labels(0x801, 5, 5));
  try {
    gd::load_idx(ip, lp);
    FAIL("expected gad::data_error");
  } catch (const gad::data_error& e) {
    const std::string m = e.what();
    CHECK_THAT(m, gad_test::contains(ip) && gad_test::contains(lp) &&
                      gad_test::contains("4 images but 5 labels"));
  }
  require_data_error([&] { gd::load_idx_folder(dir.file("none"), "train"); }, "train-images",
                     {"not found", "fetch_data.sh"});
}
