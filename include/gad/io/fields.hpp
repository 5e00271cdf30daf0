#pragma once
// Writing and reading named option fields of the types gad's option structs use. The option
// structs list their fields once, in a visit function (gad/algan/options_io.hpp,
// gad/alad/options_io.hpp); checkpoints store them with write_field and read them back with
// read_field, and the command-line tool turns the same list into flags.
#include <gad/core/option_field.hpp>
#include <gad/core/precision.hpp>
#include <gad/io/archive.hpp>

#include <c10/util/Optional.h>

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace gad::io {

/// Enumerations that have a text form: specialize with to_text / from_text (returns false on an
/// unknown name) and a list of the names for messages; enum_text_of below writes all three.
template <class Enum>
struct enum_text;

/// enum_text of an enumeration with a to_string(Enum) beside it (found by argument-dependent
/// lookup), listing every value once:
///   template <> struct enum_text<E> : enum_text_of<E, E::a, E::b> {};
template <class Enum, Enum... Values>
struct enum_text_of {
  static const char* to_text(Enum e) { return to_string(e); }
  static bool from_text(const std::string& s, Enum& e) {
    for (Enum v : {Values...}) {
      if (s == to_text(v)) {
        e = v;
        return true;
      }
    }
    return false;
  }
  static std::string names() {
    std::string out;
    for (Enum v : {Values...}) out += (out.empty() ? "" : ", ") + std::string(to_text(v));
    return out;
  }
};

inline void write_field(output_archive& a, const std::string& key, std::int64_t v) {
  a.write(key, c10::IValue(v));
}
inline void write_field(output_archive& a, const std::string& key, int v) {
  a.write(key, c10::IValue(static_cast<std::int64_t>(v)));
}
// Seeds use all 64 bits: stored as the int64 with the same bit pattern.
inline void write_field(output_archive& a, const std::string& key, std::uint64_t v) {
  a.write(key, c10::IValue(static_cast<std::int64_t>(v)));
}
inline void write_field(output_archive& a, const std::string& key, double v) {
  a.write(key, c10::IValue(v));
}
inline void write_field(output_archive& a, const std::string& key, bool v) {
  a.write(key, c10::IValue(v));
}
inline void write_field(output_archive& a, const std::string& key, const std::string& v) {
  a.write(key, c10::IValue(v));
}
inline void write_field(output_archive& a, const std::string& key,
                        const std::vector<std::int64_t>& v) {
  a.write(key, c10::IValue(v));
}
inline void write_field(output_archive& a, const std::string& key, const std::vector<double>& v) {
  a.write(key, c10::IValue(v));
}
/// An unset optional is stored as its absence.
inline void write_field(output_archive& a, const std::string& key, const c10::optional<double>& v) {
  if (v) a.write(key, c10::IValue(*v));
}
template <class Enum, class = std::enable_if_t<std::is_enum_v<Enum>>>
void write_field(output_archive& a, const std::string& key, Enum v) {
  a.write(key, c10::IValue(std::string(enum_text<Enum>::to_text(v))));
}

inline void read_field(const archive_reader& r, const std::string& key, std::int64_t& v) {
  v = r.read_int(key);
}
inline void read_field(const archive_reader& r, const std::string& key, int& v) {
  const std::int64_t x = r.read_int(key);
  if (x < INT32_MIN || x > INT32_MAX) r.fail("entry '" + key + "' is out of range");
  v = static_cast<int>(x);
}
inline void read_field(const archive_reader& r, const std::string& key, std::uint64_t& v) {
  v = static_cast<std::uint64_t>(r.read_int(key));
}
inline void read_field(const archive_reader& r, const std::string& key, double& v) {
  v = r.read_double(key);
}
inline void read_field(const archive_reader& r, const std::string& key, bool& v) {
  v = r.read_bool(key);
}
inline void read_field(const archive_reader& r, const std::string& key, std::string& v) {
  v = r.read_string(key);
}
inline void read_field(const archive_reader& r, const std::string& key,
                       std::vector<std::int64_t>& v) {
  v = r.read_ints(key);
}
inline void read_field(const archive_reader& r, const std::string& key, std::vector<double>& v) {
  v = r.read_doubles(key);
}
inline void read_field(const archive_reader& r, const std::string& key, c10::optional<double>& v) {
  v = r.has(key) ? c10::optional<double>(r.read_double(key)) : c10::nullopt;
}
template <class Enum, class = std::enable_if_t<std::is_enum_v<Enum>>>
void read_field(const archive_reader& r, const std::string& key, Enum& v) {
  const std::string text = r.read_string(key);
  if (!enum_text<Enum>::from_text(text, v)) {
    r.fail("entry '" + key + "' has the unknown value '" + text +
           "' (known: " + enum_text<Enum>::names() + ")");
  }
}

template <>
struct enum_text<precision> : enum_text_of<precision, precision::float32, precision::bfloat16> {};

/// read_field for a field list that grew: a field marked added_later keeps the value it has
/// (its default) when the file lacks it, so files written by earlier versions still load and
/// train as they did; every other field stays required.
template <class T>
void read_option_field(const archive_reader& r, const option_field& field, T& v) {
  if (field.added_later && !r.has(field.name)) return;
  read_field(r, field.name, v);
}

}  // namespace gad::io
