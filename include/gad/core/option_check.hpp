#pragma once
// validate()'s per-field part: every field checked against the domain its declaration names,
// with one message shape for all of them ("<who>: epochs must be > 0, got 0").
#include <gad/core/error.hpp>
#include <gad/core/option_field.hpp>
#include <gad/detail/number_string.hpp>

#include <c10/util/Optional.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace gad {

namespace detail {

inline const char* domain_text(option_domain d) {
  switch (d) {
    case option_domain::positive:
      return "be > 0";
    case option_domain::non_negative:
      return "be >= 0";
    case option_domain::at_least_one:
      return "be >= 1";
    case option_domain::unit_closed:
      return "lie in [0, 1]";
    case option_domain::unit_half_open:
      return "lie in [0, 1)";
    case option_domain::unit_open:
      return "lie in (0, 1)";
    case option_domain::finite:
      return "be finite";
    case option_domain::any:
      break;
  }
  return "";
}

inline bool in_domain(double v, option_domain d) {
  switch (d) {
    case option_domain::positive:
      return std::isfinite(v) && v > 0.0;
    case option_domain::non_negative:
      return std::isfinite(v) && v >= 0.0;
    case option_domain::at_least_one:
      return std::isfinite(v) && v >= 1.0;
    case option_domain::unit_closed:
      return v >= 0.0 && v <= 1.0;
    case option_domain::unit_half_open:
      return v >= 0.0 && v < 1.0;
    case option_domain::unit_open:
      return v > 0.0 && v < 1.0;
    case option_domain::finite:
      return std::isfinite(v);
    case option_domain::any:
      break;
  }
  return true;
}

template <class T>
void check_domain(const std::string& who, const option_field& f, const T& v) {
  if constexpr (std::is_same_v<T, c10::optional<double>>) {
    if (v) check_domain(who, f, *v);
  } else if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
    if (in_domain(static_cast<double>(v), f.domain)) return;
    const std::string got =
        std::is_integral_v<T> ? std::to_string(v) : format_number(static_cast<double>(v));
    throw invalid_argument(who + ": " + f.name + " must " + domain_text(f.domain) + f.domain_note +
                           ", got " + got);
  } else {
    // Strings, enums (checked by name when read), lists: a domain here would be a mistake in
    // the declaration, which the option tests catch.
    if (f.domain != option_domain::any) {
      throw std::logic_error(std::string("option ") + f.name +
                             " declares a domain its type cannot have");
    }
  }
}

}  // namespace detail

/// Throws gad::invalid_argument, prefixed by `who` ("algan_options"), for the first field in
/// the list's order whose value lies outside its declared domain. Fields marked
/// pseudo_anomalies_only are checked only when `pseudo_anomalies` is true.
template <class Options, class Visit>
void check_option_domains(const Options& o, Visit visit, const std::string& who,
                          bool pseudo_anomalies = true) {
  visit(o, [&](const option_field& f, const auto& v) {
    if (f.domain == option_domain::any) return;
    if (f.pseudo_anomalies_only && !pseudo_anomalies) return;
    detail::check_domain(who, f, v);
  });
}

}  // namespace gad
