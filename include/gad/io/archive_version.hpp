#pragma once
// The file format version a LibTorch archive declares, checked against the range this LibTorch
// reads before its reader is handed the file. LibTorch checks the same itself, but from inside
// its reader's constructor, where a throw leaks the reader's zip state; and a file written by a
// newer LibTorch deserves an error that says so rather than LibTorch's internal message.
#include <gad/core/error.hpp>
#include <gad/io/record_checksums.hpp>

#include <caffe2/serialize/versions.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace gad::io {

/// Throws checkpoint_error unless the archive at `path` (whose records are `records`, already
/// checked against their checksums) holds a readable version record this LibTorch supports.
inline void check_archive_version(const std::filesystem::path& path,
                                  const std::vector<zip_record>& records) {
  const auto fail = [&](const std::string& why) {
    throw checkpoint_error("cannot read checkpoint " + path.string() + ": " + why);
  };
  const zip_record* chosen = version_record(records);
  if (chosen == nullptr) fail("not a gad checkpoint or corrupt (it has no version record)");
  if (chosen->deflated || chosen->size > 64) {
    fail("not a gad checkpoint or corrupt (its version record is not a short plain number)");
  }
  const std::vector<unsigned char> text = record_bytes(path, *chosen);
  // LibTorch writes the number and a newline; accept surrounding white space, nothing else.
  std::size_t at = 0;
  const auto space = [](unsigned char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
  };
  while (at < text.size() && space(text[at])) ++at;
  std::uint64_t version = 0;
  std::size_t digits = 0;
  for (; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at, ++digits) {
    if (digits == 18) fail("not a gad checkpoint or corrupt (its version number is too long)");
    version = version * 10 + static_cast<std::uint64_t>(text[at] - '0');
  }
  while (at < text.size() && space(text[at])) ++at;
  if (digits == 0 || at != text.size()) {
    fail("not a gad checkpoint or corrupt (its version record is not a number)");
  }
  const std::uint64_t low = caffe2::serialize::kMinSupportedFileFormatVersion;
  const std::uint64_t high = caffe2::serialize::kMaxSupportedFileFormatVersion;
  if (version < low || version > high) {
    fail("its LibTorch file format version is " + std::to_string(version) +
         " and this LibTorch reads versions " + std::to_string(low) + " to " +
         std::to_string(high) + (version > high ? " (written by a newer LibTorch?)" : ""));
  }
}

}  // namespace gad::io
