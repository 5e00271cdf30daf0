#pragma once
// What a family's field list (visit_algan_options, visit_bigan_options) says about one option
// besides its value: the one declaration that checkpoints, the `gad` tool's flags and help, and
// option comparisons all read, so that adding an option is one line there.

namespace gad {

struct option_field {
  const char* name;  // as stored in files; the tool's flag is --name with '-' for '_'
  const char* help;  // one line, for --help
  // Added after the first file format: a file without it is read with the default value.
  bool added_later = false;

  // Visitors that need only the name take a `const char*`.
  operator const char*() const noexcept { return name; }  // NOLINT(google-explicit-constructor)
};

/// The fields every family's options end with, in this order: how scores become decisions,
/// then the run-time settings.
template <class Options, class F>
void visit_decision_and_runtime_options(Options& o, F&& f) {
  f(option_field{"score_batch_size", "samples per forward pass when scoring"}, o.score_batch_size);
  f(option_field{"threshold", "decision threshold on the score (overrides any contamination)"},
    o.threshold);
  f(option_field{"contamination", "share of training scores at or above the threshold, in (0, 1)"},
    o.contamination);
  f(option_field{"seed", "master seed of every random stream"}, o.runtime.seed);
  f(option_field{"threads", "intra-op CPU threads, 0 = all hardware threads"}, o.runtime.threads);
  f(option_field{"device", "auto, cpu, cuda or cuda:N"}, o.runtime.device);
}

}  // namespace gad
