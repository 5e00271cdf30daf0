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
#include "support/catch.hpp"

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
