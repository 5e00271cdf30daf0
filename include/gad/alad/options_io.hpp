#pragma once
// The fields of gad::bigan_options listed once, for checkpoints and the command-line tool, and
// the network layer tables stored column by column (one list per layer field).
#include <gad/alad/architecture.hpp>
#include <gad/alad/options.hpp>
#include <gad/io/fields.hpp>
#include <gad/io/option_compare.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace gad {

namespace nn {
inline bool operator==(const layer_spec& a, const layer_spec& b) {
  return a.type == b.type && a.out == b.out && a.kernel == b.kernel && a.stride == b.stride &&
         a.padding == b.padding && a.height == b.height && a.width == b.width &&
         a.batch_norm == b.batch_norm && a.act == b.act && a.slope == b.slope &&
         a.dropout == b.dropout;
}
inline bool operator!=(const layer_spec& a, const layer_spec& b) { return !(a == b); }
}  // namespace nn

/// True when `a` and `b` build the same networks with the same parameter shapes and behaviour
/// (the name is only a label).
inline bool same_networks(const nn::architecture& a, const nn::architecture& b) {
  return a.input_shape == b.input_shape && a.latent_dim == b.latent_dim && a.encoder == b.encoder &&
         a.generator == b.generator && a.dxz_x == b.dxz_x && a.dxz_z == b.dxz_z &&
         a.dxz_joint == b.dxz_joint && a.dxx == b.dxx && a.dxx_merge == b.dxx_merge &&
         a.dzz == b.dzz && a.init == b.init && a.init_std == b.init_std &&
         a.batch_norm_eps == b.batch_norm_eps && a.batch_norm_momentum == b.batch_norm_momentum;
}

/// The first field where `a` and `b` differ ("network" for any difference in the layer
/// tables or latent size); empty when they agree.
inline std::string first_different_option(const bigan_options& a, const bigan_options& b) {
  if (!same_networks(a.network, b.network)) return "network";
  return first_different_field(a, b, [](auto& o, auto&& f) { visit_bigan_options(o, f); });
}
inline bool options_equal(const bigan_options& a, const bigan_options& b) {
  return first_different_option(a, b).empty();
}

namespace io {

namespace detail {
// Lists of one layer field, so a table is a handful of int and double lists.
template <class F>
void visit_layer_columns(F&& f) {
  using L = nn::layer_spec;
  f(
      "type", [](L & l) -> auto& { return l.type; });
  f(
      "out", [](L & l) -> auto& { return l.out; });
  f(
      "kernel", [](L & l) -> auto& { return l.kernel; });
  f(
      "stride", [](L & l) -> auto& { return l.stride; });
  f(
      "padding", [](L & l) -> auto& { return l.padding; });
  f(
      "height", [](L & l) -> auto& { return l.height; });
  f(
      "width", [](L & l) -> auto& { return l.width; });
  f(
      "batch_norm", [](L & l) -> auto& { return l.batch_norm; });
  f(
      "act", [](L & l) -> auto& { return l.act; });
  f(
      "slope", [](L & l) -> auto& { return l.slope; });
  f(
      "dropout", [](L & l) -> auto& { return l.dropout; });
}

template <class F>
void visit_tables(nn::architecture& a, F&& f) {
  f("encoder", a.encoder);
  f("generator", a.generator);
  f("dxz_x", a.dxz_x);
  f("dxz_z", a.dxz_z);
  f("dxz_joint", a.dxz_joint);
  f("dxx", a.dxx);
  f("dzz", a.dzz);
}

template <class T>
constexpr bool stored_as_double = std::is_floating_point_v<T>;
}  // namespace detail

inline void write_architecture(output_archive& a, const std::string& key,
                               const nn::architecture& net) {
  output_archive mine = nested_archive(a);
  nn::architecture copy = net;  // the column accessors take non-const layers
  mine.write("name", c10::IValue(copy.name));
  mine.write("input_shape", c10::IValue(copy.input_shape));
  mine.write("latent_dim", c10::IValue(copy.latent_dim));
  mine.write("dxx_merge", c10::IValue(static_cast<std::int64_t>(copy.dxx_merge)));
  mine.write("init", c10::IValue(static_cast<std::int64_t>(copy.init)));
  mine.write("init_std", c10::IValue(copy.init_std));
  mine.write("batch_norm_eps", c10::IValue(copy.batch_norm_eps));
  mine.write("batch_norm_momentum", c10::IValue(copy.batch_norm_momentum));
  detail::visit_tables(copy, [&](const char* table, std::vector<nn::layer_spec>& layers) {
    detail::visit_layer_columns([&](const char* column, auto get) {
      nn::layer_spec probe;
      using T = std::decay_t<decltype(get(probe))>;
      const std::string k = std::string(table) + "." + column;
      if constexpr (detail::stored_as_double<T>) {
        std::vector<double> v;
        for (auto& l : layers) v.push_back(get(l));
        mine.write(k, c10::IValue(v));
      } else {
        std::vector<std::int64_t> v;
        for (auto& l : layers) v.push_back(static_cast<std::int64_t>(get(l)));
        mine.write(k, c10::IValue(v));
      }
    });
  });
  a.write(key, mine);
}

inline nn::architecture read_architecture(const archive_reader& r, const std::string& key) {
  const archive_reader mine = r.child(key);
  nn::architecture net;
  net.name = mine.read_string("name");
  net.input_shape = mine.read_ints("input_shape");
  net.latent_dim = mine.read_int("latent_dim");
  net.dxx_merge = static_cast<nn::pair_merge>(mine.read_int("dxx_merge"));
  net.init = static_cast<nn::weight_init>(mine.read_int("init"));
  net.init_std = mine.read_double("init_std");
  net.batch_norm_eps = mine.read_double("batch_norm_eps");
  net.batch_norm_momentum = mine.read_double("batch_norm_momentum");
  detail::visit_tables(net, [&](const char* table, std::vector<nn::layer_spec>& layers) {
    bool sized = false;
    detail::visit_layer_columns([&](const char* column, auto get) {
      nn::layer_spec probe;
      using T = std::decay_t<decltype(get(probe))>;
      const std::string k = std::string(table) + "." + column;
      const auto fill = [&](const auto& values) {
        if (!sized) {
          layers.resize(values.size());
          sized = true;
        } else if (values.size() != layers.size()) {
          mine.fail("layer table '" + k + "' has " + std::to_string(values.size()) +
                    " entries, expected " + std::to_string(layers.size()));
        }
        for (std::size_t i = 0; i < layers.size(); ++i) get(layers[i]) = static_cast<T>(values[i]);
      };
      if constexpr (detail::stored_as_double<T>) {
        fill(mine.read_doubles(k));
      } else {
        fill(mine.read_ints(k));
      }
    });
  });
  return net;
}

inline void write_options(output_archive& a, const std::string& key, const bigan_options& o) {
  output_archive mine = nested_archive(a);
  visit_bigan_options(o, [&](const char* name, const auto& v) { write_field(mine, name, v); });
  write_architecture(mine, "network", o.network);
  a.write(key, mine);
}

inline bigan_options read_bigan_options(const archive_reader& r, const std::string& key) {
  const archive_reader mine = r.child(key);
  bigan_options o;
  visit_bigan_options(o, [&](const option_field& f, auto& v) { read_option_field(mine, f, v); });
  o.network = read_architecture(mine, "network");
  return o;
}

}  // namespace io
}  // namespace gad
