#pragma once
// The shapes of the five networks of an encoder-based GAN detector (ALAD, EGBAD/BiGAN) as plain
// values. A network is a list of layer descriptions, so the same detector type can train the
// reference MNIST conv nets, the KDD MLPs or a user's own widths without recompiling; the
// presets in gad/alad/presets.hpp fill these in from the reference code.
#include <cstdint>
#include <string>
#include <vector>

namespace gad::nn {

enum class activation { none, relu, leaky_relu, tanh };

/// TensorFlow padding modes (see tf_same_padding.hpp); they decide output sizes.
enum class tf_padding { same, valid };

/// One layer: the affine map, then batch norm, then the activation, then dropout, the order of
/// every reference network.
struct layer_spec {
  enum class kind {
    dense,      ///< Linear on the flattened input
    conv,       ///< Conv2d with TF padding
    deconv,     ///< ConvTranspose2d with TF padding
    unflatten,  ///< reshape [N, F] to [N, C, H, W] (no parameters)
  };

  kind type = kind::dense;
  /// Features (dense) or channels (conv, deconv, unflatten).
  std::int64_t out = 0;
  std::int64_t kernel = 1;
  std::int64_t stride = 1;
  tf_padding padding = tf_padding::same;
  /// Unflatten target height and width.
  std::int64_t height = 0;
  std::int64_t width = 0;
  bool batch_norm = false;
  activation act = activation::none;
  double slope = 0.2;  ///< leaky_relu only
  double dropout = 0.0;

  static layer_spec dense_layer(std::int64_t features) {
    layer_spec l;
    l.out = features;
    return l;
  }
  static layer_spec conv_layer(std::int64_t channels, std::int64_t kernel, std::int64_t stride,
                               tf_padding padding = tf_padding::same) {
    layer_spec l;
    l.type = kind::conv;
    l.out = channels;
    l.kernel = kernel;
    l.stride = stride;
    l.padding = padding;
    return l;
  }
  static layer_spec deconv_layer(std::int64_t channels, std::int64_t kernel, std::int64_t stride,
                                 tf_padding padding = tf_padding::same) {
    layer_spec l = conv_layer(channels, kernel, stride, padding);
    l.type = kind::deconv;
    return l;
  }
  static layer_spec unflatten_to(std::int64_t channels, std::int64_t height, std::int64_t width) {
    layer_spec l;
    l.type = kind::unflatten;
    l.out = channels;
    l.height = height;
    l.width = width;
    return l;
  }

  // Chainable modifiers, so that a preset reads like the reference's layer table.
  layer_spec& bn() {
    batch_norm = true;
    return *this;
  }
  layer_spec& relu() {
    act = activation::relu;
    return *this;
  }
  layer_spec& tanh() {
    act = activation::tanh;
    return *this;
  }
  layer_spec& lrelu(double negative_slope) {
    act = activation::leaky_relu;
    slope = negative_slope;
    return *this;
  }
  layer_spec& drop(double rate) {
    dropout = rate;
    return *this;
  }
};

/// How D_xx merges its two inputs x and x' into one.
enum class pair_merge {
  /// Stack x above x' ([N, C, 2H, W]), what the reference's NHWC concat on axis 1 does.
  height,
  /// Concatenate channels ([N, 2C, H, W]).
  channels,
};

/// How weights are initialized. Biases start at 0 and batch-norm scales at 1 either way.
enum class weight_init {
  normal,          ///< N(0, init_std), the ALAD and EGBAD image networks
  xavier_uniform,  ///< Glorot uniform, TF's xavier_initializer (the KDD networks)
};

/// The five networks. D_xz sees (x, z): its x and z branches run separately, are flattened and
/// concatenated, and pass through the joint layers, whose output is the "intermediate" feature
/// EGBAD's fm score compares; a final Linear gives the logit. D_xx and D_zz merge their pair
/// first; their last hidden output is the feature vector of ALAD's fm score. Every
/// discriminator's logit layer is added by the network itself and is never listed here.
///
/// Spectral normalization, when the policy asks for it, wraps every encoder layer except the
/// last and every discriminator layer except the logit layer (ALAD's rule; the generator never).
struct architecture {
  std::string name;
  /// One sample: {C, H, W} for images, {F} for feature vectors.
  std::vector<std::int64_t> input_shape;
  std::int64_t latent_dim = 0;
  /// x -> z; its last layer must produce latent_dim values (flattened).
  std::vector<layer_spec> encoder;
  /// z -> x; its output must hold prod(input_shape) values (reshaped to the input shape).
  std::vector<layer_spec> generator;
  std::vector<layer_spec> dxz_x;
  std::vector<layer_spec> dxz_z;
  std::vector<layer_spec> dxz_joint;
  std::vector<layer_spec> dxx;
  pair_merge dxx_merge = pair_merge::height;
  std::vector<layer_spec> dzz;
  weight_init init = weight_init::normal;
  double init_std = 0.01;
  /// TF's defaults (eps 1e-3, decay 0.99), i.e. PyTorch momentum 0.01.
  double batch_norm_eps = 1e-3;
  double batch_norm_momentum = 0.01;

  std::int64_t input_numel() const noexcept {
    std::int64_t n = 1;
    for (auto d : input_shape) n *= d;
    return n;
  }
  bool images() const noexcept { return input_shape.size() == 3; }
};

}  // namespace gad::nn
