#pragma once
// What a family's field list (visit_algan_options, visit_bigan_options) says about one option
// besides its value: the one declaration that checkpoints, the `gad` tool's flags and help,
// validation and option comparisons all read, so that adding an option is one line there.

namespace gad {

/// The values an option accepts. validate() checks every field's domain through the field
/// list (gad/core/option_check.hpp); rules that tie several fields together stay hand-written.
enum class option_domain {
  any,
  positive,        // > 0 (and finite)
  non_negative,    // >= 0 (and finite)
  at_least_one,    // >= 1 (and finite)
  unit_closed,     // [0, 1]
  unit_half_open,  // [0, 1)
  unit_open,       // (0, 1)
  finite,
};

struct option_field {
  const char* name;  // as stored in files; the tool's flag is --name with '-' for '_'
  const char* help;  // one line, for --help
  // Added after the first file format: a file without it is read with the default value.
  bool added_later = false;
  option_domain domain = option_domain::any;
  const char* domain_note = "";  // said after the domain in messages, e.g. " (0 = off)"
  // Read only when the detector makes pseudo-anomalies: checked only then.
  bool pseudo_anomalies_only = false;

  constexpr option_field later() const {
    option_field f = *this;
    f.added_later = true;
    return f;
  }
  constexpr option_field in(option_domain d, const char* note = "") const {
    option_field f = *this;
    f.domain = d;
    f.domain_note = note;
    return f;
  }
  constexpr option_field for_pseudo_anomalies() const {
    option_field f = *this;
    f.pseudo_anomalies_only = true;
    return f;
  }

  // Visitors that need only the name take a `const char*`.
  operator const char*() const noexcept { return name; }  // NOLINT(google-explicit-constructor)
};

}  // namespace gad
