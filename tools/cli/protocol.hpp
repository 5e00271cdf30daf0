#pragma once
// Which images train, validate and test a detector: an IDX folder (MNIST layout) cut by one of
// gad's protocol splitters, or a folder of image files in the MVTec-AD layout (--images). `train`
// and `evaluate` share these flags so that evaluating a saved model on the split it was trained
// with is the same command line minus the hyperparameters.
#include <gad/core/error.hpp>
#include <gad/core/random.hpp>
#include <gad/data/dataset.hpp>
#include <gad/data/idx.hpp>
#include <gad/data/image_folder.hpp>
#include <gad/data/splits.hpp>

#include "subsets.hpp"
#include "table_input.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <string>
#include <tuple>
#include <vector>

namespace gad_cli {

struct data_flags {
  std::string folder;
  /// --images: a folder in the MVTec-AD layout instead of --data, read with these options.
  std::string images;
  gad::data::image_folder_options image;
  /// --csv: a table instead, read with these options.
  table_flags table;
  /// two-class (ALGAN's), one-class (normal class k), anomalous-class (EGBAD/ALAD MNIST's).
  std::string protocol;
  int normal = -1;
  int anomalous = -1;
  double validation_fraction = 0.0;
  /// Keep at most this many training / validation and test samples (0 = all), drawn at random
  /// from the seed: for quick trials and smoke tests.
  std::int64_t max_train = 0;
  std::int64_t max_test = 0;
};

/// `protocol_default` is only shown: the caller resolves an empty protocol after parsing, since
/// the default depends on the model.
inline void add_data_flags(CLI::App& app, data_flags& d, const std::string& protocol_default) {
  auto* data = app.add_option("--data", d.folder,
                              "folder with <part>-images-idx3-ubyte[.gz] and "
                              "<part>-labels-idx1-ubyte[.gz] for parts train and t10k")
                   ->check(CLI::ExistingDirectory);
  auto* images = app.add_option("--images", d.images,
                                "instead of --data: a folder of PNG/JPEG/BMP files in the "
                                "MVTec-AD layout (train/good, test/good, test/<anomaly>)")
                     ->check(CLI::ExistingDirectory)
                     ->excludes(data);
  data->excludes(images);
  add_table_flags(app, d.table, data, images);
  app.add_option("--image-size", d.image.size, "--images: resize to this many pixels square")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  app.add_option("--image-channels", d.image.channels, "--images: 1 (grayscale) or 3 (RGB)")
      ->check(CLI::IsMember({1, 3}))
      ->capture_default_str();
  app.add_option("--normal-class", d.image.normal, "--images: the folder name of normal images")
      ->capture_default_str();
  app.add_flag("--skip-unreadable", d.image.skip_unreadable,
               "--images: leave out files that cannot be decoded (counted) instead of failing");
  app.add_option("--protocol", d.protocol,
                 "two-class: --normal vs --anomalous with a validation split (ALGAN's); "
                 "one-class: --normal is normal, all others anomalous; anomalous-class: "
                 "--anomalous is anomalous, all others normal (EGBAD/ALAD MNIST's, leak-free)")
      ->check(CLI::IsMember({"two-class", "one-class", "anomalous-class"}))
      ->default_str(protocol_default);
  app.add_option("--normal", d.normal, "normal class (two-class default 0, one-class default 0)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--anomalous", d.anomalous,
                 "anomalous class (two-class default 1, anomalous-class default 0)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--validation-fraction", d.validation_fraction,
                 "one-class and anomalous-class: share of the normal training images held "
                 "out as a validation set of normals (ALAD/EGBAD keep the epoch of lowest mean "
                 "score on it, ALGAN the epoch that ranks it best against pseudo-anomalies)")
      ->check(CLI::Range(0.0, 0.9))
      ->capture_default_str();
  app.add_option("--max-train", d.max_train, "use at most this many training samples (0 = all)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--max-test", d.max_test,
                 "use at most this many validation and test samples each (0 = all)")
      ->check(CLI::NonNegativeNumber);
}

/// Loads the folder and cuts it with the chosen protocol; images in [-1, 1]. `split.protocol`
/// describes the cut for result files.
/// What the data flags name, for messages and summaries.
inline std::string data_source(const data_flags& f) {
  if (!f.table.file.empty()) return f.table.file;
  return f.images.empty() ? f.folder : f.images;
}

/// `--images`: train/<normal> trains (a --validation-fraction of it held out as validation
/// normals), test/ tests. Says once how many files were resized or skipped.
inline gad::data::split load_image_folder(const data_flags& f, std::uint64_t seed) {
  const gad::data::image_folder folder = gad::data::read_image_folder(f.images, f.image);
  if (folder.resized > 0) {
    std::cerr << "gad: " << folder.resized << " images were resized to " << f.image.size << "x"
              << f.image.size << std::endl;
  }
  if (!folder.skipped.empty()) {
    std::cerr << "gad: skipped " << folder.skipped.size() << " files that cannot be decoded, "
              << "e.g. " << folder.skipped.front().string() << std::endl;
  }
  gad::data::split s;
  s.train = folder.train;
  s.test = folder.test;
  std::tie(s.train, s.validation) =
      hold_out(folder.train, f.validation_fraction, seed, "cli/image-validation");
  cap(s, f.max_train, f.max_test, seed);
  s.protocol = "image folder " + f.images + " (" + std::to_string(f.image.size) + "x" +
               std::to_string(f.image.size) + ", " + std::to_string(f.image.channels) +
               " channel(s), normal class '" + f.image.normal + "')";
  return s;
}

/// `bounded`, `recorded` and `record` concern --csv only (see load_table_split).
inline gad::data::split load_split(const data_flags& f, std::uint64_t seed, bool bounded = false,
                                   const gad::data::preprocessing* recorded = nullptr,
                                   gad::data::preprocessing* record = nullptr) {
  if (!f.images.empty()) return load_image_folder(f, seed);
  if (!f.table.file.empty()) {
    gad::data::preprocessing ignored;
    return load_table_split(f.table, f.validation_fraction, f.max_train, f.max_test, seed,
                            bounded, recorded, record != nullptr ? *record : ignored);
  }
  if (f.folder.empty()) {
    throw gad::invalid_argument("give --data (IDX files), --images (a folder) or --csv (a table)");
  }
  const gad::data::dataset train_part = gad::data::load_idx_folder(f.folder, "train");
  const gad::data::dataset test_part = gad::data::load_idx_folder(f.folder, "t10k");
  gad::data::split s;
  if (f.protocol == "two-class") {
    gad::data::algan_split_options o;
    o.normal_class = f.normal < 0 ? 0 : f.normal;
    o.anomalous_class = f.anomalous < 0 ? 1 : f.anomalous;
    if (f.validation_fraction != 0.0) {
      throw gad::invalid_argument(
          "--validation-fraction has no meaning with --protocol two-class (its validation part, "
          "with anomalies, is fixed by the reference split)");
    }
    if (o.normal_class == o.anomalous_class) {
      throw gad::invalid_argument("--normal and --anomalous must differ (both are " +
                                  std::to_string(o.normal_class) + ")");
    }
    s = gad::data::algan_reference(train_part, test_part, seed, o);
  } else if (f.protocol == "one-class") {
    if (f.anomalous >= 0) {
      throw gad::invalid_argument(
          "--anomalous has no meaning with --protocol one-class (every class but --normal is "
          "anomalous)");
    }
    s = gad::data::one_class_normal(train_part, test_part, f.normal < 0 ? 0 : f.normal, seed,
                                    f.validation_fraction);
  } else {
    if (f.normal >= 0) {
      throw gad::invalid_argument(
          "--normal has no meaning with --protocol anomalous-class (every class but "
          "--anomalous is normal)");
    }
    gad::data::one_class_anomalous_options o;
    o.validation_fraction = f.validation_fraction;
    s = gad::data::one_class_anomalous(gad::data::concat(train_part, test_part),
                                       f.anomalous < 0 ? 0 : f.anomalous, seed, o);
  }
  cap(s, f.max_train, f.max_test, seed);
  for (auto* part : {&s.train, &s.validation, &s.test}) {
    if (!part->empty()) part->images = gad::data::unit_to_symmetric(part->images);
  }
  return s;
}

/// Images or table rows to score, scaled as at training time; for a folder the file of each
/// image, for a table its labels when it has the label column.
struct scored_inputs {
  torch::Tensor images;
  std::vector<std::string> files;
  torch::Tensor labels;
};

/// The rows of the table at `path`, read and scaled the way the model's training rows were.
inline scored_inputs load_rows(const std::string& path, const gad::data::preprocessing& recorded) {
  if (recorded.source != "csv") {
    throw gad::invalid_argument(
        "this model was not trained on a table (it records no feature columns and scaling); "
        "train it with --csv");
  }
  const gad::data::table t = gad::data::read_csv(path, gad::data::table_options(recorded));
  return {gad::data::standardize(recorded, t), {}, t.rows.labels};
}

/// The images to score: an IDX file, or a folder of image files (directly in it), read the way
/// the model's training images were (`recorded`, from its preprocessing).
inline scored_inputs load_images(const std::string& path, const gad::data::preprocessing& recorded,
                                 bool skip_unreadable) {
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) {
    return {
        gad::data::unit_to_symmetric(gad::data::to_unit_range(gad::data::read_idx_images(path))),
        {},
        {}};
  }
  if (recorded.source != "image_folder") {
    throw gad::invalid_argument(
        "this model was not trained on an image folder (it records no image size and "
        "channels); score an IDX file, or train with --images");
  }
  gad::data::image_folder_options o = gad::data::image_options(recorded);
  o.skip_unreadable = skip_unreadable;
  std::vector<std::filesystem::path> skipped;
  std::int64_t resized = 0;
  const auto files = gad::data::image_files(path);
  scored_inputs in{gad::data::read_images(files, o, skipped, resized), {}, {}};
  if (in.images.size(0) == 0) throw gad::data_error("no readable image in " + path);
  if (!skipped.empty()) {
    std::cerr << "gad: skipped " << skipped.size() << " files that cannot be decoded, e.g. "
              << skipped.front().string() << std::endl;
  }
  for (const auto& f : files) {
    if (std::find(skipped.begin(), skipped.end(), f) == skipped.end())
      in.files.push_back(f.string());
  }
  return in;
}

}  // namespace gad_cli
