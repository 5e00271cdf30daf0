#pragma once
// A training callback that keeps every iteration's losses as CSV, for plotting learning curves.
#include <gad/train/callbacks.hpp>
#include <gad/core/error.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iterator>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

namespace gad::report {

using train::epoch_info;
using train::iteration_info;
using train::train_end_info;

/// What a new csv_loss_log does with the log an earlier run left at its path.
enum class log_start {
  fresh,      ///< start empty: a new fit
  continued,  ///< a resumed fit: keep the earlier rows before the first resumed iteration
};

/// Writes one CSV row per iteration: iteration,epoch,<loss names...>.
///
/// Rows go to "<path>.partial" and the file is renamed to `path` only when training ends
/// normally, so `path` never holds a truncated log; after a crash the .partial file is left
/// for inspection. The stream is flushed at every epoch end, before any checkpoint of that
/// epoch is written, so the rows a checkpoint covers are on disk when it exists.
///
/// With log_start::continued (for a fit resumed from a checkpoint of the run that wrote this
/// log) the earlier log is read first: "<path>.partial" when a crash left one, else `path`.
/// Its rows for iterations before the first one the resumed fit runs are kept; later rows
/// (trained after the checkpoint, so not part of the state that continues) are dropped, as is
/// a last line without its newline. A log whose header names other losses is not continued.
class csv_loss_log {
 public:
  explicit csv_loss_log(std::filesystem::path path, log_start start = log_start::fresh)
      : path_(std::move(path)), partial_(path_.string() + ".partial") {
    if (path_.has_parent_path()) std::filesystem::create_directories(path_.parent_path());
    if (start == log_start::continued) read_earlier();
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
      std::string header = "iteration,epoch";
      for (const auto& kv : it.losses) header += ',' + kv.first;
      out_ << header << '\n';
      if (!earlier_.empty() && earlier_.front() == header) {
        for (auto row = std::next(earlier_.begin()); row != earlier_.end(); ++row) {
          char* end = nullptr;
          const long long iteration = std::strtoll(row->c_str(), &end, 10);
          if (end == row->c_str() || *end != ',' || iteration >= it.iteration) break;
          out_ << *row << '\n';
        }
      }
      earlier_.clear();
      header_written_ = true;
    }
    out_ << it.iteration << ',' << it.epoch;
    for (const auto& kv : it.losses) out_ << ',' << kv.second;
    out_ << '\n';
    if (!out_) fail("writing");
  }

  void on_epoch_end(const epoch_info&) {
    errno = 0;
    out_.flush();
    if (!out_) fail("writing");
  }

  void on_train_end(const train_end_info&) { commit(); }

  /// Flushes and moves the log to its final name (also called by on_train_end).
  void commit() {
    if (committed_) return;
    errno = 0;
    // A resumed fit that stopped before its first iteration keeps the earlier log whole.
    if (!header_written_) {
      for (const auto& line : earlier_) out_ << line << '\n';
      earlier_.clear();
    }
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

  // The complete lines of the earlier log (header first), before the partial file is reopened.
  void read_earlier() {
    std::error_code ec;
    const std::filesystem::path from =
        std::filesystem::exists(partial_, ec) ? partial_ : path_;
    std::ifstream in(from, std::ios::binary);
    if (!in) return;  // no earlier log: the resumed rows start a new one
    std::ostringstream text;
    text << in.rdbuf();
    const std::string all = text.str();
    std::size_t begin = 0;
    for (std::size_t end = all.find('\n'); end != std::string::npos;
         begin = end + 1, end = all.find('\n', begin)) {
      earlier_.push_back(all.substr(begin, end - begin));
    }
  }

  std::filesystem::path path_;
  std::filesystem::path partial_;
  std::vector<std::string> earlier_;
  std::ofstream out_;
  bool header_written_ = false;
  bool committed_ = false;
};

}  // namespace gad::report
