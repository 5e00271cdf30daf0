#pragma once
// Every field of a detector's options becomes a command-line flag ("batch_size" ->
// --batch-size) with the help text of its declaration, from the same field list that
// checkpoints use (visit_algan_options, visit_bigan_options), so a new option is a new flag
// without touching the tool.
#include <gad/alad/options_io.hpp>
#include <gad/algan/options_io.hpp>
#include <gad/core/error.hpp>
#include <gad/core/option_field.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <type_traits>
#include <vector>

namespace gad_cli {

using json = nlohmann::ordered_json;

/// "batch_size" -> "--batch-size".
inline std::string flag_name(const std::string& field) {
  std::string flag = "--" + field;
  for (char& c : flag) {
    if (c == '_') c = '-';
  }
  return flag;
}

namespace detail {
template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<c10::optional<T>> : std::true_type {};
}  // namespace detail

/// Adds one flag per field of `options` to `app`; the fields are written when the command line
/// is parsed. Returns the names of the fields so a caller can ask app.count(flag_name(...)).
template <class Options, class Visit>
std::vector<std::string> add_option_flags(CLI::App& app, Options& options, Visit visit) {
  std::vector<std::string> fields;
  visit(options, [&](const gad::option_field& declared, auto& field) {
    using T = std::decay_t<decltype(field)>;
    const std::string flag = flag_name(declared.name);
    const std::string help = declared.help;
    fields.emplace_back(declared.name);
    if constexpr (std::is_same_v<T, bool>) {
      app.add_flag(flag + ",!--no-" + std::string(flag).substr(2), field, help)
          ->capture_default_str();
    } else if constexpr (std::is_enum_v<T>) {
      using text = gad::io::enum_text<T>;
      app.add_option_function<std::string>(
             flag,
             [&field, flag](const std::string& value) {
               if (!text::from_text(value, field)) {
                 throw CLI::ValidationError(
                     flag, "unknown value '" + value + "' (known: " + text::names() + ")");
               }
             },
             help)
          ->default_str(text::to_text(field));
    } else if constexpr (detail::is_optional<T>::value) {
      app.add_option_function<typename T::value_type>(
             flag, [&field](const typename T::value_type& v) { field = v; }, help)
          ->default_str(field ? std::to_string(*field) : std::string("unset"));
    } else if constexpr (std::is_same_v<T, std::vector<std::int64_t>>) {
      app.add_option(flag, field, help)->delimiter(',')->capture_default_str();
    } else {
      app.add_option(flag, field, help)->capture_default_str();
    }
  });
  return fields;
}

/// The options as a JSON object, field by field, for result files.
template <class Options, class Visit>
json options_json(const Options& options, Visit visit) {
  json out = json::object();
  visit(options, [&](const char* name, const auto& field) {
    using T = std::decay_t<decltype(field)>;
    if constexpr (std::is_enum_v<T>) {
      out[name] = gad::io::enum_text<T>::to_text(field);
    } else if constexpr (detail::is_optional<T>::value) {
      out[name] = field ? json(*field) : json(nullptr);
    } else {
      out[name] = field;
    }
  });
  return out;
}

inline json options_json(const gad::algan_options& o) {
  return options_json(o, [](const auto& opts, auto&& f) { gad::visit_algan_options(opts, f); });
}
inline json options_json(const gad::bigan_options& o) {
  json out = options_json(o, [](const auto& opts, auto&& f) { gad::visit_bigan_options(opts, f); });
  out["network"] = o.network.name;
  return out;
}

}  // namespace gad_cli
