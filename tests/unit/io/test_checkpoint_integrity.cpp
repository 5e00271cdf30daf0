// Damaged model and checkpoint files: every record's checksum is verified on load, so flipped
// bytes anywhere in the content are a checkpoint_error naming the file and what was hit, and
// truncated or zeroed files are refused; nothing loads silently wrong.
#include <gad/algan.hpp>
#include <gad/io/checkpoint.hpp>
#include <gad/io/record_checksums.hpp>
#include <gad/train/checkpoints.hpp>

#include "support/device.hpp"
#include "support/fixture.hpp"
#include "support/message_of.hpp"

#include <torch/torch.h>
#include <zlib.h>
#include "support/catch.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using gad_test::algan_fixture;
using gad_test::identical;
using gad_test::message_of;

namespace {

gad::algan_options tiny() {
  gad::algan_options o;
  o.z_dim = 8;
  o.generator_hidden = {16, 32};
  o.discriminator_hidden = {32, 16};
  o.batch_size = 16;
  o.epochs = 2;
  o.runtime = gad::runtime_options{7, 2, gad_test::device_name()};
  return o;
}

void spill(const std::filesystem::path& p, const std::vector<char>& bytes) {
  std::ofstream(p, std::ios::binary | std::ios::trunc)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A copy of `from` with the byte at `at` inverted.
std::filesystem::path flipped(const std::filesystem::path& from, std::uint64_t at,
                              const std::filesystem::path& to) {
  std::vector<char> bytes = gad_test::file_bytes(from);
  bytes[at] = static_cast<char>(~bytes[at]);
  spill(to, bytes);
  return to;
}

// Every kStride-th byte of a model file is flipped in turn; under AddressSanitizer each load
// costs about twenty times more, so it samples fewer bytes there.
#if defined(__SANITIZE_ADDRESS__)
constexpr std::uint64_t kStride = 997;
#else
constexpr std::uint64_t kStride = 61;
#endif

}  // namespace

TEST_CASE("a flipped byte in any record of a checkpoint is refused, naming what it hit",
          "[io][checkpoint][integrity]") {
  gad_test::temp_dir dir;
  const auto& data = algan_fixture();
  // A resumable checkpoint: weights, optimizer state, random streams, replay buffers, history.
  gad::algan<> trained(tiny());
  trained.fit(data.train, nullptr, gad::train::checkpoint_every{dir / "ckpt.gad", 1});
  const std::filesystem::path file = dir / "ckpt.gad";
  REQUIRE(gad::inspect_checkpoint(file).resumable);
  REQUIRE(gad::io::damaged_records(file).empty());

  const auto records = gad::io::archive_records(file);
  REQUIRE(records.size() > 10);
  bool saw_values = false;
  bool saw_generator = false;
  bool saw_discriminator = false;
  bool saw_optimizer = false;
  for (const auto& r : records) {
    if (r.packed_size == 0) continue;
    INFO("record " << r.name << " (" << r.size << " bytes)");
    const auto bad = flipped(file, r.data_offset + r.packed_size / 2, dir / "bad.gad");
    const std::string m = message_of<gad::checkpoint_error>([&] {
      gad::algan<> d(tiny());
      d.load(bad);
    });
    CHECK_THAT(m, gad_test::contains("bad.gad") && gad_test::contains("is damaged") &&
                      gad_test::contains(r.name));
    // Also through the header-only path (gad inspect).
    CHECK_THROWS_AS(gad::inspect_checkpoint(bad), gad::checkpoint_error);
    if (r.name.size() > 8 && r.name.compare(r.name.size() - 8, 8, "data.pkl") == 0) {
      CHECK_THAT(m, gad_test::contains("header, options"));
      saw_values = true;
    }
    saw_generator = saw_generator || m.find("tensor 'generator/") != std::string::npos;
    saw_discriminator = saw_discriminator || m.find("tensor 'discriminator/") != std::string::npos;
    saw_optimizer = saw_optimizer || m.find("tensor 'training/opt_") != std::string::npos;
  }
  CHECK(saw_values);
  CHECK(saw_generator);
  CHECK(saw_discriminator);
  CHECK(saw_optimizer);
}

TEST_CASE("truncated, zeroed and scribbled model files are refused, never half loaded",
          "[io][checkpoint][integrity]") {
  gad_test::temp_dir dir;
  const auto& data = algan_fixture();
  gad::algan<> trained(tiny());
  trained.fit(data.train);
  trained.save(dir / "model.gad");
  const std::vector<char> good = gad_test::file_bytes(dir / "model.gad");
  const torch::Tensor scores = trained.decision_function(data.test.images);

  for (const double share : {0.0, 0.01, 0.25, 0.5, 0.9, 0.999}) {
    INFO("cut to " << share);
    std::vector<char> cut(good.begin(),
                          good.begin() + static_cast<std::ptrdiff_t>(share * good.size()));
    spill(dir / "cut.gad", cut);
    CHECK_THAT(message_of<gad::checkpoint_error>([&] { trained.load(dir / "cut.gad"); }),
               gad_test::contains("cut.gad") && gad_test::contains("corrupt"));
  }
  spill(dir / "zero.gad", std::vector<char>(good.size(), 0));
  CHECK_THAT(message_of<gad::checkpoint_error>([&] { trained.load(dir / "zero.gad"); }),
             gad_test::contains("zero.gad") && gad_test::contains("corrupt"));
  // The failed loads left the detector as it was.
  CHECK(identical(trained.decision_function(data.test.images), scores));

  // Damage anywhere, also in the zip headers between records: either a checkpoint_error or,
  // where the byte carries nothing (alignment padding), a model that scores identically.
  int refused = 0;
  int harmless = 0;
  for (std::uint64_t at = 0; at < good.size(); at += kStride) {
    INFO("byte " << at);
    const auto bad = flipped(dir / "model.gad", at, dir / "bad.gad");
    try {
      gad::algan<> d(tiny());
      d.load(bad);
      CHECK(identical(d.decision_function(data.test.images), scores));
      ++harmless;
    } catch (const gad::checkpoint_error&) {
      ++refused;
    }
  }
  CHECK(refused > 0);
  INFO(refused << " refused, " << harmless << " harmless");
  CHECK(refused + harmless > 0);
}

namespace {

// The offset of the central directory entry of record `name` (its checksum is at +16).
std::size_t directory_entry(const std::vector<char>& bytes, const std::string& name) {
  const std::string sig("PK\x01\x02", 4);
  for (std::size_t at = bytes.size(); at-- > 4;) {
    if (std::string(&bytes[at - 4], 4) != sig) continue;
    const std::size_t h = at - 4;
    if (h + 46 + name.size() <= bytes.size() &&
        std::string(&bytes[h + 46], name.size()) == name) {
      return h;
    }
  }
  FAIL("no directory entry for " << name);
  return 0;
}

void put_u32(std::vector<char>& bytes, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}

}  // namespace

TEST_CASE("archive markings and version numbers LibTorch refuses are refused first, clearly",
          "[io][checkpoint][integrity]") {
  // LibTorch checks these inside its reader's constructor, where a throw leaks the reader's
  // zip state (found by fuzz_checkpoint); gad refuses them before LibTorch opens the file.
  gad_test::temp_dir dir;
  gad::algan<> trained(tiny());
  trained.fit(algan_fixture().train);
  trained.save(dir / "model.gad");
  const std::vector<char> good = gad_test::file_bytes(dir / "model.gad");
  const auto records = gad::io::archive_records(dir / "model.gad");
  REQUIRE(gad::io::version_record(records) != nullptr);
  const gad::io::zip_record version = *gad::io::version_record(records);
  REQUIRE(version.size >= 2);
  const std::size_t entry = directory_entry(good, version.name);

  const auto refused = [&](const std::vector<char>& bytes) {
    spill(dir / "bad.gad", bytes);
    gad::algan<> d(tiny());
    return message_of<gad::checkpoint_error>([&] { d.load(dir / "bad.gad"); });
  };
  SECTION("a record marked as a patch or encrypted") {
    for (const std::uint16_t flag : {0x0001, 0x0020, 0x0040, 0x2000}) {
      INFO("flag " << flag);
      std::vector<char> bytes = good;
      bytes[entry + 8] = static_cast<char>(bytes[entry + 8] | (flag & 0xFF));
      bytes[entry + 9] = static_cast<char>(bytes[entry + 9] | (flag >> 8));
      CHECK_THAT(refused(bytes), gad_test::contains("bad.gad") &&
                                     gad_test::contains("encrypted or a patch") &&
                                     gad_test::contains(version.name));
    }
  }
  // A version record rewritten with a valid checksum: only its number is wrong.
  const auto with_version = [&](const std::string& text) {
    REQUIRE(text.size() == version.size);
    std::vector<char> bytes = good;
    std::copy(text.begin(), text.end(), bytes.begin() + version.data_offset);
    put_u32(bytes, entry + 16,
            static_cast<std::uint32_t>(::crc32_z(
                0L, reinterpret_cast<const Bytef*>(text.data()), text.size())));
    return bytes;
  };
  const std::string pad(version.size - 2, ' ');
  SECTION("a version newer than this LibTorch reads") {
    CHECK_THAT(refused(with_version("99" + pad)),
               gad_test::contains("file format version is 99") &&
                   gad_test::contains("newer LibTorch"));
  }
  SECTION("version 0") {
    CHECK_THAT(refused(with_version("0\n" + pad)), gad_test::contains("format version is 0"));
  }
  SECTION("a version that is not a number") {
    CHECK_THAT(refused(with_version("x\n" + pad)), gad_test::contains("is not a number"));
  }
  SECTION("two records of one name") {
    // archive/data/2 renamed archive/data/1, in the directory and in its local header alike.
    const std::string top = version.name.substr(0, version.name.find('/') + 1);
    const std::string from = top + "data/2";
    const std::string to = top + "data/1";
    std::vector<char> bytes = good;
    const std::size_t at = directory_entry(bytes, from);
    std::size_t local = 0;
    for (int i = 3; i >= 0; --i) {
      local = local << 8 | static_cast<unsigned char>(bytes[at + 42 + i]);
    }
    REQUIRE(std::string(&bytes[local + 30], from.size()) == from);
    std::copy(to.begin(), to.end(), bytes.begin() + at + 46);
    std::copy(to.begin(), to.end(), bytes.begin() + local + 30);
    CHECK_THAT(refused(bytes), gad_test::contains("is named twice") && gad_test::contains(to));
  }
  SECTION("the unchanged version passes the same path") {
    const std::string same(good.begin() + version.data_offset,
                           good.begin() + version.data_offset + version.size);
    gad::algan<> d(tiny());
    spill(dir / "same.gad", with_version(same));
    d.load(dir / "same.gad");
    CHECK(d.is_fitted());
  }
}
