#pragma once
// Folders of PNG, JPEG or BMP images as gad datasets, in the layout of MVTec-AD:
//
//   root/train/good/*.png         training images, all normal
//   root/test/good/*.png          normal test images             (label 0)
//   root/test/<defect>/*.png      anomalous test images          (label 1, class = folder)
//
//   gad::data::image_folder_options o;   // 64x64 grayscale, normal class "good"
//   gad::data::image_folder data = gad::data::read_image_folder("mvtec/bottle", o);
//   detector.fit(data.train);
//
// Every image is decoded (stb_image, from Debian's libstb-dev), converted to the chosen number
// of channels, resized to size x size and scaled from [0, 255] to [-1, 1], the range the
// detectors train on. Files are read in byte order of their names, so the same folder gives
// the same tensors everywhere. Memory: the output tensor plus one decoded image at a time.
//
// stb_image's implementation is compiled static into each translation unit that includes this
// header (as canvas.hpp does for stb_image_write); a program that includes <stb/stb_image.h>
// itself first provides its own.
#include <gad/core/error.hpp>
#include <gad/data/dataset.hpp>
#include <gad/data/preprocessing.hpp>

#ifndef STBI_INCLUDE_STB_IMAGE_H
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#endif
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_ONLY_BMP
#include <stb/stb_image.h>
#undef STB_IMAGE_IMPLEMENTATION
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
#endif

#include <torch/nn/functional/upsampling.h>
#include <torch/types.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

namespace gad::data {

struct image_folder_options {
  std::int64_t size = 64;       ///< output height and width
  std::int64_t channels = 1;    ///< 1 (grayscale) or 3 (RGB)
  std::string normal = "good";  ///< the folder name of the normal class
  /// Skip files that cannot be decoded (counted in image_folder::skipped) instead of failing.
  bool skip_unreadable = false;
};

/// What read_image_folder read, and what it had to do to read it.
struct image_folder {
  dataset train;  ///< train/<normal>; labels 0
  /// test/*; labels 1 = anomalous; classes index class_names. Empty without a test folder.
  dataset test;
  std::vector<std::string> class_names;           ///< the test subfolders, sorted
  std::vector<std::filesystem::path> test_files;  ///< one per test row, in row order
  std::vector<std::filesystem::path> skipped;     ///< undecodable files (skip_unreadable)
  std::int64_t resized = 0;                       ///< images whose own size was not size x size
};

namespace image_detail {

inline bool has_image_extension(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp";
}

inline void check_options(const image_folder_options& o) {
  if (o.size < 1 || o.size > 4096) {
    throw invalid_argument("image size must be in [1, 4096], got " + std::to_string(o.size));
  }
  if (o.channels != 1 && o.channels != 3) {
    throw invalid_argument("images must be read with 1 or 3 channels, got " +
                           std::to_string(o.channels));
  }
}

// [1, C, h, w] floats in [0, 255] to [C, size, size]: area averaging when shrinking (no
// aliasing), bilinear otherwise.
inline torch::Tensor resize(const torch::Tensor& image, std::int64_t size) {
  namespace F = torch::nn::functional;
  const bool shrinking = image.size(2) >= size && image.size(3) >= size;
  auto how = F::InterpolateFuncOptions().size(std::vector<std::int64_t>{size, size});
  if (shrinking) {
    how.mode(torch::kArea);
  } else {
    how.mode(torch::kBilinear).align_corners(false);
  }
  return F::interpolate(image, how).squeeze(0).clamp(0, 255);
}

}  // namespace image_detail

/// The image files directly in `folder` (.png, .jpg, .jpeg, .bmp in any case), in byte order
/// of their names. Throws data_error when the folder does not exist.
inline std::vector<std::filesystem::path> image_files(const std::filesystem::path& folder) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) {
    throw data_error("image folder " + folder.string() + " does not exist");
  }
  std::vector<fs::path> out;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code kind;
    if (it->is_regular_file(kind) && image_detail::has_image_extension(it->path())) {
      out.push_back(it->path());
    }
  }
  if (ec) throw data_error("cannot list " + folder.string() + ": " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

/// Decodes `files` into float32 [N, channels, size, size] in [-1, 1]. An undecodable file is a
/// data_error naming it and the decoder's reason, or, with skip_unreadable, is left out and
/// appended to `skipped`. `resized` counts the images whose own size differed.
inline torch::Tensor read_images(const std::vector<std::filesystem::path>& files,
                                 const image_folder_options& o,
                                 std::vector<std::filesystem::path>& skipped,
                                 std::int64_t& resized) {
  image_detail::check_options(o);
  const auto n = static_cast<std::int64_t>(files.size());
  torch::Tensor out = torch::empty({n, o.channels, o.size, o.size}, torch::kFloat);
  std::int64_t row = 0;
  for (const auto& file : files) {
    int w = 0;
    int h = 0;
    int own = 0;
    const std::unique_ptr<stbi_uc, void (*)(void*)> pixels(
        stbi_load(file.c_str(), &w, &h, &own, static_cast<int>(o.channels)), stbi_image_free);
    if (!pixels) {
      if (o.skip_unreadable) {
        skipped.push_back(file);
        continue;
      }
      throw data_error("cannot read image " + file.string() + ": " + stbi_failure_reason() +
                       " (skip such files with skip_unreadable / --skip-unreadable)");
    }
    // HWC bytes to [1, C, H, W] floats; from_blob does not copy, the float conversion does.
    const torch::Tensor hwc = torch::from_blob(pixels.get(), {h, w, o.channels}, torch::kUInt8);
    torch::Tensor chw = hwc.permute({2, 0, 1}).unsqueeze(0).to(torch::kFloat);
    if (h != o.size || w != o.size) {
      ++resized;
      chw = image_detail::resize(chw, o.size);
    } else {
      chw = chw.squeeze(0);
    }
    out[row++].copy_(chw.div(127.5).sub(1.0));
  }
  return out.slice(0, 0, row);
}

/// Reads `root` in the MVTec-AD layout (see the top of this header). Throws data_error for a
/// missing root or train/<normal> folder, a class folder without images, and unreadable images
/// (unless skipped); invalid_argument for bad options.
inline image_folder read_image_folder(const std::filesystem::path& root,
                                      const image_folder_options& o = {}) {
  namespace fs = std::filesystem;
  image_detail::check_options(o);
  std::error_code ec;
  if (!fs::is_directory(root, ec))
    throw data_error("image folder " + root.string() + " does not exist");
  const fs::path train_dir = root / "train" / o.normal;
  if (!fs::is_directory(train_dir, ec)) {
    throw data_error("image folder " + root.string() + " has no " +
                     (fs::path("train") / o.normal).string() +
                     " folder of normal training images (expected layout: train/" + o.normal +
                     ", test/" + o.normal + ", test/<anomaly>)");
  }
  image_folder out;
  const auto nonempty = [](const fs::path& folder) {
    auto files = image_files(folder);
    if (files.empty()) {
      throw data_error("image folder " + folder.string() +
                       " holds no .png, .jpg, .jpeg or .bmp files");
    }
    return files;
  };
  out.train.images = read_images(nonempty(train_dir), o, out.skipped, out.resized);
  if (out.train.images.size(0) == 0) {
    throw data_error("no readable training image in " + train_dir.string());
  }
  out.train.labels = torch::zeros({out.train.images.size(0)}, torch::kLong);

  const fs::path test_dir = root / "test";
  if (!fs::is_directory(test_dir, ec)) return out;
  for (fs::directory_iterator it(test_dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code kind;
    if (it->is_directory(kind)) out.class_names.push_back(it->path().filename().string());
  }
  std::sort(out.class_names.begin(), out.class_names.end());
  std::vector<torch::Tensor> images;
  std::vector<std::int64_t> labels;
  std::vector<std::int64_t> classes;
  for (std::size_t k = 0; k < out.class_names.size(); ++k) {
    const auto files = nonempty(test_dir / out.class_names[k]);
    const std::size_t skipped_before = out.skipped.size();
    images.push_back(read_images(files, o, out.skipped, out.resized));
    const bool normal = out.class_names[k] == o.normal;
    for (const auto& f : files) {
      if (std::find(out.skipped.begin() + static_cast<std::ptrdiff_t>(skipped_before),
                    out.skipped.end(), f) != out.skipped.end()) {
        continue;
      }
      out.test_files.push_back(f);
      labels.push_back(normal ? 0 : 1);
      classes.push_back(static_cast<std::int64_t>(k));
    }
  }
  if (!images.empty()) {
    out.test.images = torch::cat(images);
    out.test.labels = torch::tensor(labels, torch::kLong);
    out.test.classes = torch::tensor(classes, torch::kLong);
  }
  return out;
}

/// The record a detector saves (set_preprocessing) so that its images are read this way again.
inline preprocessing record(const image_folder_options& o) {
  preprocessing p;
  p.source = "image_folder";
  p.size = o.size;
  p.channels = o.channels;
  p.normal_class = o.normal;
  return p;
}

/// The reading options of an image_folder record (skip_unreadable off); invalid_argument for
/// another kind of record.
inline image_folder_options image_options(const preprocessing& p) {
  p.require("image_folder");
  image_folder_options o;
  o.size = p.size;
  o.channels = p.channels;
  o.normal = p.normal_class;
  return o;
}

}  // namespace gad::data
