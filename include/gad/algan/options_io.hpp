#pragma once
// The fields of gad::algan_options listed once: checkpoints store and restore them, and the
// command-line tool offers each as a flag. A field added to algan_options must be added here,
// or it is neither saved nor settable from the command line.
#include <gad/algan/options.hpp>
#include <gad/io/fields.hpp>

#include <string>

namespace gad {

namespace io {
template <>
struct enum_text<latent_resampling> : enum_text_of<latent_resampling, latent_resampling::reference,
                                                   latent_resampling::every_iteration> {};
template <>
struct enum_text<algan_architecture>
    : enum_text_of<algan_architecture, algan_architecture::mlp, algan_architecture::conv> {};
}  // namespace io

/// Calls f(name, field) for every field of `o` (const or not), runtime settings last.
template <class Options, class F>
void visit_algan_options(Options& o, F&& f) {
  f("channels", o.channels);
  f("height", o.height);
  f("width", o.width);
  f("z_dim", o.z_dim);
  f("architecture", o.architecture);
  f("generator_hidden", o.generator_hidden);
  f("discriminator_hidden", o.discriminator_hidden);
  f("leaky_relu_slope", o.leaky_relu_slope);
  f("batch_norm_eps", o.batch_norm_eps);
  f("batch_norm_momentum", o.batch_norm_momentum);
  f("epochs", o.epochs);
  f("batch_size", o.batch_size);
  f("generator_lr", o.generator_lr);
  f("discriminator_lr", o.discriminator_lr);
  f("adam_beta1", o.adam_beta1);
  f("adam_beta2", o.adam_beta2);
  f("adam_eps", o.adam_eps);
  f("discriminator_steps", o.discriminator_steps);
  f("resampling", o.resampling);
  f("fused_d_forward", o.fused_d_forward);
  f("reuse_d_step_fakes", o.reuse_d_step_fakes);
  f("compute_precision", o.compute_precision);
  f("sigma", o.sigma);
  f("alpha", o.alpha);
  f("xi", o.xi);
  f("buffer_capacity", o.buffer_capacity);
  f("ema_decay", o.ema_decay);
  f("validate_every", o.validate_every);
  f("select_from_epoch", o.select_from_epoch);
  f("score_batch_size", o.score_batch_size);
  f("threshold", o.threshold);
  f("contamination", o.contamination);
  f("seed", o.runtime.seed);
  f("threads", o.runtime.threads);
  f("device", o.runtime.device);
}

/// True when `a` and `b` build the same networks: same layers, sizes and layer settings.
inline bool same_networks(const algan_options& a, const algan_options& b) {
  return a.channels == b.channels && a.height == b.height && a.width == b.width &&
         a.z_dim == b.z_dim && a.architecture == b.architecture &&
         a.generator_hidden == b.generator_hidden &&
         a.discriminator_hidden == b.discriminator_hidden &&
         a.leaky_relu_slope == b.leaky_relu_slope && a.batch_norm_eps == b.batch_norm_eps &&
         a.batch_norm_momentum == b.batch_norm_momentum;
}

/// One line describing the network sizes, for mismatch messages.
inline std::string network_summary(const algan_options& o) {
  const auto list = [](const std::vector<std::int64_t>& v) {
    std::string s;
    for (auto x : v) s += (s.empty() ? "" : "-") + std::to_string(x);
    return s;
  };
  return "image " + std::to_string(o.channels) + "x" + std::to_string(o.height) + "x" +
         std::to_string(o.width) + ", " + to_string(o.architecture) + ", z_dim " +
         std::to_string(o.z_dim) + ", G hidden " + list(o.generator_hidden) + ", D hidden " +
         list(o.discriminator_hidden) + ", LeakyReLU " + detail::algan_num(o.leaky_relu_slope) +
         ", BatchNorm eps " + detail::algan_num(o.batch_norm_eps) + " momentum " +
         detail::algan_num(o.batch_norm_momentum);
}

namespace io {
inline void write_options(output_archive& a, const std::string& key, const algan_options& o) {
  output_archive mine = nested_archive(a);
  visit_algan_options(o, [&](const char* name, const auto& v) { write_field(mine, name, v); });
  a.write(key, mine);
}

inline algan_options read_algan_options(const archive_reader& r, const std::string& key) {
  const archive_reader mine = r.child(key);
  algan_options o;
  visit_algan_options(o, [&](const char* name, auto& v) {
    read_field_added_later(
        mine, name, v, {"reuse_d_step_fakes", "compute_precision", "ema_decay", "architecture"});
  });
  return o;
}
}  // namespace io

}  // namespace gad
