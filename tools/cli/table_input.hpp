#pragma once
// `--csv FILE`: a numeric table as the training and test data of any detector. The normal rows
// are split with the seed (a --train-share trains, the rest and every anomalous row test), or
// all of them train and `--test-csv` tests. Features are scaled with statistics of the training
// rows only: standardized for ALAD and EGBAD, mapped onto [-1, 1] (and clipped) for ALGAN,
// whose generator ends in tanh. The scaling is recorded with the model, so `gad score --csv` and
// `gad evaluate --csv` read new rows the same way.
#include <gad/core/error.hpp>
#include <gad/data/csv_table.hpp>
#include <gad/data/preprocessing.hpp>
#include <gad/data/splits.hpp>

#include "subsets.hpp"

#include <torch/types.h>

#include <cmath>
#include <cstdint>
#include <iostream>
#include <string>
#include <tuple>

namespace gad_cli {

struct table_flags {
  std::string file;
  std::string test_file;
  gad::data::csv_options read;
  double train_share = 0.8;
};

inline void add_table_flags(CLI::App& app, table_flags& t, CLI::Option* data,
                            CLI::Option* images) {
  auto* csv = app.add_option("--csv", t.file,
                             "instead of --data: a numeric CSV table with a header; its normal "
                             "rows train (a --train-share of them, unless --test-csv is given)")
                  ->check(CLI::ExistingFile)
                  ->excludes(data)
                  ->excludes(images);
  data->excludes(csv);
  images->excludes(csv);
  app.add_option("--test-csv", t.test_file,
                 "--csv: test on this table instead; every normal row of --csv then trains")
      ->check(CLI::ExistingFile);
  app.add_option("--label-column", t.read.label_column, "--csv: the column that says normal or not")
      ->capture_default_str();
  app.add_option("--normal-label", t.read.normal_value, "--csv: label value of normal rows")
      ->capture_default_str();
  app.add_option("--anomalous-label", t.read.anomalous_value,
                 "--csv: label value of anomalous rows")
      ->capture_default_str();
  app.add_option("--train-share", t.train_share,
                 "--csv without --test-csv: share of the normal rows that train")
      ->check(CLI::Range(0.01, 0.99))
      ->capture_default_str();
}

namespace detail {
inline gad::data::dataset scaled(const gad::data::preprocessing& p,
                                 const std::vector<std::string>& features,
                                 const gad::data::dataset& part) {
  if (part.empty()) return part;
  gad::data::table t{part, features};
  gad::data::dataset out = part;
  out.images = gad::data::standardize(p, t);
  return out;
}
}  // namespace detail

/// The split of `t` (see the top of this header), validation normals held out with
/// `validation_fraction`. With `recorded` (a saved model's) the rows are read and scaled as
/// that model's were; otherwise the scaling is fitted on the training rows (`bounded`: onto
/// [-1, 1]) and returned in `record`.
inline gad::data::split load_table_split(const table_flags& t, double validation_fraction,
                                         std::int64_t max_train, std::int64_t max_test,
                                         std::uint64_t seed, bool bounded,
                                         const gad::data::preprocessing* recorded,
                                         gad::data::preprocessing& record) {
  gad::data::csv_options read = t.read;
  if (recorded != nullptr) {
    read = gad::data::table_options(*recorded);
    read.label_optional = false;  // evaluation needs the labels
  }
  const gad::data::table table = gad::data::read_csv(t.file, read);
  gad::data::split s;
  if (t.test_file.empty()) {
    const gad::data::table_split cut = gad::data::split_table(table, t.train_share, seed);
    s.train = cut.train;
    s.test = cut.test;
  } else {
    const gad::data::table test = gad::data::read_csv(t.test_file, read);
    if (test.feature_names != table.feature_names) {
      throw gad::data_error(t.test_file + " has other feature columns than " + t.file);
    }
    const torch::Tensor normal = table.rows.labels.eq(0);
    const std::int64_t anomalous = table.rows.size() - normal.sum().item<std::int64_t>();
    if (anomalous > 0) {
      std::cerr << "gad: " << anomalous << " anomalous rows of " << t.file
                << " are left out of training (--test-csv is the test set)" << std::endl;
    }
    s.train = gad::data::subset(table.rows, normal.nonzero().flatten());
    if (s.train.empty()) throw gad::data_error(t.file + " has no normal row to train on");
    s.test = test.rows;
  }
  std::tie(s.train, s.validation) =
      hold_out(s.train, validation_fraction, seed, "cli/table-validation");
  cap(s, max_train, max_test, seed);
  if (recorded != nullptr) {
    record = *recorded;
  } else {
    const auto z = bounded ? gad::data::standardizer::fit_range(s.train.images)
                           : gad::data::standardizer::fit(s.train.images);
    record = gad::data::record(read, table, z);
  }
  for (auto* part : {&s.train, &s.validation, &s.test}) {
    *part = detail::scaled(record, table.feature_names, *part);
  }
  s.protocol = "table " + t.file + " (" + std::to_string(table.feature_names.size()) +
               " features, label column '" + read.label_column + "'; " +
               (t.test_file.empty() ? std::to_string(std::lround(100 * t.train_share)) +
                                          " % of the normal rows train, the rest test"
                                    : "test table " + t.test_file) +
               "; " + (record.clip ? "scaled onto [-1, 1]" : "standardized") +
               " with the training rows' statistics)";
  return s;
}

}  // namespace gad_cli
