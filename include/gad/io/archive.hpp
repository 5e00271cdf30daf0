#pragma once
// Typed access to LibTorch archives for gad's checkpoints.
//
// LibTorch's own InputArchive reports a missing key as an internal error and, worse, loads a
// tensor of another shape by silently resizing the destination. Checkpoints are user input, so
// everything read here is checked (every record's checksum, then presence, type, shape) and
// every failure is a gad::checkpoint_error naming the file and the key or damaged tensor. Writes go
// through write_atomically(): the archive is written next to its destination and renamed over it,
// so a crash or a full disk never leaves a half-written checkpoint nor destroys the previous one.
#include <gad/core/error.hpp>
#include <gad/detail/shape_string.hpp>
#include <gad/io/archive_version.hpp>
#include <gad/io/atomic_file.hpp>
#include <gad/io/record_checksums.hpp>

#include <ATen/core/Generator.h>
#include <torch/nn/module.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace gad::io {

using output_archive = torch::serialize::OutputArchive;

/// A nested archive sharing `parent`'s compilation unit, to be written under a key when full.
inline output_archive nested_archive(const output_archive& parent) {
  return output_archive(parent.compilation_unit());
}

/// Writes `archive` to `path` with write_bytes_atomically. The archive is serialized in memory
/// first: LibTorch's file writer aborts the process (from a destructor) when the disk fills.
/// Creates the folder.
inline void write_atomically(output_archive& archive, const std::filesystem::path& path) {
  std::error_code ec;
  if (path.has_parent_path()) {
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) {
      throw checkpoint_error("cannot create the folder of " + path.string() + ": " + ec.message());
    }
  }
  std::string bytes;
  try {
    archive.save_to([&bytes](const void* data, std::size_t n) -> std::size_t {
      bytes.append(static_cast<const char*>(data), n);
      return n;
    });
  } catch (const std::exception& e) {
    throw checkpoint_error("cannot write checkpoint " + path.string() + ": " + e.what());
  }
  write_bytes_atomically<checkpoint_error>(path, bytes.data(), bytes.size());
}

/// Writes every parameter and buffer of `module` (recursively, one nested archive per child)
/// under `key`.
inline void write_module(output_archive& archive, const std::string& key,
                         const torch::nn::Module& module) {
  output_archive mine = nested_archive(archive);
  for (const auto& p : module.named_parameters(/*recurse=*/false)) {
    mine.write(p.key(), p.value().detach().to(torch::kCPU));
  }
  for (const auto& b : module.named_buffers(/*recurse=*/false)) {
    mine.write(b.key(), b.value().detach().to(torch::kCPU), /*is_buffer=*/true);
  }
  for (const auto& child : module.named_children()) write_module(mine, child.key(), *child.value());
  archive.write(key, mine);
}

/// Generator state (a byte tensor), so that a resumed run draws the numbers the interrupted one
/// would have drawn.
inline void write_generator(output_archive& archive, const std::string& key,
                            const at::Generator& gen) {
  archive.write(key, gen.get_state());
}

/// Tensor copies that are applied only after every one of them was read and checked, so a bad
/// checkpoint leaves the destination untouched.
class staged_copies {
 public:
  void add(torch::Tensor destination, torch::Tensor source) {
    copies_.emplace_back(std::move(destination), std::move(source));
  }
  void apply() {
    torch::NoGradGuard no_grad;
    for (auto& [dst, src] : copies_) dst.copy_(src);
    copies_.clear();
  }

 private:
  std::vector<std::pair<torch::Tensor, torch::Tensor>> copies_;
};

/// A checkpoint opened for reading. Every accessor throws gad::checkpoint_error naming the file
/// and the key when the entry is missing or of the wrong kind.
class archive_reader {
 public:
  explicit archive_reader(const std::filesystem::path& path) : file_(path.string()) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      throw checkpoint_error("cannot read checkpoint " + file_ + ": no such file");
    }
    // Checked before LibTorch parses anything: it trusts every byte it reads, and damaged
    // code or index records can crash it. Damaged tensor data alone is harmless to parse, so
    // the archive is then read to name the tensors that were hit.
    const std::vector<damaged_record> damaged = damaged_records(path);
    bool only_tensor_data = true;
    for (const damaged_record& d : damaged) only_tensor_data &= is_tensor_data(d.record.name);
    if (!only_tensor_data) throw_damaged(damaged, /*readable=*/false);
    check_archive_version(path, archive_records(path));
    archive_ = std::make_shared<torch::serialize::InputArchive>();
    try {
      archive_->load_from(file_);
    } catch (const std::exception& e) {
      if (!damaged.empty()) throw_damaged(damaged, /*readable=*/false);
      throw checkpoint_error("cannot read checkpoint " + file_ +
                             ": not a gad checkpoint or corrupt (" + first_line(e.what()) + ")");
    }
    if (!damaged.empty()) throw_damaged(damaged, /*readable=*/true);
  }

  const std::string& file() const noexcept { return file_; }

  bool has(const std::string& key) const {
    c10::IValue v;  // values, tensors and sections are all attributes of the archive
    return archive_->try_read(key, v);
  }

  std::int64_t read_int(const std::string& key) const {
    const c10::IValue v = value(key);
    if (!v.isInt()) wrong_kind(key, "an integer");
    return v.toInt();
  }
  double read_double(const std::string& key) const {
    const c10::IValue v = value(key);
    if (v.isDouble()) return v.toDouble();
    if (v.isInt()) return static_cast<double>(v.toInt());
    wrong_kind(key, "a number");
  }
  bool read_bool(const std::string& key) const {
    const c10::IValue v = value(key);
    if (!v.isBool()) wrong_kind(key, "a boolean");
    return v.toBool();
  }
  std::string read_string(const std::string& key) const {
    const c10::IValue v = value(key);
    if (!v.isString()) wrong_kind(key, "a string");
    return v.toStringRef();
  }
  std::vector<std::int64_t> read_ints(const std::string& key) const {
    const c10::IValue v = value(key);
    if (!v.isIntList()) wrong_kind(key, "a list of integers");
    return v.toIntVector();
  }
  std::vector<double> read_doubles(const std::string& key) const {
    const c10::IValue v = value(key);
    if (!v.isDoubleList()) wrong_kind(key, "a list of numbers");
    return v.toDoubleVector();
  }

  torch::Tensor read_tensor(const std::string& key) const {
    torch::Tensor t;
    if (!archive_->try_read(key, t)) missing(key, "a tensor");
    return t;
  }

  /// A tensor that must have `shape` (and, unless undefined, `dtype`).
  torch::Tensor read_tensor(const std::string& key, c10::IntArrayRef shape,
                            c10::ScalarType dtype) const {
    torch::Tensor t = read_tensor(key);
    if (t.sizes() != shape || t.scalar_type() != dtype) {
      throw checkpoint_error("checkpoint " + file_ + ": '" + where(key) + "' is " +
                             std::string(c10::toString(t.scalar_type())) + " " +
                             detail::shape_string(t) + ", this detector needs " +
                             std::string(c10::toString(dtype)) + " " + shape_of(shape) +
                             " (was the checkpoint made with other network sizes?)");
    }
    return t;
  }

  archive_reader child(const std::string& key) const {
    archive_reader out(*this);
    out.archive_ = std::make_shared<torch::serialize::InputArchive>();
    if (!archive_->try_read(key, *out.archive_)) missing(key, "a section");
    out.prefix_ = where(key) + "/";
    return out;
  }

  /// Checks that the archive under `key` holds a tensor of the right shape and dtype for every
  /// parameter and buffer of `module`, and stages the copies into it.
  void stage_module(const std::string& key, torch::nn::Module& module,
                    staged_copies& copies) const {
    const archive_reader mine = child(key);
    for (const auto& p : module.named_parameters(/*recurse=*/false)) {
      copies.add(p.value(), mine.read_tensor(p.key(), p.value().sizes(), p.value().scalar_type()));
    }
    for (const auto& b : module.named_buffers(/*recurse=*/false)) {
      copies.add(b.value(), mine.read_tensor(b.key(), b.value().sizes(), b.value().scalar_type()));
    }
    for (const auto& c : module.named_children()) mine.stage_module(c.key(), *c.value(), copies);
  }

  /// Restores a generator written by write_generator.
  void read_generator(const std::string& key, at::Generator& gen) const {
    const torch::Tensor state = read_tensor(key);
    try {
      gen.set_state(state);
    } catch (const std::exception& e) {
      throw checkpoint_error("checkpoint " + file_ + ": '" + where(key) +
                             "' is not a valid generator state (" + first_line(e.what()) + ")");
    }
  }

  /// The raw LibTorch archive, for readers that LibTorch provides (optimizers).
  torch::serialize::InputArchive& raw() const { return *archive_; }

  [[noreturn]] void fail(const std::string& message) const {
    throw checkpoint_error("checkpoint " + file_ + ": " + message);
  }

 private:
  c10::IValue value(const std::string& key) const {
    c10::IValue v;
    if (!archive_->try_read(key, v)) missing(key, "a value");
    return v;
  }
  std::string where(const std::string& key) const { return prefix_ + key; }

  [[noreturn]] void missing(const std::string& key, const char* what) const {
    fail("missing entry '" + where(key) + "' (" + what +
         "); the file is incomplete or was written by another program");
  }
  [[noreturn]] void wrong_kind(const std::string& key, const char* what) const {
    fail("entry '" + where(key) + "' should be " + what);
  }

  // Names what each damaged record holds: a storage record is matched, by its bytes, with the
  // tensor(s) LibTorch loaded from it; the pickled index holds every non-tensor value.
  [[noreturn]] void throw_damaged(const std::vector<damaged_record>& damaged, bool readable) const {
    std::vector<std::string> parts;
    for (const damaged_record& d : damaged) {
      const std::string& name = d.record.name;
      std::string part;
      if (inner_name(name) == "data.pkl") {
        part = "the header, options and other values (record " + name + ")";
      } else if (is_tensor_data(name) && readable) {
        const std::vector<unsigned char> bytes = record_bytes(file_, d.record);
        std::vector<std::string> holders;
        find_tensors(*archive_, "", bytes, holders);
        part = holders.empty() ? "tensor data (record " + name + ")"
                               : "tensor " + join(holders) + " (record " + name + ")";
      } else {
        part = "record " + name;
      }
      char crc[64];
      std::snprintf(crc, sizeof crc, ": stored CRC-32 %08x, content %08x",
                    static_cast<unsigned>(d.record.stored_crc),
                    static_cast<unsigned>(d.computed_crc));
      parts.push_back(part + crc);
    }
    throw checkpoint_error("checkpoint " + file_ + " is damaged, its content does not match " +
                           "the checksums stored with it: " + join(parts, "; ") +
                           "; restore the file from a copy or train again");
  }

  // Record names are "<archive>/<inner>"; tensor storages are "<archive>/data/<n>".
  static std::string inner_name(const std::string& name) {
    const auto slash = name.find('/');
    return slash == std::string::npos ? name : name.substr(slash + 1);
  }
  static bool is_tensor_data(const std::string& name) {
    return inner_name(name).rfind("data/", 0) == 0;
  }

  static void find_tensors(torch::serialize::InputArchive& archive, const std::string& prefix,
                           const std::vector<unsigned char>& bytes,
                           std::vector<std::string>& holders) {
    for (const std::string& key : archive.keys()) {
      c10::IValue v;
      if (!archive.try_read(key, v)) continue;
      if (v.isTensor()) {
        const c10::Storage& s = v.toTensor().storage();
        if (s.nbytes() == bytes.size() &&
            (bytes.empty() || std::memcmp(s.data_ptr().get(), bytes.data(), bytes.size()) == 0)) {
          holders.push_back("'" + prefix + key + "'");
        }
      } else if (v.isObject()) {
        torch::serialize::InputArchive child;
        if (archive.try_read(key, child)) find_tensors(child, prefix + key + "/", bytes, holders);
      }
    }
  }

  static std::string join(const std::vector<std::string>& items, const char* sep = ", ") {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
    return out;
  }

  static std::string shape_of(c10::IntArrayRef shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
  }
  static std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

  std::string file_;
  std::string prefix_;
  std::shared_ptr<torch::serialize::InputArchive> archive_;
};

}  // namespace gad::io
