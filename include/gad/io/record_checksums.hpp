#pragma once
// Integrity of model and checkpoint files: every record of a LibTorch archive (one per tensor
// storage, plus the pickled index that holds the header, the options and every other value)
// carries the CRC-32 its zip container requires, but LibTorch never checks it when reading.
// gad does, before it believes a single byte: a flipped bit anywhere in the content of a
// record is a checkpoint_error naming the file and the damaged tensor or section.
//
// Why these checksums and not our own: LibTorch already computes and stores them for every
// record, so every gad file ever written (all format versions) is covered without a format
// change, and CRC-32 catches every burst of up to 32 damaged bits and other random damage with
// probability 1 - 2^-32 per record. It guards against accidents (disks, copies, truncation),
// not against someone who edits a file and recomputes the sums.
#include <gad/core/error.hpp>

#include <zlib.h>

#include <array>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace gad::io {

/// One record of a zip archive. LibTorch stores tensor data as is and deflates some of its
/// small code records.
struct zip_record {
  std::string name;
  std::uint64_t data_offset = 0;  ///< of the record's bytes in the file
  std::uint64_t size = 0;         ///< of its content
  std::uint64_t packed_size = 0;  ///< of its bytes in the file (= size unless deflated)
  bool deflated = false;
  std::uint32_t stored_crc = 0;
};

/// A record whose bytes do not match its stored CRC-32.
struct damaged_record {
  zip_record record;
  std::uint32_t computed_crc = 0;
};

/// The version record LibTorch reads from an archive with these records: `.data/version` where
/// there is one (LibTorch 2.x writes newer formats' version there and reads it first), else
/// `version`, both under the archive's top folder; null when there is neither.
inline const zip_record* version_record(const std::vector<zip_record>& records) {
  if (records.empty()) return nullptr;
  const std::string top = records.front().name.substr(0, records.front().name.find('/') + 1);
  const zip_record* plain = nullptr;
  for (const zip_record& r : records) {
    if (r.name == top + ".data/version") return &r;
    if (plain == nullptr && r.name == top + "version") plain = &r;
  }
  return plain;
}

namespace zip_detail {

class zip_directory_reader {
 public:
  explicit zip_directory_reader(const std::filesystem::path& path)
      : in_(path, std::ios::binary), file_(path.string()) {
    if (!in_) broken("it cannot be opened");
    in_.seekg(0, std::ios::end);
    size_ = static_cast<std::uint64_t>(in_.tellg());
  }

  std::vector<zip_record> records() {
    // The end-of-central-directory record: 22 bytes plus a comment of up to 65535.
    constexpr std::uint64_t eocd_size = 22;
    if (size_ < eocd_size) broken("it is too short to be an archive");
    const std::uint64_t window = std::min<std::uint64_t>(size_, eocd_size + 65535);
    const std::vector<unsigned char> tail = read(size_ - window, window);
    std::uint64_t eocd = size_;
    for (std::uint64_t i = window - eocd_size + 1; i-- > 0;) {
      if (u32(tail.data() + i) == 0x06054b50U) {
        eocd = size_ - window + i;
        break;
      }
    }
    if (eocd == size_) broken("no archive directory at its end (truncated, or not an archive)");
    const std::vector<unsigned char> e = read(eocd, eocd_size);
    std::uint64_t count = u16(&e[10]);
    std::uint64_t dir_size = u32(&e[12]);
    std::uint64_t dir_offset = u32(&e[16]);
    if (count == 0xFFFF || dir_size == 0xFFFFFFFFU || dir_offset == 0xFFFFFFFFU) {
      // Zip64: a locator just before the record points at the 64-bit directory end.
      if (eocd < 20) broken("its zip64 locator is missing");
      const std::vector<unsigned char> loc = read(eocd - 20, 20);
      if (u32(loc.data()) != 0x07064b50U) broken("its zip64 locator is missing");
      const std::vector<unsigned char> z = read(u64(&loc[8]), 56);
      if (u32(z.data()) != 0x06064b50U) broken("its zip64 directory end is damaged");
      count = u64(&z[32]);
      dir_size = u64(&z[40]);
      dir_offset = u64(&z[48]);
    }
    if (dir_offset > size_ || dir_size > size_ - dir_offset || count > dir_size / 46) {
      broken("its archive directory points outside the file (truncated?)");
    }
    const std::vector<unsigned char> dir = read(dir_offset, dir_size);
    std::vector<zip_record> out;
    std::uint64_t at = 0;
    for (std::uint64_t n = 0; n < count; ++n) out.push_back(entry(dir, at));
    // LibTorch archives keep every record under one top folder and hold a "version" record.
    if (out.empty()) broken("its archive directory is empty");
    const std::string top = out.front().name.substr(0, out.front().name.find('/') + 1);
    std::set<std::string> names;
    for (const zip_record& r : out) {
      // LibTorch's zip reader looks names up ignoring case, so two names that differ only in
      // case could hand it another record than the one checked here.
      std::string lower = r.name;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (!names.insert(lower).second) {
        broken("record " + r.name + " is named twice in its directory (damaged directory?)");
      }
      if (top.size() < 2 || r.name.compare(0, top.size(), top) != 0) {
        broken("record " + r.name + " lies outside the archive's folder (damaged directory?)");
      }
    }
    if (version_record(out) == nullptr) {
      broken("it has no version record (damaged directory, or not a LibTorch archive)");
    }
    return out;
  }

  /// The CRC-32 of a record's content, read in slices (and inflated if deflated).
  std::uint32_t crc_of(const zip_record& r) {
    std::vector<unsigned char> buf(std::size_t{1} << 20);
    std::vector<unsigned char> out(r.deflated ? buf.size() : 0);
    uLong crc = ::crc32_z(0L, Z_NULL, 0);
    z_stream z{};
    if (r.deflated && ::inflateInit2(&z, -MAX_WBITS) != Z_OK) broken("zlib cannot start");
    std::uint64_t content = 0;
    int status = Z_OK;
    in_.clear();
    in_.seekg(static_cast<std::streamoff>(r.data_offset));
    for (std::uint64_t left = r.packed_size; left > 0;) {
      const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left, buf.size()));
      if (!in_.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(n))) {
        if (r.deflated) ::inflateEnd(&z);
        broken("reading record " + r.name + " failed");
      }
      left -= n;
      if (!r.deflated) {
        crc = ::crc32_z(crc, buf.data(), n);
        continue;
      }
      z.next_in = buf.data();
      z.avail_in = static_cast<uInt>(n);
      while (z.avail_in > 0 && status == Z_OK) {
        z.next_out = out.data();
        z.avail_out = static_cast<uInt>(out.size());
        status = ::inflate(&z, Z_NO_FLUSH);
        const std::size_t made = out.size() - z.avail_out;
        crc = ::crc32_z(crc, out.data(), made);
        content += made;
        if (content > r.size) status = Z_DATA_ERROR;  // longer than declared: stop inflating
        if (status == Z_BUF_ERROR && made > 0) status = Z_OK;
      }
    }
    if (r.deflated) {
      ::inflateEnd(&z);
      // A damaged deflate stream is damage like any other: make it fail the comparison.
      if (status != Z_STREAM_END || content != r.size) return ~r.stored_crc;
    }
    return static_cast<std::uint32_t>(crc);
  }

  /// A record's bytes (to match a damaged storage with the tensor that holds it).
  std::vector<unsigned char> bytes_of(const zip_record& r) {
    return read(r.data_offset, r.packed_size);
  }

 private:
  zip_record entry(const std::vector<unsigned char>& dir, std::uint64_t& at) {
    if (dir.size() - at < 46 || u32(&dir[at]) != 0x02014b50U) {
      broken("its archive directory is damaged");
    }
    const unsigned char* h = &dir[at];
    const std::uint16_t flags = u16(h + 8);
    const std::uint16_t method = u16(h + 10);
    zip_record r;
    r.stored_crc = u32(h + 16);
    std::uint64_t packed = u32(h + 20);
    r.size = u32(h + 24);
    const std::uint64_t name_len = u16(h + 28);
    const std::uint64_t extra_len = u16(h + 30);
    const std::uint64_t comment_len = u16(h + 32);
    std::uint64_t local = u32(h + 42);
    if (dir.size() - at - 46 < name_len + extra_len + comment_len) {
      broken("its archive directory is damaged");
    }
    r.name.assign(reinterpret_cast<const char*>(h + 46), name_len);
    // Zip64 extra field: the 64-bit values of the fields saturated above, in this order.
    for (std::uint64_t x = 46 + name_len; x + 4 <= 46 + name_len + extra_len;) {
      const std::uint16_t id = u16(h + x);
      const std::uint16_t len = u16(h + x + 2);
      if (id == 0x0001) {
        std::uint64_t f = x + 4;
        const std::uint64_t end = f + len;
        const auto take = [&](std::uint64_t& v) {
          if (v != 0xFFFFFFFFU) return;
          if (f + 8 > end) broken("the zip64 sizes of record " + r.name + " are damaged");
          v = u64(h + f);
          f += 8;
        };
        take(r.size);
        take(packed);
        take(local);
      }
      x += 4 + len;
    }
    at += 46 + name_len + extra_len + comment_len;
    r.packed_size = packed;
    r.deflated = method == 8;
    if ((method != 0 && method != 8) || (method == 0 && packed != r.size)) {
      broken("record " + r.name + " has an unknown storage method (damaged directory?)");
    }
    // Encrypted, strongly encrypted, patch and masked-header records: LibTorch never writes
    // them and its zip reader refuses them, some only once its constructor is under way (and
    // then its zip state leaks), so they are refused here first.
    if ((flags & (0x0001U | 0x0020U | 0x0040U | 0x2000U)) != 0) {
      broken("record " + r.name + " is marked encrypted or a patch (damaged directory?)");
    }
    if (local > size_ || size_ - local < 30) broken("record " + r.name + " lies outside the file");
    const std::vector<unsigned char> lh = read(local, 30);
    // The local header must repeat the directory's name: LibTorch's reader trusts both, and
    // throws from inside its constructor (leaking its zip state) when they disagree.
    if (u32(lh.data()) != 0x04034b50U || u16(&lh[26]) != name_len ||
        read(local + 30, name_len) != std::vector<unsigned char>(h + 46, h + 46 + name_len)) {
      broken("the header of record " + r.name + " is damaged");
    }
    r.data_offset = local + 30 + u16(&lh[26]) + u16(&lh[28]);
    if (r.data_offset > size_ || size_ - r.data_offset < r.packed_size) {
      broken("record " + r.name + " is cut short (truncated file?)");
    }
    return r;
  }

  std::vector<unsigned char> read(std::uint64_t offset, std::uint64_t n) {
    if (offset > size_ || n > size_ - offset) broken("it is cut short (truncated?)");
    std::vector<unsigned char> out(static_cast<std::size_t>(n));
    in_.clear();
    in_.seekg(static_cast<std::streamoff>(offset));
    if (!in_.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(n))) {
      broken("reading it failed");
    }
    return out;
  }

  static std::uint16_t u16(const unsigned char* p) {
    return static_cast<std::uint16_t>(p[0] | p[1] << 8);
  }
  static std::uint32_t u32(const unsigned char* p) {
    return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
           std::uint32_t{p[3]} << 24;
  }
  static std::uint64_t u64(const unsigned char* p) {
    return std::uint64_t{u32(p)} | std::uint64_t{u32(p + 4)} << 32;
  }

  [[noreturn]] void broken(const std::string& why) const {
    throw checkpoint_error("cannot read checkpoint " + file_ +
                           ": not a gad checkpoint or corrupt (" + why + ")");
  }

  std::ifstream in_;
  std::string file_;
  std::uint64_t size_ = 0;
};

}  // namespace zip_detail

/// The records of the archive at `path` whose content does not match its CRC-32, in file
/// order. Throws checkpoint_error when the archive's directory itself is unreadable (a
/// truncated file, an all-zero file, something that is not an archive).
inline std::vector<damaged_record> damaged_records(const std::filesystem::path& path) {
  zip_detail::zip_directory_reader zip(path);
  std::vector<damaged_record> out;
  for (zip_record& r : zip.records()) {
    const std::uint32_t crc = zip.crc_of(r);
    if (crc != r.stored_crc) out.push_back({std::move(r), crc});
  }
  return out;
}

/// Every record of the archive at `path`, in directory order (throws like damaged_records).
inline std::vector<zip_record> archive_records(const std::filesystem::path& path) {
  return zip_detail::zip_directory_reader(path).records();
}

/// The bytes of one record (see damaged_records).
inline std::vector<unsigned char> record_bytes(const std::filesystem::path& path,
                                               const zip_record& record) {
  return zip_detail::zip_directory_reader(path).bytes_of(record);
}

}  // namespace gad::io
