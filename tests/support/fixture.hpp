#pragma once
// Shared by the test areas that train detectors: the committed MNIST fixture split the way the
// examples split MNIST, scaled to [-1, 1], and small helpers to compare results.
#include <gad/data/idx.hpp>
#include <gad/data/splits.hpp>

#include <torch/types.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace gad_test {

inline std::string fixture_dir() { return std::string(GAD_TEST_DATA_DIR) + "/mnist-fixture"; }

/// ALGAN's protocol on the fixture: normal 0, anomalous 1.
inline const gad::data::split& algan_fixture() {
  static const gad::data::split s = [] {
    auto out = gad::data::algan_reference(gad::data::load_idx_folder(fixture_dir(), "train"),
                                          gad::data::load_idx_folder(fixture_dir(), "t10k"),
                                          /*seed=*/1);
    for (auto* part : {&out.train, &out.validation, &out.test}) {
      part->images = gad::data::unit_to_symmetric(part->images);
    }
    return out;
  }();
  return s;
}

/// True when both tensors hold exactly the same values.
inline bool identical(const torch::Tensor& a, const torch::Tensor& b) {
  return a.sizes() == b.sizes() && a.scalar_type() == b.scalar_type() && a.equal(b);
}

/// A file's bytes, to compare model files exactly.
inline std::vector<char> file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

/// A fresh folder under the system temp folder, removed when the object goes out of scope.
class temp_dir {
 public:
  temp_dir() {
    std::random_device r;
    path_ = std::filesystem::temp_directory_path() /
            ("gad-test-" + std::to_string(r()) + std::to_string(r()));
    std::filesystem::create_directories(path_);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::filesystem::path& path() const noexcept { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace gad_test
