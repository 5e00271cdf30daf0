#pragma once
// The fields of gad::algan_options listed once: checkpoints store and restore them, and the
// command-line tool offers each as a flag. A field added to algan_options must be added here,
// or it is neither saved nor settable from the command line.
#include <gad/algan/options.hpp>
#include <gad/core/option_field.hpp>
#include <gad/io/fields.hpp>
#include <gad/io/option_compare.hpp>

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

/// Calls f(option_field, field) for every field of `o` (const or not), runtime settings
/// last. This list is the options' one declaration besides their defaults: a field missing
/// here is neither saved nor a flag of the `gad` tool.
template <class Options, class F>
void visit_algan_options(Options& o, F&& f) {
  using field = option_field;
  f(field{"channels", "image channels (default: taken from the data)"}, o.channels);
  f(field{"height", "image height in pixels (default: taken from the data)"}, o.height);
  f(field{"width", "image width in pixels (default: taken from the data)"}, o.width);
  f(field{"z_dim", "latent dimension of the generator"}, o.z_dim);
  f(field{"architecture",
          "ALGAN networks: mlp (the reference) or conv (DCGAN-like; the widths become channel "
          "counts, by default G 64,32 and D 32,64)",
          true},
    o.architecture);
  f(field{"generator_hidden", "widths of G's hidden layers, comma separated"}, o.generator_hidden);
  f(field{"discriminator_hidden", "widths of D's hidden layers, comma separated"},
    o.discriminator_hidden);
  f(field{"leaky_relu_slope", "negative slope of D's LeakyReLU"}, o.leaky_relu_slope);
  f(field{"batch_norm_eps", "BatchNorm epsilon in G"}, o.batch_norm_eps);
  f(field{"batch_norm_momentum", "BatchNorm momentum in G"}, o.batch_norm_momentum);
  f(field{"epochs", "training epochs"}, o.epochs);
  f(field{"batch_size", "samples per iteration"}, o.batch_size);
  f(field{"generator_lr", "Adam learning rate of G"}, o.generator_lr);
  f(field{"discriminator_lr", "Adam learning rate of D"}, o.discriminator_lr);
  f(field{"adam_beta1", "Adam beta1"}, o.adam_beta1);
  f(field{"adam_beta2", "Adam beta2"}, o.adam_beta2);
  f(field{"adam_eps", "Adam epsilon"}, o.adam_eps);
  f(field{"discriminator_steps", "D updates per G update"}, o.discriminator_steps);
  f(field{"resampling", "latent resampling: reference (the authors' schedule) or every-iteration"},
    o.resampling);
  f(field{"fused_d_forward",
          "one D call per D step (faster; changes the spectral-norm trajectory)"},
    o.fused_d_forward);
  f(field{"reuse_d_step_fakes",
          "make the fakes once per iteration for all D steps (faster; one BatchNorm update less)",
          true},
    o.reuse_d_step_fakes);
  f(field{"compute_precision",
          "float32, or bfloat16 matrix products (faster only on AMX/AVX512-BF16 CPUs and "
          "Ampere+ GPUs)",
          true},
    o.compute_precision);
  f(field{"sigma", "standard deviation of the pseudo-anomalous latents"}, o.sigma);
  f(field{"alpha", "weight of fake-normal against pseudo-anomalous loss terms"}, o.alpha);
  f(field{"xi", "weight of fresh against replay-buffered loss terms"}, o.xi);
  f(field{"buffer_capacity", "images per replay buffer, 0 = twice the batch size"},
    o.buffer_capacity);
  f(field{"ema_decay", "decay of the moving average of G and D that scores, 0 = no averaging",
          true},
    o.ema_decay);
  f(field{"validate_every", "validate every this many epochs (when there is a validation set)"},
    o.validate_every);
  f(field{"select_from_epoch",
          "a validation may become the kept checkpoint once this many epochs have run"},
    o.select_from_epoch);
  visit_decision_and_runtime_options(o, f);
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

/// The first field, in the list's order, where `a` and `b` differ; empty when they agree.
inline std::string first_different_option(const algan_options& a, const algan_options& b) {
  return first_different_field(a, b, [](auto& o, auto&& f) { visit_algan_options(o, f); });
}
inline bool options_equal(const algan_options& a, const algan_options& b) {
  return first_different_option(a, b).empty();
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
  visit_algan_options(o, [&](const option_field& f, auto& v) { read_option_field(mine, f, v); });
  return o;
}
}  // namespace io

}  // namespace gad
