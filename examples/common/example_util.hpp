#pragma once
// Small helpers the example programs share: timing, atomic file writes, tensor -> vector.
#include <gad/core/error.hpp>

#include <torch/types.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace gad_examples {

inline double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// Writes `content` to `path` through a sibling temporary file and a rename, which replaces the
// target in one step on POSIX file systems: a crash never leaves a half-written result.
inline void write_atomically(const std::filesystem::path& path, const std::string& content) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out) throw gad::error("cannot write " + tmp.string());
  }
  std::filesystem::rename(tmp, path);
}

inline std::vector<double> to_vector(const torch::Tensor& t) {
  const torch::Tensor c = t.to(torch::kCPU, torch::kDouble).contiguous();
  return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}

}  // namespace gad_examples
