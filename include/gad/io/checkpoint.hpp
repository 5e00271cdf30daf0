#pragma once
// The checkpoint file every gad detector writes: a LibTorch archive whose header names the
// format version, the training family and the policies, so that a checkpoint is never loaded
// into a detector it was not made by.
//
//   detector.save("model.gad");                               // atomic
//   auto d = gad::load_detector<gad::algan<>>("model.gad");   // options from the file
//   gad::checkpoint_summary s = gad::inspect_checkpoint("model.gad");
#include <gad/core/error.hpp>
#include <gad/core/runtime.hpp>
#include <gad/io/archive.hpp>

#include <c10/util/Optional.h>

#include <cstdint>
#include <filesystem>
#include <string>

namespace gad {

/// Bumped whenever a checkpoint written by a newer gad could be misread by an older one.
inline constexpr std::int64_t checkpoint_format_version = 1;

/// What a checkpoint says about itself (see inspect_checkpoint).
struct checkpoint_summary {
  std::int64_t format_version = 0;
  std::string family;    ///< "algan" or "bigan"
  std::string policies;  ///< gad::policy_signature of the detector that wrote it
  bool fitted = false;   ///< holds weights that can score
  /// Written during fit() (by a checkpoint callback): resume() can continue the training.
  bool resumable = false;
  int next_epoch = 0;  ///< for a resumable checkpoint, the first epoch still to train
  /// Iterations of next_epoch already trained (a fit stopped inside that epoch), else 0.
  std::int64_t in_epoch = 0;
};

namespace io {

inline void write_header(output_archive& a, const std::string& family,
                         const std::string& policies) {
  a.write("gad_format_version", c10::IValue(checkpoint_format_version));
  a.write("gad_family", c10::IValue(family));
  a.write("gad_policies", c10::IValue(policies));
}

inline checkpoint_summary read_summary(const archive_reader& r) {
  if (!r.has("gad_format_version")) {
    r.fail("not a gad checkpoint (no gad_format_version entry)");
  }
  checkpoint_summary s;
  s.format_version = r.read_int("gad_format_version");
  if (s.format_version > checkpoint_format_version || s.format_version < 1) {
    r.fail("format version " + std::to_string(s.format_version) +
           ", this gad reads versions 1 to " + std::to_string(checkpoint_format_version));
  }
  s.family = r.read_string("gad_family");
  s.policies = r.read_string("gad_policies");
  s.fitted = r.read_bool("fitted");
  s.resumable = r.has("training");
  if (s.resumable) {
    const archive_reader loop = r.child("training").child("loop");
    s.next_epoch = static_cast<int>(loop.read_int("next_epoch"));
    s.in_epoch = loop.has("in_epoch") ? loop.read_int("in_epoch") : 0;
  }
  return s;
}

/// Fails unless the checkpoint was written by a detector of this family and these policies.
inline void check_header(const archive_reader& r, const std::string& family,
                         const std::string& policies) {
  const checkpoint_summary s = read_summary(r);
  if (s.family != family || s.policies != policies) {
    r.fail("it was written by a detector with " + s.policies + " (" + s.family +
           " family); this detector has " + policies + " (" + family + " family)");
  }
}

}  // namespace io

/// Reads a checkpoint's header without loading any weights.
inline checkpoint_summary inspect_checkpoint(const std::filesystem::path& path) {
  return io::read_summary(io::archive_reader(path));
}

/// A detector of type Detector built with the options stored in the checkpoint and holding its
/// weights and threshold. `runtime`, when given, replaces the stored device and thread count
/// (the seed stays the checkpoint's, so a resumed fit draws the same numbers).
template <class Detector>
Detector load_detector(const std::filesystem::path& path,
                       const c10::optional<runtime_options>& runtime = c10::nullopt) {
  const io::archive_reader r(path);
  io::check_header(r, Detector::family_name(), Detector::signature());
  typename Detector::options_type options = Detector::read_options(r);
  if (runtime) {
    options.runtime.device = runtime->device;
    options.runtime.threads = runtime->threads;
  }
  Detector detector(options);
  detector.load(path);
  return detector;
}

}  // namespace gad
