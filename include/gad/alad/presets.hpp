#pragma once
// The reference networks as gad::nn::architecture values (layer tables: spec alad-egbad §3, §6).
//
//   alad_mnist_architecture()   the ALAD MNIST fork's networks (CIFAR-10 D's, MNIST E and G)
//   egbad_mnist_architecture()  EGBAD's BiGAN for MNIST (only E, G and D_xz)
//   alad_image_architecture(size, channels), egbad_image_architecture(size, channels)
//                               the same for other square sizes (16 to 1024) and RGB
//   alad_kdd_architecture()     ALAD's KDD99 MLPs (121 one-hot features by default)
//
// Only the shapes live here; learning rates and batch sizes are in the option presets of
// gad/alad/options.hpp, which start from these.
#include <gad/alad/architecture.hpp>
#include <gad/core/error.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace gad::nn {

/// ALAD on 28x28x1 images, latent 100, N(0, 0.01) init, LReLU 0.2, dropout 0.2.
/// The 7 -> 4 encoder/D_xz convolutions and both D_xx convolutions pad asymmetrically.
inline architecture alad_mnist_architecture() {
  using L = layer_spec;
  constexpr double s = 0.2;
  constexpr double p = 0.2;
  architecture a;
  a.name = "alad-mnist";
  a.input_shape = {1, 28, 28};
  a.latent_dim = 100;
  a.encoder = {
      L::conv_layer(128, 4, 2).bn().lrelu(s),       // 28 -> 14
      L::conv_layer(256, 4, 2).bn().lrelu(s),       // 14 -> 7
      L::conv_layer(512, 4, 2).bn().lrelu(s),       // 7 -> 4, pads (1, 2)
      L::conv_layer(100, 4, 1, tf_padding::valid),  // 4 -> 1: the latent, linear
  };
  a.generator = {
      L::dense_layer(1024).bn().relu(), L::dense_layer(7 * 7 * 128).bn().relu(),
      L::unflatten_to(128, 7, 7),       L::deconv_layer(128, 4, 2).bn().relu(),  // 7 -> 14
      L::deconv_layer(1, 4, 2).tanh(),                                           // 14 -> 28
  };
  a.dxz_x = {
      L::conv_layer(128, 4, 2).lrelu(s), L::conv_layer(256, 4, 2).bn().lrelu(s),
      L::conv_layer(512, 4, 2).bn().lrelu(s),  // -> 4x4x512 = 8192 features
  };
  // The reference applies 1x1 convolutions to z reshaped to 1x1: dense layers in effect.
  a.dxz_z = {L::dense_layer(512).lrelu(s).drop(p), L::dense_layer(512).lrelu(s).drop(p)};
  a.dxz_joint = {L::dense_layer(1024).lrelu(s).drop(p)};
  a.dxx = {
      L::conv_layer(64, 5, 2).lrelu(s).drop(p),   // 56x28 -> 28x14, pads (1, 2)
      L::conv_layer(128, 5, 2).lrelu(s).drop(p),  // -> 14x7: 12544 features
  };
  a.dxx_merge = pair_merge::height;
  a.dzz = {L::dense_layer(64).lrelu(s).drop(p), L::dense_layer(32).lrelu(s).drop(p)};
  a.init = weight_init::normal;
  a.init_std = 0.01;
  return a;
}

/// EGBAD's BiGAN on 28x28x1 images: latent 200, N(0, 0.02) init, LReLU 0.1, dropout 0.5.
/// `encoder_first_activation` = false gives the encoder as it was when the paper was written
/// (the reference added the first layer's LReLU later, in commit f9ee733). There is no D_xx or
/// D_zz: EGBAD's discriminator set is {D_xz}.
inline architecture egbad_mnist_architecture(bool encoder_first_activation = true) {
  using L = layer_spec;
  constexpr double s = 0.1;
  constexpr double p = 0.5;
  architecture a;
  a.name = "egbad-mnist";
  a.input_shape = {1, 28, 28};
  a.latent_dim = 200;
  L first = L::conv_layer(32, 3, 1);  // 28 -> 28
  if (encoder_first_activation) first.lrelu(s);
  a.encoder = {
      first,
      L::conv_layer(64, 3, 2).bn().lrelu(s),   // 28 -> 14, pads (0, 1)
      L::conv_layer(128, 3, 2).bn().lrelu(s),  // 14 -> 7, pads (0, 1)
      L::dense_layer(200),
  };
  a.generator = {
      L::dense_layer(1024).bn().relu(), L::dense_layer(7 * 7 * 128).bn().relu(),
      L::unflatten_to(128, 7, 7),       L::deconv_layer(64, 4, 2).bn().relu(),
      L::deconv_layer(1, 4, 2).tanh(),
  };
  a.dxz_x = {
      L::conv_layer(64, 4, 2).lrelu(s).drop(p),
      L::conv_layer(64, 4, 2).bn().lrelu(s).drop(p),  // -> 7x7x64 = 3136 features
  };
  a.dxz_z = {L::dense_layer(512).lrelu(s).drop(p)};
  a.dxz_joint = {L::dense_layer(1024).lrelu(s).drop(p)};
  a.init = weight_init::normal;
  a.init_std = 0.02;
  return a;
}

namespace detail {
inline void check_image_shape(std::int64_t size, std::int64_t channels, const char* who) {
  // At least 16: the generator ends in one stride-2 deconvolution from a map of at most 8.
  if (size < 16 || size > 1024 || (channels != 1 && channels != 3)) {
    throw invalid_argument(std::string(who) + ": images must be 16 to 1024 pixels square " +
                           "with 1 or 3 channels, got " + std::to_string(size) + "x" +
                           std::to_string(size) + "x" + std::to_string(channels));
  }
}
// Stride-2 steps that take `size` down to at most `limit` (TF's SAME padding rounds up).
inline int halvings_to(std::int64_t size, std::int64_t limit) {
  int n = 0;
  for (; size > limit; size = (size + 1) / 2) ++n;
  return n;
}
// The generator's first feature map: the size halved until at most 8 (7 for 28, as the
// references), then doubled back up by stride-2 deconvolutions, so the halving must be exact.
inline std::int64_t generator_seed_size(std::int64_t size, int& doublings, const char* who) {
  doublings = halvings_to(size, 8);
  const std::int64_t seed = size >> doublings;
  if ((seed << doublings) != size) {
    throw invalid_argument(std::string(who) + ": the generator doubles a map of at most 8 " +
                           "pixels up to the image size, which " + std::to_string(size) +
                           " is not (sizes such as 28, 32, 48, 64, 96, 128, 256 are)");
  }
  return seed;
}
// G for a square image: the references' dense layers to a 128-channel seed map, then stride-2
// deconvolutions of `width` channels up to the size, the last one to the image's channels.
inline std::vector<layer_spec> image_generator(std::int64_t size, std::int64_t channels,
                                               std::int64_t width, const char* who) {
  using L = layer_spec;
  int up = 0;
  const std::int64_t seed = generator_seed_size(size, up, who);
  std::vector<layer_spec> g = {L::dense_layer(1024).bn().relu(),
                               L::dense_layer(seed * seed * 128).bn().relu(),
                               L::unflatten_to(128, seed, seed)};
  for (int i = 0; i + 1 < up; ++i) g.push_back(L::deconv_layer(width, 4, 2).bn().relu());
  g.push_back(L::deconv_layer(channels, 4, 2).tanh());
  return g;
}
inline std::string image_shape_name(const char* family, std::int64_t size, std::int64_t channels) {
  return std::string(family) + "-image-" + std::to_string(size) + "x" + std::to_string(size) +
         "x" + std::to_string(channels);
}
}  // namespace detail

/// ALAD's networks for other square image sizes and RGB: the MNIST preset's layers with as
/// many stride-2 convolutions (encoder, D_xz, D_xx) and deconvolutions (generator) as the size
/// needs, widths capped at 512. 28x28x1 gives alad_mnist_architecture() itself.
inline architecture alad_image_architecture(std::int64_t size, std::int64_t channels = 1) {
  detail::check_image_shape(size, channels, "alad_image_architecture");
  if (size == 28 && channels == 1) return alad_mnist_architecture();
  using L = layer_spec;
  constexpr double s = 0.2;
  constexpr double p = 0.2;
  architecture a = alad_mnist_architecture();
  a.name = detail::image_shape_name("alad", size, channels);
  a.input_shape = {channels, size, size};
  const int down = detail::halvings_to(size, 4);  // to a 4x4 (or smaller) map
  const auto width = [](int i) { return std::min<std::int64_t>(512, 128 << i); };
  a.encoder.clear();
  a.dxz_x.clear();
  for (int i = 0; i < down; ++i) {
    a.encoder.push_back(L::conv_layer(width(i), 4, 2).bn().lrelu(s));
    L d = L::conv_layer(width(i), 4, 2);
    if (i > 0) d.bn();
    a.dxz_x.push_back(d.lrelu(s));
  }
  // A dense layer to the latent: the reference's valid 4x4 convolution on its 4x4 map, for
  // maps of any size.
  a.encoder.push_back(L::dense_layer(a.latent_dim));
  a.generator = detail::image_generator(size, channels, 128, "alad_image_architecture");
  // D_xx sees x stacked on x' (2 size x size): stride-2 steps until the width is at most 8.
  a.dxx.clear();
  const int dxx_down = detail::halvings_to(size, 8);
  for (int i = 0; i < dxx_down; ++i) {
    a.dxx.push_back(L::conv_layer(std::min<std::int64_t>(512, 64 << i), 5, 2).lrelu(s).drop(p));
  }
  return a;
}

/// EGBAD's BiGAN for other square image sizes and RGB, built the same way from the MNIST
/// preset. 28x28x1 gives egbad_mnist_architecture() itself.
inline architecture egbad_image_architecture(std::int64_t size, std::int64_t channels = 1,
                                             bool encoder_first_activation = true) {
  detail::check_image_shape(size, channels, "egbad_image_architecture");
  if (size == 28 && channels == 1) return egbad_mnist_architecture(encoder_first_activation);
  using L = layer_spec;
  constexpr double s = 0.1;
  constexpr double p = 0.5;
  architecture a = egbad_mnist_architecture(encoder_first_activation);
  a.name = detail::image_shape_name("egbad", size, channels);
  a.input_shape = {channels, size, size};
  const int down = detail::halvings_to(size, 8);  // to an 8x8 (or smaller) map
  const auto width = [](int i) { return std::min<std::int64_t>(512, 64 << i); };
  a.encoder.resize(1);  // the stride-1 first layer stays
  for (int i = 0; i < down; ++i) a.encoder.push_back(L::conv_layer(width(i), 3, 2).bn().lrelu(s));
  a.encoder.push_back(L::dense_layer(a.latent_dim));
  a.generator = detail::image_generator(size, channels, 64, "egbad_image_architecture");
  a.dxz_x.clear();
  for (int i = 0; i < down; ++i) {
    L d = L::conv_layer(64, 4, 2);
    if (i > 0) d.bn();
    a.dxz_x.push_back(d.lrelu(s).drop(p));
  }
  return a;
}

/// ALAD's KDD99 networks: MLPs on `features` inputs (121 after the reference's one-hot
/// encoding), latent 32, Xavier init. The generator's output is linear, so inputs need no
/// particular range.
inline architecture alad_kdd_architecture(std::int64_t features = 121) {
  if (features < 1) {
    throw invalid_argument("alad_kdd_architecture: features must be >= 1, got " +
                           std::to_string(features));
  }
  using L = layer_spec;
  constexpr double s = 0.2;
  architecture a;
  a.name = "alad-kdd";
  a.input_shape = {features};
  a.latent_dim = 32;
  a.encoder = {L::dense_layer(64).lrelu(s), L::dense_layer(32)};
  a.generator = {L::dense_layer(64).relu(), L::dense_layer(128).relu(), L::dense_layer(features)};
  a.dxz_x = {L::dense_layer(128).bn().lrelu(s)};
  a.dxz_z = {L::dense_layer(128).lrelu(s).drop(0.5)};
  a.dxz_joint = {L::dense_layer(128).lrelu(s).drop(0.5)};
  a.dxx = {L::dense_layer(128).lrelu(s).drop(0.2)};
  a.dzz = {L::dense_layer(32).lrelu(s).drop(0.2)};
  a.init = weight_init::xavier_uniform;
  return a;
}

}  // namespace gad::nn
