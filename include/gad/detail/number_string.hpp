#pragma once
// The one way gad writes a double into a message or a description: the shortest text that
// reads back to the same value ("0.1", "1e-05", "-0.5"), so a message never shows a rounded
// value that differs from the one the user gave.
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <string>

namespace gad::detail {

/// Renders a double for an error message.
inline std::string format_number(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "+inf" : "-inf";
  // Shortest precision that reads back to the same value: 0.1, not 0.10000000000000001.
  std::string text;
  for (int digits = 1; digits <= 17; ++digits) {
    std::ostringstream out;
    out.precision(digits);
    out << value;
    text = out.str();
    if (std::strtod(text.c_str(), nullptr) == value) break;
  }
  return text;
}

}  // namespace gad::detail
