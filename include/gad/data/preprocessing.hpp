#pragma once
// How raw inputs became the tensors a detector was trained on. A detector saves it with its
// weights (set_preprocessing), so a program that scores new images or rows later reads them
// the same way without being told again: the image size and channels, or the table's feature
// columns and the standardization fitted on the training rows. Plain data: the readers
// (image_folder.hpp, csv_table.hpp) convert to and from it, so a detector header that
// includes this pulls in no decoder.
//
//   detector.set_preprocessing(gad::data::record(folder_options));  detector.save("model.gad");
//   ... later: gad::data::image_options(load_detector<D>("model.gad").preprocessing())
#include <gad/core/error.hpp>
#include <gad/io/archive.hpp>

#include <ATen/core/List.h>

#include <cstdint>
#include <string>
#include <vector>

namespace gad::data {

struct preprocessing {
  /// "" when nothing was recorded, else "image_folder" or "csv".
  std::string source;
  // image_folder
  std::int64_t size = 0;
  std::int64_t channels = 0;
  std::string normal_class;
  // csv
  std::string label_column;
  std::string normal_value;
  std::string anomalous_value;
  std::vector<std::string> features;  ///< the feature columns, in the order the model reads them
  std::vector<double> mean;           ///< per feature, subtracted ...
  std::vector<double> scale;          ///< ... then divided by
  bool clip = false;                  ///< and clamped to [-1, 1]

  bool recorded() const noexcept { return !source.empty(); }

  /// Throws invalid_argument unless this records `kind` ("image_folder", "csv").
  void require(const char* kind) const {
    if (source != kind) {
      throw invalid_argument(std::string("the model's preprocessing is ") +
                             (recorded() ? "'" + source + "'" : std::string("not recorded")) +
                             ", not '" + kind + "'");
    }
  }
};
namespace preprocessing_io {

inline void write(io::output_archive& archive, const std::string& key, const preprocessing& p) {
  io::output_archive mine = io::nested_archive(archive);
  mine.write("source", c10::IValue(p.source));
  mine.write("size", c10::IValue(p.size));
  mine.write("channels", c10::IValue(p.channels));
  mine.write("normal_class", c10::IValue(p.normal_class));
  mine.write("label_column", c10::IValue(p.label_column));
  mine.write("normal_value", c10::IValue(p.normal_value));
  mine.write("anomalous_value", c10::IValue(p.anomalous_value));
  c10::List<std::string> features;
  for (const auto& f : p.features) features.push_back(f);
  mine.write("features", c10::IValue(features));
  mine.write("mean", c10::IValue(p.mean));
  mine.write("scale", c10::IValue(p.scale));
  mine.write("clip", c10::IValue(p.clip));
  archive.write(key, mine);
}

/// What write() stored under `key`; not recorded when the file has no such section (every file
/// written before preprocessing was saved). Throws checkpoint_error for an inconsistent one.
inline preprocessing read(const io::archive_reader& archive, const std::string& key) {
  preprocessing p;
  if (!archive.has(key)) return p;
  const io::archive_reader mine = archive.child(key);
  p.source = mine.read_string("source");
  p.size = mine.read_int("size");
  p.channels = mine.read_int("channels");
  p.normal_class = mine.read_string("normal_class");
  p.label_column = mine.read_string("label_column");
  p.normal_value = mine.read_string("normal_value");
  p.anomalous_value = mine.read_string("anomalous_value");
  c10::IValue features;
  if (!mine.raw().try_read("features", features) || !features.isList()) {
    mine.fail("'features' should be a list of column names");
  }
  for (const c10::IValue& f : features.toList().vec()) {
    if (!f.isString()) mine.fail("'features' should be a list of column names");
    p.features.push_back(f.toStringRef());
  }
  p.mean = mine.read_doubles("mean");
  p.scale = mine.read_doubles("scale");
  p.clip = mine.has("clip") && mine.read_bool("clip");  // absent in the first files
  const bool images_ok =
      p.source == "image_folder" && p.size >= 1 && (p.channels == 1 || p.channels == 3);
  bool table_ok = p.source == "csv" && !p.features.empty() && p.mean.size() == p.features.size() &&
                  p.scale.size() == p.features.size();
  for (double s : p.scale) table_ok = table_ok && s > 0.0;
  if (!images_ok && !table_ok) mine.fail("the recorded preprocessing is inconsistent");
  return p;
}

}  // namespace preprocessing_io
}  // namespace gad::data
