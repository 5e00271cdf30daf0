#pragma once
// Two option sets compared field by field through a family's field list, so that a new field
// is compared without further code. Each value is rendered exactly (doubles as hexadecimal
// floats, enums by name) and the renderings are compared.
#include <gad/core/option_field.hpp>
#include <gad/io/fields.hpp>

#include <c10/util/Optional.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace gad {

namespace detail {

inline std::string exact_text(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", v);
  return buf;
}
inline std::string exact_text(const std::string& v) { return "'" + v + "'"; }
inline std::string exact_text(bool v) { return v ? "true" : "false"; }
inline std::string exact_text(const c10::optional<double>& v) {
  return v ? exact_text(*v) : std::string("unset");
}
template <class T>
std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, std::string> exact_text(T v) {
  return std::to_string(v);
}
template <class T>
std::enable_if_t<std::is_enum_v<T>, std::string> exact_text(T v) {
  return io::enum_text<T>::to_text(v);
}
template <class T>
std::string exact_text(const std::vector<T>& v) {
  std::string out = "[";
  for (const T& x : v) out += exact_text(x) + ",";
  return out + "]";
}

}  // namespace detail

/// The name of the first field, in the list's order, where `a` and `b` differ; empty when
/// they agree. `visit(o, f)` is a family's field list (visit_algan_options, ...).
template <class Options, class Visit>
std::string first_different_field(const Options& a, const Options& b, Visit visit) {
  std::vector<std::pair<std::string, std::string>> fields_a;
  visit(a, [&](const option_field& f, const auto& v) {
    fields_a.emplace_back(f.name, detail::exact_text(v));
  });
  std::size_t i = 0;
  std::string differs;
  visit(b, [&](const option_field&, const auto& v) {
    if (differs.empty() && fields_a[i].second != detail::exact_text(v)) differs = fields_a[i].first;
    ++i;
  });
  return differs;
}

}  // namespace gad
