#pragma once
// Helpers for the data tests: a scratch folder, byte-level file I/O, gzip in memory, and
// IDX headers, so that every malformed input is made on the fly instead of committed.
#include <gad/core/error.hpp>

// LibTorch pulls in glog, whose CHECK macro Catch must override: torch first, Catch last.
#include <torch/types.h>
#include <zlib.h>

#include "support/catch.hpp"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace gad_test {

namespace fs = std::filesystem;
using bytes = std::vector<std::uint8_t>;

inline std::string fixture(const std::string& name) {
  return std::string(GAD_TEST_DATA_DIR) + "/mnist-fixture/" + name;
}

/// A fresh folder under the system temp dir, removed with its contents on destruction.
class scratch_dir {
 public:
  scratch_dir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() /
            ("gad-data-test-" + std::to_string(rd()) + "-" + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~scratch_dir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

inline bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("test helper: cannot read " + path);
  return bytes(std::istreambuf_iterator<char>(in), {});
}

inline std::string write_file(const std::string& path, const bytes& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  if (!out) throw std::runtime_error("test helper: cannot write " + path);
  return path;
}

/// One complete gzip member holding `data`.
inline bytes gzip(const bytes& data) {
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("test helper: deflateInit2 failed");
  }
  bytes out(deflateBound(&z, static_cast<uLong>(data.size())) + 64);
  z.next_in = const_cast<Bytef*>(data.data());
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("test helper: deflate failed");
  return out;
}

/// The decompressed content of a gzip file.
inline bytes gunzip_file(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) throw std::runtime_error("test helper: gzopen failed on " + path);
  bytes out;
  std::uint8_t chunk[1 << 14];
  int got = 0;
  while ((got = gzread(f, chunk, sizeof(chunk))) > 0) out.insert(out.end(), chunk, chunk + got);
  gzclose(f);
  if (got < 0) throw std::runtime_error("test helper: gzread failed on " + path);
  return out;
}

inline void put_u32(bytes& b, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<std::uint8_t>(v >> shift));
}

/// An IDX3 image file: header fields as given, then `payload` bytes (value i % 251).
inline bytes idx_images(std::uint32_t magic, std::uint32_t n, std::uint32_t rows,
                        std::uint32_t cols, std::size_t payload) {
  bytes b;
  put_u32(b, magic);
  put_u32(b, n);
  put_u32(b, rows);
  put_u32(b, cols);
  for (std::size_t i = 0; i < payload; ++i) b.push_back(static_cast<std::uint8_t>(i % 251));
  return b;
}

/// An IDX1 label file: header fields as given, then `payload` labels (value i % 10).
inline bytes idx_labels(std::uint32_t magic, std::uint32_t n, std::size_t payload) {
  bytes b;
  put_u32(b, magic);
  put_u32(b, n);
  for (std::size_t i = 0; i < payload; ++i) b.push_back(static_cast<std::uint8_t>(i % 10));
  return b;
}

/// Runs `f`, requiring a gad::data_error whose message contains the file name and every
/// fragment in `fragments`.
template <typename F>
void require_data_error(F&& f, const std::string& file, const std::vector<std::string>& fragments) {
  try {
    f();
    FAIL("expected gad::data_error for " << file);
  } catch (const gad::data_error& e) {
    const std::string message = e.what();
    INFO("message: " << message);
    CHECK_THAT(message, gad_test::contains(file));
    for (const auto& fragment : fragments) CHECK_THAT(message, gad_test::contains(fragment));
  }
}

}  // namespace gad_test
