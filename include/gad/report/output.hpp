#pragma once
// What the example programs and the gad tool share when they write results: timing, whole-file
// writes that are never left half done, and scores as plain doubles for CSV and JSON.
#include <gad/io/atomic_file.hpp>

#include <torch/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace gad::report {

inline double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// Writes `content` to `path` atomically (gad::io::write_bytes_atomically): a crash never leaves
// a half-written result, and a full disk is a gad::error naming the file.
inline void write_atomically(const std::filesystem::path& path, const std::string& content) {
  gad::io::write_bytes_atomically(path, content.data(), content.size());
}

inline std::vector<double> to_vector(const torch::Tensor& t) {
  const torch::Tensor c = t.to(torch::kCPU, torch::kDouble).contiguous();
  return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}

}  // namespace gad::report
