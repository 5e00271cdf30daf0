#pragma once
// A training callback that keeps every iteration's losses as CSV, for plotting learning curves.
#include <gad/train/callbacks.hpp>
#include <gad/core/error.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <string>
#include <system_error>

namespace gad::report {

using train::iteration_info;
using train::train_end_info;

/// Writes one CSV row per iteration: iteration,epoch,<loss names...>.
///
/// Rows go to "<path>.partial" and the file is renamed to `path` only when training ends
/// normally, so `path` never holds a truncated log; after a crash the .partial file is left
/// for inspection.
class csv_loss_log {
 public:
  explicit csv_loss_log(std::filesystem::path path)
      : path_(std::move(path)), partial_(path_.string() + ".partial") {
    if (path_.has_parent_path()) std::filesystem::create_directories(path_.parent_path());
    errno = 0;
    out_.open(partial_, std::ios::out | std::ios::trunc);
    if (!out_) fail("opening");
    out_ << std::setprecision(9);
  }

  csv_loss_log(const csv_loss_log&) = delete;
  csv_loss_log& operator=(const csv_loss_log&) = delete;

  void on_iteration_end(const iteration_info& it) {
    errno = 0;
    if (!header_written_) {
      out_ << "iteration,epoch";
      for (const auto& kv : it.losses) out_ << ',' << kv.first;
      out_ << '\n';
      header_written_ = true;
    }
    out_ << it.iteration << ',' << it.epoch;
    for (const auto& kv : it.losses) out_ << ',' << kv.second;
    out_ << '\n';
    if (!out_) fail("writing");
  }

  void on_train_end(const train_end_info&) { commit(); }

  /// Flushes and moves the log to its final name (also called by on_train_end).
  void commit() {
    if (committed_) return;
    errno = 0;
    out_.close();
    if (!out_) fail("closing");
    std::error_code ec;
    std::filesystem::rename(partial_, path_, ec);
    if (ec) {
      throw error("csv_loss_log: cannot rename " + partial_.string() + " to " + path_.string() +
                  ": " + ec.message());
    }
    committed_ = true;
  }

  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  // The system's reason where the stream left one in errno (a full disk: "No space left");
  // the half-written log goes, and a loss_log.csv of an earlier run stays as it was.
  [[noreturn]] void fail(const char* doing) {
    const int err = errno;
    out_.close();
    std::error_code ignored;
    std::filesystem::remove(partial_, ignored);
    committed_ = true;  // nothing left to commit
    throw error("csv_loss_log: cannot write " + partial_.string() + " (" + doing + ")" +
                (err != 0 ? ": " + std::string(std::strerror(err)) : std::string()));
  }

  std::filesystem::path path_;
  std::filesystem::path partial_;
  std::ofstream out_;
  bool header_written_ = false;
  bool committed_ = false;
};

}  // namespace gad::report
