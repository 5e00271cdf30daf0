#pragma once
// What ALGAN's latent-shift strategy (gad/policy/latent_shift.hpp) reads and calls: the
// options, draws from the fit's latent stream, G's pseudo-anomalies, the loss, replay buffers
// and checkpoint access. A strategy written outside gad sees exactly this, so it is the
// contract of the slot; the engine makes one wherever it calls the strategy.
#include <gad/algan/generator.hpp>
#include <gad/algan/losses.hpp>
#include <gad/algan/options.hpp>
#include <gad/algan/replay_buffer.hpp>
#include <gad/core/device.hpp>
#include <gad/core/error.hpp>
#include <gad/core/runtime.hpp>
#include <gad/io/archive.hpp>
#include <gad/io/checkpoint.hpp>
#include <gad/io/optional_tensor.hpp>

#include <ATen/core/Generator.h>
#include <torch/types.h>

#include <cstdint>

namespace gad {

class algan_shift_context {
 public:
  using tensor = torch::Tensor;
  using buffer = replay_buffer;

  /// `latent` is the fit's latent stream; null where the strategy may not draw (building its
  /// state, checkpoint reads and writes).
  algan_shift_context(const algan_options& options, const runtime& rt, nn::AlganGenerator generator,
                      at::Generator* latent)
      : options_(options), runtime_(rt), generator_(std::move(generator)), latent_(latent) {}

  const algan_options& options() const { return options_; }
  std::int64_t batch_size() const { return options_.batch_size; }
  /// [batch, z_dim] of N(0, I) from the latent stream, on the host.
  torch::Tensor randn_latents() const {
    if (latent_ == nullptr) throw error("ALGAN latent shift: no latent stream at this point");
    return torch::randn({options_.batch_size, options_.z_dim}, *latent_);
  }
  torch::Tensor to_device(const torch::Tensor& t) const {
    return host_to_device(t, runtime_.device());
  }
  /// G(z) with G in eval mode, as float32 (the replay buffers keep it).
  torch::Tensor pseudo_anomalies(const torch::Tensor& z) const {
    return nn::make_pseudo_anomalies(generator_, z).to(torch::kFloat);
  }
  torch::Tensor bce(const torch::Tensor& logits, double target) const {
    return losses::bce_with_logits(logits, target);
  }
  torch::Tensor zeros_like(const torch::Tensor& t) const { return torch::zeros_like(t); }
  replay_buffer make_replay_buffer(const char* stream) const {
    return replay_buffer(options_.replay_capacity(), runtime_.generator(stream));
  }

  void write_generator(io::output_archive& t, const char* key, const at::Generator& g) const {
    io::write_generator(t, key, g);
  }
  void write_optional(io::output_archive& t, const char* key, const torch::Tensor& v) const {
    io::write_optional_tensor(t, key, v);
  }
  void read_generator(const io::archive_reader& t, const char* key, at::Generator& g) const {
    t.read_generator(key, g);
  }
  void read_buffer(const io::archive_reader& t, const char* key, replay_buffer& b) const {
    try {
      b.assign(io::read_optional_rows(t, key, options_.image_numel(), runtime_.device()));
    } catch (const invalid_argument& err) {
      t.fail(err.what());
    }
  }
  torch::Tensor read_latents(const io::archive_reader& t, const char* key) const {
    return io::read_optional_rows(t, key, options_.z_dim, runtime_.device());
  }

 private:
  const algan_options& options_;
  const runtime& runtime_;
  mutable nn::AlganGenerator generator_;
  at::Generator* latent_;
};

}  // namespace gad
