#pragma once
// ALAD/EGBAD's fit in progress in a file: the "training" entry that save() writes during a
// fit and resume() reads, beside the networks (train::engine_base writes the rest).
#include <gad/alad/training_step.hpp>
#include <gad/io/archive.hpp>
#include <gad/policy/discriminators.hpp>
#include <gad/train/fit_loop.hpp>
#include <gad/train/optimizers.hpp>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/core/Generator.h>
#include <c10/core/Device.h>
#include <torch/optim/adam.h>
#include <torch/types.h>

#include <exception>
#include <string>
#include <utility>
#include <vector>

namespace gad {

/// The optimizers with their checkpoint keys; those of discriminators the set lacks are left
/// out, so an EGBAD file has no empty ALAD entries.
template <class Set>
std::vector<std::pair<const char*, torch::optim::Adam*>> bigan_named_optimizers(
    const bigan_optimizers& o) {
  std::vector<std::pair<const char*, torch::optim::Adam*>> out{
      {"opt_e", o.e.get()}, {"opt_g", o.g.get()}, {"opt_dxz", o.dxz.get()}};
  if constexpr (Set::template has<disc::xx>) out.emplace_back("opt_dxx", o.dxx.get());
  if constexpr (Set::template has<disc::zz>) out.emplace_back("opt_dzz", o.dzz.get());
  return out;
}

template <class Set>
void write_bigan_training(io::output_archive& a, const bigan_fit_state& st) {
  io::output_archive t = io::nested_archive(a);
  train::write_loop_state(t, "loop", st.loop);
  for (const auto& [key, opt] : bigan_named_optimizers<Set>(st.opt)) {
    train::write_optimizer(t, key, *opt);
  }
  st.shuffle.write(t, "shuffle", st.loop);
  io::write_generator(t, "latent", st.latent);
  // Dropout draws from LibTorch's global CPU generator (F::dropout takes no generator).
  io::write_generator(t, "dropout", at::detail::getDefaultCPUGenerator());
  a.write("training", t);
}

/// Reads the entry into `st`, a fresh state of this fit (optimizers made for these networks).
/// `scoring` is the current scoring networks' snapshot, the shape a stored best checkpoint
/// must have. The dropout state is only checked here; commit_bigan_dropout() sets it once
/// the whole file has been read.
template <class Set>
void read_bigan_training(const io::archive_reader& archive, bigan_fit_state& st,
                         const std::vector<std::vector<torch::Tensor>>& scoring,
                         const c10::Device& device, bool validation) {
  const io::archive_reader t = archive.child("training");
  train::read_loop_state(t, "loop", st.loop, scoring, device, validation);
  for (const auto& [key, opt] : bigan_named_optimizers<Set>(st.opt)) {
    train::read_optimizer(t, key, *opt);
  }
  st.shuffle.read(t, "shuffle");
  t.read_generator("latent", st.latent);
  st.dropout_state = t.read_tensor("dropout");
  try {
    at::Generator scratch = at::detail::createCPUGenerator();
    scratch.set_state(st.dropout_state);
  } catch (const std::exception& e) {
    t.fail(std::string("'training/dropout' is not a valid generator state: ") + e.what());
  }
}

inline void commit_bigan_dropout(const bigan_fit_state& st) {
  at::Generator dropout = at::detail::getDefaultCPUGenerator();
  dropout.set_state(st.dropout_state);
}

}  // namespace gad
