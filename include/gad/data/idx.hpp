#pragma once
// Reader for IDX files (the MNIST / Fashion-MNIST format), gzipped or raw, with any image count.
//
// LibTorch's own MNIST dataset hard-codes the 60000/10000 counts and reads only uncompressed
// files; this reader takes whatever the header declares and instead checks that the file agrees
// with it exactly. Anything unexpected (bad magic, unsupported element type, truncation, trailing
// bytes, corrupt compression) throws gad::data_error naming the file, because a detector trained
// on silently misaligned pixels still produces plausible-looking numbers.
//
// Compression is detected from the gzip magic bytes, not from the file name. A header that lies
// about its counts cannot trigger a huge allocation: a raw seekable input is measured before
// anything is allocated, and otherwise memory grows only with the bytes actually present.
//
// Every reader takes a file path or, for data already in memory or arriving from elsewhere, a
// std::istream and a name to put in error messages; the path versions wrap the stream ones.
#include <gad/core/error.hpp>
#include <gad/data/dataset.hpp>

#include <torch/types.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gad::data {

namespace detail {

/// A byte stream over raw or gzip-compressed IDX content. Errors name the source.
///
/// It reads through the stream's buffer, so the stream's state flags and exception mask play no
/// part: a short read is the end of the data, and a failing read always becomes a data_error.
class idx_stream {
 public:
  idx_stream(std::istream& in, std::string name)
      : source_(in.rdbuf()), name_(std::move(name)), buffer_(kChunk) {
    if (source_ == nullptr) fail("the stream has no buffer to read from");
    fill();
    gzip_ = available() >= 2 && buffer_[pos_] == 0x1f && buffer_[pos_ + 1] == 0x8b;
    if (gzip_) {
      zs_ = std::make_unique<z_stream>();
      std::memset(zs_.get(), 0, sizeof(z_stream));
      // 16 + MAX_WBITS: gzip wrapper only, so the trailer's CRC and length get checked.
      if (inflateInit2(zs_.get(), 16 + MAX_WBITS) != Z_OK) {
        zs_.reset();
        fail("cannot initialise zlib");
      }
    }
  }
  idx_stream(const idx_stream&) = delete;
  idx_stream& operator=(const idx_stream&) = delete;
  ~idx_stream() {
    if (zs_) inflateEnd(zs_.get());
  }

  const std::string& name() const { return name_; }
  bool compressed() const { return gzip_; }

  [[noreturn]] void fail(const std::string& what) const {
    throw data_error("IDX file '" + name_ + "': " + what);
  }

  /// Reads up to `n` bytes of (decompressed) content; fewer only at the end of the content.
  std::size_t read(std::uint8_t* dst, std::size_t n) {
    return gzip_ ? inflate_into(dst, n) : copy_into(dst, n);
  }

  /// How many content bytes remain, where that is known without reading them: raw content from
  /// a seekable source. The size of decompressed content is only known by decompressing it.
  std::optional<std::size_t> raw_bytes_left() {
    if (gzip_) return std::nullopt;
    using pos = std::streambuf::pos_type;
    const pos here = source_->pubseekoff(0, std::ios_base::cur, std::ios_base::in);
    if (here == pos(-1)) return std::nullopt;
    const pos end = source_->pubseekoff(0, std::ios_base::end, std::ios_base::in);
    if (source_->pubseekpos(here, std::ios_base::in) != here) fail("cannot seek back");
    if (end == pos(-1) || end < here) return std::nullopt;
    return available() + static_cast<std::size_t>(end - here);
  }

 private:
  static constexpr std::size_t kChunk = std::size_t{1} << 16;

  std::size_t available() const { return end_ - pos_; }

  // Reads up to `n` bytes from the source; fewer only at its end.
  std::size_t get(std::uint8_t* dst, std::size_t n) {
    errno = 0;
    try {
      return static_cast<std::size_t>(
          source_->sgetn(reinterpret_cast<char*>(dst), static_cast<std::streamsize>(n)));
    } catch (const std::ios_base::failure& e) {
      // libstdc++'s filebuf throws this when read(2) fails, e.g. on a directory.
      fail(std::string("read error: ") + (errno != 0 ? std::strerror(errno) : e.what()));
    }
  }

  // Refills the input buffer; returns false at the end of the source.
  bool fill() {
    pos_ = 0;
    end_ = get(buffer_.data(), buffer_.size());
    return end_ > 0;
  }

  std::size_t copy_into(std::uint8_t* dst, std::size_t n) {
    std::size_t done = 0;
    while (done < n) {
      if (available() == 0 && !fill()) break;
      const std::size_t k = std::min(n - done, available());
      std::memcpy(dst + done, buffer_.data() + pos_, k);
      pos_ += k;
      done += k;
    }
    return done;
  }

  std::size_t inflate_into(std::uint8_t* dst, std::size_t n) {
    std::size_t done = 0;
    while (done < n && !finished_) {
      if (available() == 0 && !fill()) {
        fail("truncated gzip stream (the compressed data ends before its end marker)");
      }
      z_stream& z = *zs_;
      z.next_in = buffer_.data() + pos_;
      z.avail_in = static_cast<uInt>(available());
      const std::size_t want = std::min<std::size_t>(n - done, 1U << 30);
      z.next_out = dst + done;
      z.avail_out = static_cast<uInt>(want);
      const int rc = inflate(&z, Z_NO_FLUSH);
      pos_ = end_ - z.avail_in;
      done += want - z.avail_out;
      if (rc == Z_STREAM_END) {
        next_member();
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        fail(std::string("corrupt gzip stream: ") +
             (z.msg != nullptr ? z.msg : "zlib error " + std::to_string(rc)));
      }
    }
    return done;
  }

  // After a gzip member ends, the source may hold another member (concatenated .gz files are
  // valid gzip) or nothing. Anything else is not data we can interpret: reject it rather than
  // ignore it as gunzip does.
  void next_member() {
    if (available() == 0 && !fill()) {
      finished_ = true;
      return;
    }
    if (available() < 2) {
      // A lone byte at the buffer's end: pull it to the front and append the next chunk.
      const std::uint8_t first = buffer_[pos_];
      const std::size_t more = get(buffer_.data() + 1, buffer_.size() - 1);
      buffer_[0] = first;
      pos_ = 0;
      end_ = 1 + more;
    }
    if (available() >= 2 && buffer_[pos_] == 0x1f && buffer_[pos_ + 1] == 0x8b) {
      if (inflateReset(zs_.get()) != Z_OK) fail("cannot reset zlib");
      return;
    }
    fail("unexpected bytes after the end of the gzip stream");
  }

  std::streambuf* source_;
  std::string name_;
  std::vector<std::uint8_t> buffer_;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  bool gzip_ = false;
  bool finished_ = false;
  std::unique_ptr<z_stream> zs_;
};

/// Opens `path` for the path-taking readers, which name it in their errors.
inline std::ifstream open_idx(const std::string& path) {
  errno = 0;
  std::ifstream file(path, std::ios::binary);
  if (!file.is_open()) {
    throw data_error("IDX file '" + path +
                     "': cannot open: " + (errno != 0 ? std::strerror(errno) : "unknown error"));
  }
  return file;
}

inline std::uint32_t big_endian_u32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24U) | (std::uint32_t{p[1]} << 16U) | (std::uint32_t{p[2]} << 8U) |
         std::uint32_t{p[3]};
}

inline const char* idx_type_name(std::uint8_t code) {
  switch (code) {
    case 0x08:
      return "unsigned byte";
    case 0x09:
      return "signed byte";
    case 0x0B:
      return "int16";
    case 0x0C:
      return "int32";
    case 0x0D:
      return "float32";
    case 0x0E:
      return "float64";
    default:
      return "unknown";
  }
}

inline std::string hex32(std::uint32_t v) {
  char text[11];
  std::snprintf(text, sizeof(text), "0x%08X", v);
  return text;
}

/// Reads the magic and the `ndim` dimension sizes, checking that the file is an unsigned-byte
/// IDX file of exactly `ndim` dimensions.
inline std::vector<std::int64_t> read_idx_header(idx_stream& in, std::uint32_t ndim,
                                                 const char* kind) {
  const std::uint32_t expected_magic = 0x0800U | ndim;
  const std::size_t header_bytes = 4 * (1 + std::size_t{ndim});
  std::uint8_t header[4 * 4];
  const std::size_t got = in.read(header, header_bytes);
  if (got == 0) in.fail(std::string("empty file, expected IDX ") + kind);
  if (got < 4) {
    in.fail("truncated header: " + std::to_string(got) + " bytes, expected an IDX " + kind +
            " file starting with magic " + hex32(expected_magic));
  }
  const std::uint32_t magic = big_endian_u32(header);
  if (header[0] != 0 || header[1] != 0) {
    in.fail("not an IDX file: magic " + hex32(magic) + ", expected " + hex32(expected_magic) +
            " (" + kind + ")");
  }
  if (header[2] != 0x08) {
    char code[5];
    std::snprintf(code, sizeof(code), "0x%02X", static_cast<unsigned>(header[2]));
    in.fail(std::string("element type ") + code + " (" + idx_type_name(header[2]) +
            "), expected 0x08 (unsigned byte); magic " + hex32(magic) + ", expected " +
            hex32(expected_magic));
  }
  if (header[3] != ndim) {
    in.fail("has " + std::to_string(header[3]) + " dimensions (magic " + hex32(magic) +
            "), expected " + std::to_string(ndim) + " for " + kind + " (magic " +
            hex32(expected_magic) + ")");
  }
  if (got < header_bytes) {
    in.fail("truncated header: " + std::to_string(got) + " bytes, expected " +
            std::to_string(header_bytes));
  }
  std::vector<std::int64_t> dims(ndim);
  for (std::uint32_t i = 0; i < ndim; ++i) dims[i] = big_endian_u32(header + 4 * (1 + i));
  return dims;
}

/// Reads exactly `bytes` bytes of payload and checks that nothing follows them.
inline std::unique_ptr<std::vector<std::uint8_t>> read_idx_payload(idx_stream& in,
                                                                   std::int64_t bytes,
                                                                   const std::string& promise) {
  const auto total = static_cast<std::size_t>(bytes);
  const auto truncated = [&](std::size_t have) {
    in.fail("truncated: the header declares " + promise + " (" + std::to_string(total) +
            " payload bytes) but only " + std::to_string(have) + " bytes follow");
  };
  auto data = std::make_unique<std::vector<std::uint8_t>>();
  constexpr std::size_t kStep = std::size_t{1} << 20;
  if (const auto left = in.raw_bytes_left()) {
    if (*left < total) truncated(*left);
    data->reserve(total);
  } else {
    // Unknown length: no reservation from the header's word alone. The vector's geometric
    // growth keeps honest files cheap and a lying header costs at most twice the real data.
    data->reserve(std::min(total, kStep));
  }
  std::size_t have = 0;
  while (have < total) {
    const std::size_t want = std::min(kStep, total - have);
    data->resize(have + want);
    const std::size_t got = in.read(data->data() + have, want);
    have += got;
    if (got < want) truncated(have);
  }
  std::uint8_t extra[256];
  const std::size_t trailing = in.read(extra, sizeof(extra));
  if (trailing > 0) {
    in.fail("trailing data: " + std::string(trailing == sizeof(extra) ? "at least " : "") +
            std::to_string(trailing) + " bytes after the " + promise + " the header declares");
  }
  return data;
}

/// Wraps the buffer in a tensor without copying it; the tensor owns the buffer afterwards.
inline torch::Tensor adopt(std::unique_ptr<std::vector<std::uint8_t>> data,
                           torch::IntArrayRef sizes) {
  auto* raw = data.get();
  auto t = torch::from_blob(
      raw->data(), sizes, [raw](void*) { delete raw; }, torch::kUInt8);
  data.release();  // owned by the tensor's deleter from here on
  return t;
}

}  // namespace detail

/// Largest accepted rows or cols. Far above any image this library handles; beyond it a header
/// is taken to be garbage.
inline constexpr std::int64_t kMaxIdxSide = 1 << 14;

/// Reads IDX3 images (magic 0x00000803) from `in` into uint8 [N, 1, H, W]; errors name `name`.
/// `expected_rows` / `expected_cols` > 0 additionally require that image size.
inline torch::Tensor read_idx_images(std::istream& in, const std::string& name,
                                     std::int64_t expected_rows = 0,
                                     std::int64_t expected_cols = 0) {
  detail::idx_stream stream(in, name);
  const auto dims = detail::read_idx_header(stream, 3, "images");
  const std::int64_t n = dims[0], rows = dims[1], cols = dims[2];
  if (n == 0) stream.fail("the header declares 0 images");
  if (rows == 0 || cols == 0 || rows > kMaxIdxSide || cols > kMaxIdxSide) {
    stream.fail("implausible image size " + std::to_string(rows) + "x" + std::to_string(cols) +
                " (each side must be in [1, " + std::to_string(kMaxIdxSide) + "])");
  }
  if ((expected_rows > 0 && rows != expected_rows) ||
      (expected_cols > 0 && cols != expected_cols)) {
    stream.fail("images are " + std::to_string(rows) + "x" + std::to_string(cols) + ", expected " +
                (expected_rows > 0 ? std::to_string(expected_rows) : std::string("any")) + "x" +
                (expected_cols > 0 ? std::to_string(expected_cols) : std::string("any")));
  }
  // n < 2^32 and rows * cols <= 2^28, so the product fits comfortably in 64 bits.
  const std::string promise =
      std::to_string(n) + " images of " + std::to_string(rows) + "x" + std::to_string(cols);
  auto data = detail::read_idx_payload(stream, n * rows * cols, promise);
  return detail::adopt(std::move(data), {n, 1, rows, cols});
}

/// Reads an IDX3 image file (magic 0x00000803) into uint8 [N, 1, H, W].
/// `expected_rows` / `expected_cols` > 0 additionally require that image size.
inline torch::Tensor read_idx_images(const std::string& path, std::int64_t expected_rows = 0,
                                     std::int64_t expected_cols = 0) {
  auto file = detail::open_idx(path);
  return read_idx_images(file, path, expected_rows, expected_cols);
}

/// Reads IDX1 labels (magic 0x00000801) from `in` into int64 [N]; errors name `name`.
inline torch::Tensor read_idx_labels(std::istream& in, const std::string& name) {
  detail::idx_stream stream(in, name);
  const auto dims = detail::read_idx_header(stream, 1, "labels");
  const std::int64_t n = dims[0];
  if (n == 0) stream.fail("the header declares 0 labels");
  auto data = detail::read_idx_payload(stream, n, std::to_string(n) + " labels");
  return detail::adopt(std::move(data), {n}).to(torch::kInt64);
}

/// Reads an IDX1 label file (magic 0x00000801) into int64 [N].
inline torch::Tensor read_idx_labels(const std::string& path) {
  auto file = detail::open_idx(path);
  return read_idx_labels(file, path);
}

/// Reads a matching pair of IDX image and label files. Images are returned as float32 in [0, 1]
/// (ToTensor's convention); apply unit_to_symmetric() for [-1, 1]. The two counts must agree.
inline dataset load_idx(const std::string& images_path, const std::string& labels_path,
                        std::int64_t expected_rows = 0, std::int64_t expected_cols = 0) {
  auto pixels = read_idx_images(images_path, expected_rows, expected_cols);
  auto labels = read_idx_labels(labels_path);
  if (pixels.size(0) != labels.size(0)) {
    throw data_error("IDX files '" + images_path + "' and '" + labels_path +
                     "' disagree: " + std::to_string(pixels.size(0)) + " images but " +
                     std::to_string(labels.size(0)) + " labels");
  }
  dataset d;
  d.images = to_unit_range(pixels);
  d.labels = std::move(labels);
  return d;
}

/// Loads `<folder>/<split>-images-idx3-ubyte[.gz]` and `<folder>/<split>-labels-idx1-ubyte[.gz]`,
/// the standard MNIST / Fashion-MNIST layout (split is "train" or "t10k"). The gzipped name is
/// preferred when both exist.
inline dataset load_idx_folder(const std::string& folder, const std::string& split,
                               std::int64_t expected_rows = 0, std::int64_t expected_cols = 0) {
  const auto pick = [&](const std::string& stem) {
    const std::string base = folder + "/" + split + "-" + stem;
    for (const std::string& candidate : {base + ".gz", base}) {
      if (std::FILE* f = std::fopen(candidate.c_str(), "rb")) {
        std::fclose(f);
        return candidate;
      }
    }
    throw data_error("IDX file '" + base + ".gz' not found (nor '" + base +
                     "'); scripts/fetch_data.sh downloads MNIST");
  };
  const std::string images = pick("images-idx3-ubyte");  // first, so its absence is reported
  const std::string labels = pick("labels-idx1-ubyte");
  return load_idx(images, labels, expected_rows, expected_cols);
}

}  // namespace gad::data
