#pragma once
// What the trace programs share: recording every logged loss, collecting module state under
// prefixed names, and writing one pickled dict that Python's torch.load reads.
#include <gad/train/callbacks.hpp>

#include <ATen/core/Dict.h>
#include <ATen/core/ivalue.h>
#include <torch/nn/module.h>
#include <torch/serialize.h>
#include <torch/types.h>

#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace gad_trace {

/// A dict of str -> any (tensors, numbers, lists of names): the trace file's content.
inline c10::impl::GenericDict new_trace() {
  return c10::impl::GenericDict(c10::StringType::get(), c10::AnyType::get());
}

struct loss_recorder {
  std::vector<std::string> names;
  std::vector<double> values;  // row-major, one row per iteration
  void on_iteration_end(const gad::train::iteration_info& it) {
    if (names.empty()) {
      for (const auto& kv : it.losses) names.push_back(kv.first);
    }
    for (const auto& kv : it.losses) values.push_back(kv.second);
  }
  void write(c10::impl::GenericDict& out) const {
    const auto width = static_cast<std::int64_t>(names.size());
    const auto rows = static_cast<std::int64_t>(values.size()) / (width > 0 ? width : 1);
    out.insert("losses", torch::tensor(values, torch::kDouble).reshape({rows, width}));
    out.insert("loss_names", c10::List<std::string>(names));
  }
};

/// Every parameter and buffer of `m` under prefix + its name, as copies.
inline void add_state(c10::impl::GenericDict& out, const std::string& prefix,
                      const torch::nn::Module& m) {
  for (const auto& p : m.named_parameters()) {
    out.insert(prefix + p.key(), p.value().detach().clone());
  }
  for (const auto& b : m.named_buffers()) out.insert(prefix + b.key(), b.value().clone());
}

/// The parameter and buffer names of `m` in registration order, which the mirrors' modules
/// follow: Python maps the two lists by position, after checking the shapes.
inline c10::List<std::string> state_order(const torch::nn::Module& m) {
  c10::List<std::string> names;
  for (const auto& p : m.named_parameters()) names.push_back(p.key());
  for (const auto& b : m.named_buffers()) names.push_back(b.key());
  return names;
}

inline void write(const c10::impl::GenericDict& trace, const std::string& path) {
  const std::vector<char> bytes = torch::pickle_save(c10::IValue(trace));
  std::ofstream file(path, std::ios::binary);
  file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!file) throw std::runtime_error("cannot write " + path);
}

}  // namespace gad_trace
