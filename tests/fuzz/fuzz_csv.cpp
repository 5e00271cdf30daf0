// libFuzzer target for the CSV table reader: arbitrary bytes as a table, with the default
// options and with a semicolon separator. The reader must return a well-formed table (finite
// features [N, F], labels 0/1 [N]) or throw gad::data_error; anything else is a bug.
#include <gad/core/error.hpp>
#include <gad/data/csv_table.hpp>

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (const char separator : {',', ';'}) {
    gad::data::csv_options o;
    o.separator = separator;
    std::istringstream in(text);
    try {
      const gad::data::table t = gad::data::read_csv(in, "fuzz.csv", o);
      const auto n = t.rows.labels.numel();
      if (t.rows.images.dim() != 2 || t.rows.images.size(0) != n || n == 0 ||
          t.rows.images.size(1) != static_cast<std::int64_t>(t.feature_names.size()) ||
          !t.rows.images.isfinite().all().item<bool>() ||
          t.rows.labels.min().item<std::int64_t>() < 0 ||
          t.rows.labels.max().item<std::int64_t>() > 1) {
        __builtin_trap();
      }
    } catch (const gad::data_error&) {
    }
  }
  return 0;
}
