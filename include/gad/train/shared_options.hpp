#pragma once
// The option fields that ALGAN's and ALAD/EGBAD's options share, declared once for both
// families' field lists (visit_algan_options, visit_bigan_options), each group where the
// families list it.
#include <gad/core/option_field.hpp>

namespace gad {

/// epochs, batch_size.
template <class Options, class F>
void visit_length_options(Options& o, F&& f) {
  using d = option_domain;
  f(option_field{"epochs", "training epochs"}.in(d::positive), o.epochs);
  f(option_field{"batch_size", "samples per iteration"}.in(d::positive), o.batch_size);
}

/// Adam's beta1, beta2 and epsilon (the learning rates differ between the families).
template <class Options, class F>
void visit_adam_options(Options& o, F&& f) {
  using d = option_domain;
  f(option_field{"adam_beta1", "Adam beta1"}.in(d::unit_half_open), o.adam_beta1);
  f(option_field{"adam_beta2", "Adam beta2"}.in(d::unit_half_open), o.adam_beta2);
  f(option_field{"adam_eps", "Adam epsilon"}.in(d::positive), o.adam_eps);
}

/// When a validation runs and from when it may become the kept checkpoint.
template <class Options, class F>
void visit_selection_options(Options& o, F&& f) {
  using d = option_domain;
  f(option_field{"validate_every",
                 "validate every this many epochs (when there is a validation set)"}
        .in(d::positive),
    o.validate_every);
  f(option_field{"select_from_epoch",
                 "a validation may become the kept checkpoint once this many epochs have run"}
        .in(d::non_negative),
    o.select_from_epoch);
}

/// The fields every family's options end with, in this order: how scores become decisions,
/// then the run-time settings.
template <class Options, class F>
void visit_decision_and_runtime_options(Options& o, F&& f) {
  using d = option_domain;
  f(option_field{"score_batch_size", "samples per forward pass when scoring"}.in(d::positive),
    o.score_batch_size);
  f(option_field{"threshold", "decision threshold on the score (overrides any contamination)"}.in(
        d::finite),
    o.threshold);
  f(option_field{"contamination", "share of training scores at or above the threshold, in (0, 1)"}
        .in(d::unit_open),
    o.contamination);
  f(option_field{"seed", "master seed of every random stream"}, o.runtime.seed);
  f(option_field{"threads", "intra-op CPU threads, 0 = all hardware threads"}, o.runtime.threads);
  f(option_field{"device", "auto, cpu, cuda or cuda:N"}, o.runtime.device);
}

}  // namespace gad
