#pragma once
// Numeric tables (CSV with a header row) as gad datasets: every column but the label column is
// a feature; the label column says which rows are normal.
//
//   gad::data::csv_options o;
//   o.label_column = "label";                       // holds 0 (normal) and 1 (anomalous)
//   gad::data::table t = gad::data::read_csv("data.csv", o);
//   gad::data::table_split s = gad::data::split_table(t, 0.8, 42);   // train: normal rows only
//   gad::data::standardizer z = gad::data::standardizer::fit(s.train.images);
//   s.train.images = z(s.train.images);  s.test.images = z(s.test.images);
//
// Cells are parsed strictly: a cell that is not a finite number, a row with another number of
// cells than the header, or a label value that is neither the normal nor the anomalous one is a
// data_error naming the file, the row (1-based, the header being row 1) and the column.
#include <gad/core/error.hpp>
#include <gad/core/random.hpp>
#include <gad/data/dataset.hpp>
#include <gad/data/preprocessing.hpp>

#include <torch/types.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <istream>
#include <string>
#include <vector>

namespace gad::data {

struct csv_options {
  std::string label_column = "label";
  std::string normal_value = "0";     ///< the label column's value for normal rows
  std::string anomalous_value = "1";  ///< and for anomalous ones
  char separator = ',';
  /// Rows to be scored may come without the label column: then every column is a feature and
  /// the table's labels are left undefined. Training and evaluation need it.
  bool label_optional = false;
};

/// A table read by read_csv: features float32 [N, F] (as dataset::images), labels int64 [N]
/// (1 = anomalous), and the feature columns' names.
struct table {
  dataset rows;
  std::vector<std::string> feature_names;
};

namespace csv_detail {

// One record: fields split at `sep`; a field may be quoted ("a, b" and "" for a quote).
inline std::vector<std::string> split_record(const std::string& line, char sep, bool& ok) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  ok = true;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == sep) {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  if (quoted) ok = false;
  for (auto& f : fields) {
    const auto first = f.find_first_not_of(" \t\r");
    const auto last = f.find_last_not_of(" \t\r");
    f = first == std::string::npos ? std::string() : f.substr(first, last - first + 1);
  }
  return fields;
}

inline bool parse_number(const std::string& cell, float& value) {
  if (cell.empty()) return false;
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(cell.c_str(), &end);
  if (end != cell.c_str() + cell.size() || errno == ERANGE || !std::isfinite(v)) return false;
  value = static_cast<float>(v);
  return std::isfinite(value);
}

}  // namespace csv_detail

/// Reads a CSV file (see the top of this header) from `in`; `name` names it in messages.
inline table read_csv(std::istream& in, const std::string& name, const csv_options& o = {}) {
  std::string line;
  if (!std::getline(in, line)) throw data_error("CSV file " + name + " is empty");
  bool ok = true;
  const std::vector<std::string> header = csv_detail::split_record(line, o.separator, ok);
  if (!ok) throw data_error("CSV file " + name + ": unbalanced quotes in the header");
  std::size_t label_at = header.size();
  table t;
  for (std::size_t c = 0; c < header.size(); ++c) {
    if (header[c] == o.label_column && label_at == header.size()) {
      label_at = c;
    } else {
      t.feature_names.push_back(header[c]);
    }
  }
  if (label_at == header.size() && !o.label_optional) {
    std::string columns;
    for (const auto& h : header) columns += (columns.empty() ? "" : ", ") + h;
    throw data_error("CSV file " + name + " has no label column '" + o.label_column +
                     "' (its columns: " + columns + ")");
  }
  if (t.feature_names.empty()) throw data_error("CSV file " + name + " has no feature column");
  const std::size_t width = t.feature_names.size();
  std::vector<float> values;
  std::vector<std::int64_t> labels;
  std::int64_t row = 1;
  while (std::getline(in, line)) {
    ++row;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;  // blank line
    const auto fields = csv_detail::split_record(line, o.separator, ok);
    const std::string where = "CSV file " + name + ", row " + std::to_string(row);
    if (!ok) throw data_error(where + ": unbalanced quotes");
    if (fields.size() != header.size()) {
      throw data_error(where + " has " + std::to_string(fields.size()) + " cells, the header " +
                       std::to_string(header.size()));
    }
    for (std::size_t c = 0; c < fields.size(); ++c) {
      if (c == label_at) {
        if (fields[c] == o.normal_value) {
          labels.push_back(0);
        } else if (fields[c] == o.anomalous_value) {
          labels.push_back(1);
        } else {
          throw data_error(where + ", column '" + header[c] + "': label '" + fields[c] +
                           "' is neither the normal value '" + o.normal_value +
                           "' nor the anomalous value '" + o.anomalous_value + "'");
        }
        continue;
      }
      float v = 0.0F;
      if (!csv_detail::parse_number(fields[c], v)) {
        throw data_error(where + ", column '" + header[c] + "': '" + fields[c] +
                         "' is not a finite number");
      }
      values.push_back(v);
    }
  }
  const auto n = static_cast<std::int64_t>(values.size() / width);
  if (n == 0) throw data_error("CSV file " + name + " has a header but no rows");
  t.rows.images =
      torch::from_blob(values.data(), {n, static_cast<std::int64_t>(width)}, torch::kFloat).clone();
  if (label_at != header.size()) t.rows.labels = torch::tensor(labels, torch::kLong);
  return t;
}

/// Reads the CSV file at `path` (see the istream overload).
inline table read_csv(const std::filesystem::path& path, const csv_options& o = {}) {
  std::ifstream in(path);
  if (!in) {
    throw data_error("cannot open CSV file " + path.string() + ": " + std::strerror(errno));
  }
  return read_csv(in, path.string(), o);
}

/// A table cut for training: `train` holds a `train_share` of the normal rows, drawn with
/// `seed`; `test` holds the other normal rows and every anomalous row, in file order.
struct table_split {
  dataset train;
  dataset test;
};

inline table_split split_table(const table& t, double train_share, std::uint64_t seed) {
  if (!(train_share > 0.0 && train_share < 1.0)) {
    throw invalid_argument("train_share must lie in (0, 1), got " + std::to_string(train_share));
  }
  const torch::Tensor normal = t.rows.labels.eq(0).nonzero().flatten();
  const std::int64_t n_normal = normal.numel();
  const auto n_train = static_cast<std::int64_t>(std::floor(train_share * n_normal));
  if (n_train < 1) {
    throw data_error("the table has " + std::to_string(n_normal) + " normal rows; a share of " +
                     std::to_string(train_share) + " leaves none to train on");
  }
  at::Generator gen = make_generator(seed);
  const torch::Tensor order = normal.index_select(0, torch::randperm(n_normal, gen, torch::kLong));
  const torch::Tensor train_rows = std::get<0>(order.slice(0, 0, n_train).sort());
  torch::Tensor in_test = torch::ones({t.rows.size()}, torch::kBool);
  in_test.index_fill_(0, train_rows, false);
  const torch::Tensor test_rows = in_test.nonzero().flatten();
  table_split s;
  s.train.images = t.rows.images.index_select(0, train_rows);
  s.train.labels = t.rows.labels.index_select(0, train_rows);
  s.test.images = t.rows.images.index_select(0, test_rows);
  s.test.labels = t.rows.labels.index_select(0, test_rows);
  return s;
}

/// Per-feature standardization, fitted on training normals and applied to every split, so no
/// statistic of the test rows reaches the model. Constant features are centred, not scaled.
/// fit_range() instead maps the training rows onto [-1, 1] and clips other rows to it, for
/// detectors whose generator ends in tanh (ALGAN).
struct standardizer {
  torch::Tensor mean;  ///< [F]
  torch::Tensor std;   ///< [F], 1 where a feature is constant
  bool clip = false;   ///< clamp the result to [-1, 1]

  static standardizer fit_range(const torch::Tensor& rows) {
    if (rows.dim() != 2 || rows.size(0) < 1) {
      throw invalid_argument("standardizer::fit_range needs rows [N, F] with N >= 1");
    }
    standardizer z;
    const torch::Tensor lo = std::get<0>(rows.min(0));
    const torch::Tensor hi = std::get<0>(rows.max(0));
    z.mean = (hi + lo) / 2;
    z.std = (hi - lo) / 2;
    z.std = torch::where(z.std > 1e-12, z.std, torch::ones_like(z.std));
    z.clip = true;
    return z;
  }

  static standardizer fit(const torch::Tensor& rows) {
    if (rows.dim() != 2 || rows.size(0) < 1) {
      throw invalid_argument("standardizer::fit needs rows [N, F] with N >= 1");
    }
    standardizer z;
    z.mean = rows.mean(0);
    z.std = rows.size(0) > 1 ? rows.std(0, /*unbiased=*/false) : torch::ones_like(z.mean);
    z.std = torch::where(z.std > 1e-12, z.std, torch::ones_like(z.std));
    return z;
  }
  torch::Tensor operator()(const torch::Tensor& rows) const {
    if (rows.dim() != 2 || rows.size(1) != mean.numel()) {
      throw invalid_argument("standardizer: rows have " +
                             std::to_string(rows.dim() == 2 ? rows.size(1) : -1) +
                             " features, it was fitted on " + std::to_string(mean.numel()));
    }
    const torch::Tensor out = (rows - mean) / std;
    return clip ? out.clamp(-1.0, 1.0) : out;
  }
};

/// The record a detector saves (set_preprocessing): the label encoding, the feature columns and
/// the standardization fitted on the training rows.
inline preprocessing record(const csv_options& o, const table& t, const standardizer& z) {
  preprocessing p;
  p.source = "csv";
  p.label_column = o.label_column;
  p.normal_value = o.normal_value;
  p.anomalous_value = o.anomalous_value;
  p.features = t.feature_names;
  const torch::Tensor mean = z.mean.to(torch::kDouble).contiguous();
  const torch::Tensor scale = z.std.to(torch::kDouble).contiguous();
  p.mean.assign(mean.data_ptr<double>(), mean.data_ptr<double>() + mean.numel());
  p.scale.assign(scale.data_ptr<double>(), scale.data_ptr<double>() + scale.numel());
  p.clip = z.clip;
  return p;
}

/// The reading options of a csv record, for rows to score (label column optional);
/// invalid_argument for another kind of record.
inline csv_options table_options(const preprocessing& p) {
  p.require("csv");
  csv_options o;
  o.label_column = p.label_column;
  o.normal_value = p.normal_value;
  o.anomalous_value = p.anomalous_value;
  o.label_optional = true;  // new rows to score need no labels
  return o;
}

/// `t`'s features standardized as at training time; data_error when its feature columns are
/// not the recorded ones.
inline torch::Tensor standardize(const preprocessing& p, const table& t) {
  p.require("csv");
  if (t.feature_names != p.features) {
    std::string cols;
    for (const auto& f : p.features) cols += (cols.empty() ? "" : ", ") + f;
    throw data_error("the table's feature columns differ from the model's (" + cols + ")");
  }
  const auto f = static_cast<std::int64_t>(p.features.size());
  const torch::Tensor m = torch::tensor(p.mean, torch::kDouble).reshape({1, f});
  const torch::Tensor s = torch::tensor(p.scale, torch::kDouble).reshape({1, f});
  const torch::Tensor out = ((t.rows.images.to(torch::kDouble) - m) / s).to(torch::kFloat);
  return p.clip ? out.clamp(-1.0, 1.0) : out;
}

}  // namespace gad::data
