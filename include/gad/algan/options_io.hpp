#pragma once
// The fields of gad::algan_options listed once: checkpoints store and restore them, and the
// command-line tool offers each as a flag. A field added to algan_options must be added here,
// or it is neither saved nor settable from the command line.
#include <gad/algan/options.hpp>
#include <gad/detail/number_string.hpp>
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
         list(o.discriminator_hidden) + ", LeakyReLU " + detail::format_number(o.leaky_relu_slope) +
         ", BatchNorm eps " + detail::format_number(o.batch_norm_eps) + " momentum " +
         detail::format_number(o.batch_norm_momentum);
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
