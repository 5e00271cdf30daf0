#pragma once
// Callbacks that write checkpoints while a detector trains. Both write the whole training
// state, so `detector.resume(path, train, &validation)` continues an interrupted fit exactly,
// and `gad::load_detector<D>(path)` gives a detector that scores with the saved weights.
// Writes are atomic: an interruption leaves the previous checkpoint intact.
//
//   detector.fit(train, &validation,
//                gad::train::checkpoint_every{"run/last.gad", 8},
//                gad::train::best_checkpoint{"run/best.gad"});
#include <gad/core/error.hpp>
#include <gad/train/callbacks.hpp>

#include <filesystem>
#include <string>
#include <system_error>
#include <utility>

namespace gad::train {

/// True when this run resumes (`resumed`, empty for a fresh fit) the very file it checkpoints
/// to, under any spelling of its path: the run continues its own folder, so what that folder
/// already holds (its loss log, say) belongs to it; a checkpoint from elsewhere wrote none of it.
inline bool resumes_checkpoint(const std::filesystem::path& checkpoint,
                               const std::filesystem::path& resumed) {
  std::error_code ec;
  return !resumed.empty() && std::filesystem::exists(checkpoint, ec) &&
         std::filesystem::equivalent(checkpoint, resumed, ec);
}

/// Throws gad::invalid_argument when `checkpoint` already exists and is not the file this run
/// resumes (`resumed`, empty for a fresh fit). Hours of training may live in that file, and a
/// fresh fit that checkpoints to the same path would replace it after its first epoch.
inline void refuse_to_overwrite(const std::filesystem::path& checkpoint,
                                const std::filesystem::path& resumed = {}) {
  std::error_code ec;
  if (!std::filesystem::exists(checkpoint, ec)) return;
  if (resumes_checkpoint(checkpoint, resumed)) return;
  throw invalid_argument(checkpoint.string() + " exists: continue it with --resume " +
                         checkpoint.string() + ", or choose another --out");
}

/// Saves after every `every` epochs, after the last one, and when the fit stops early
/// (also inside an epoch), so a stopped fit can always be resumed.
class checkpoint_every {
 public:
  explicit checkpoint_every(std::filesystem::path path, int every = 1)
      : path_(std::move(path)), every_(every < 1 ? 1 : every) {}

  void on_checkpoint(const checkpoint_info& c) {
    if (c.stopping ||
        (!c.inside_epoch && ((c.epoch + 1) % every_ == 0 || c.epoch + 1 == c.epochs))) {
      c.save(path_);
    }
  }

  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
  int every_;
};

/// Saves whenever a validation becomes the best so far, so the file always holds the weights
/// fit() will end up restoring.
class best_checkpoint {
 public:
  explicit best_checkpoint(std::filesystem::path path) : path_(std::move(path)) {}

  void on_checkpoint(const checkpoint_info& c) {
    if (c.improved && !c.inside_epoch) c.save(path_);
  }

  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace gad::train
