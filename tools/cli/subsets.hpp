#pragma once
// Seeded cuts of a training set shared by every input kind of the tool: a held-out share of
// normals for validation, and the --max-train / --max-test caps.
#include <gad/core/random.hpp>
#include <gad/data/dataset.hpp>
#include <gad/data/splits.hpp>

#include <torch/types.h>

#include <cstdint>
#include <utility>

namespace gad_cli {

/// Moves a `fraction` of `train` (drawn with `seed` from `stream`) into a validation set;
/// both keep their rows in the original order. Returns {train, validation}.
inline std::pair<gad::data::dataset, gad::data::dataset> hold_out(const gad::data::dataset& train,
                                                                  double fraction,
                                                                  std::uint64_t seed,
                                                                  const char* stream) {
  if (fraction <= 0.0) return {train, {}};
  auto gen = gad::make_generator(seed, stream);
  const std::int64_t n = train.size();
  const auto held = static_cast<std::int64_t>(fraction * static_cast<double>(n));
  const torch::Tensor order = torch::randperm(n, gen, torch::kInt64);
  return {gad::data::subset(train, std::get<0>(order.slice(0, held).sort())),
          gad::data::subset(train, std::get<0>(order.slice(0, 0, held).sort()))};
}

/// A random subset of at most n rows, in their original order.
inline gad::data::dataset at_most(const gad::data::dataset& d, std::int64_t n,
                                  std::uint64_t seed, const char* stream) {
  if (n <= 0 || d.empty() || d.size() <= n) return d;
  auto gen = gad::make_generator(seed, stream);
  auto rows = torch::randperm(d.size(), gen, torch::kInt64).slice(0, 0, n);
  return gad::data::subset(d, std::get<0>(rows.sort()));
}

/// --max-train caps the training part, --max-test the validation and the test part.
inline void cap(gad::data::split& s, std::int64_t max_train, std::int64_t max_test,
                std::uint64_t seed) {
  s.train = at_most(s.train, max_train, seed, "cli/max-train");
  s.validation = at_most(s.validation, max_test, seed, "cli/max-validation");
  s.test = at_most(s.test, max_test, seed, "cli/max-test");
}

}  // namespace gad_cli
