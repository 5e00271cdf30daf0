#pragma once
// The optimizer code every engine shares: Adam built from an engine's settings, and an
// optimizer's state written to and read from a checkpoint under a key, with the error a user
// reads when a file's state does not fit.
#include <gad/core/error.hpp>
#include <gad/io/archive.hpp>

#include <torch/nn/module.h>
#include <torch/optim/adam.h>
#include <torch/serialize/output-archive.h>

#include <exception>
#include <memory>
#include <string>

namespace gad::train {

/// Adam over all of `m`'s parameters.
inline std::unique_ptr<torch::optim::Adam> make_adam(torch::nn::Module& m, double lr, double beta1,
                                                     double beta2, double eps) {
  return std::make_unique<torch::optim::Adam>(
      m.parameters(), torch::optim::AdamOptions(lr).betas({beta1, beta2}).eps(eps));
}

/// Writes `opt`'s state as the nested archive `key` of `t`.
inline void write_optimizer(io::output_archive& t, const std::string& key,
                            const torch::optim::Optimizer& opt) {
  io::output_archive o = io::nested_archive(t);
  opt.save(o);
  t.write(key, o);
}

/// Restores what write_optimizer wrote; a state that does not fit `opt` fails as the file's
/// error (gad::checkpoint_error naming the file and the key).
inline void read_optimizer(const io::archive_reader& t, const std::string& key,
                           torch::optim::Optimizer& opt) {
  try {
    opt.load(t.child(key).raw());
  } catch (const checkpoint_error&) {
    throw;
  } catch (const std::exception& e) {
    t.fail("cannot restore optimizer '" + key + "': " + e.what());
  }
}

}  // namespace gad::train
