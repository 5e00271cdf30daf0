#pragma once
// ALGAN's discriminator D (reference: hanneko/algan_for_t-prism, src/model.py), in one of two
// architectures (docs/design.md, "ALGAN's two architectures"):
//   mlp:  x -> [Linear(no bias; the normalization policy's layer) -> LeakyReLU] per hidden width
//           -> Linear(no bias) -> logit
//   conv: x as [C, H, W] -> [Conv 4x4 stride 2 (no bias; the policy's conv layer) -> LeakyReLU]
//           per hidden width -> flatten -> Linear(no bias) -> logit
// D takes flattened images either way.
#include <gad/algan/network_init.hpp>
#include <gad/core/error.hpp>
#include <gad/core/precision.hpp>
#include <gad/detail/shape_string.hpp>
#include <gad/nn/normalized_layer.hpp>

#include <ATen/core/Generator.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/functional/activation.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace gad::nn {

struct AlganDiscriminatorOptions {
  /// Length of a flattened image.
  std::int64_t in_features = 784;
  /// Hidden widths (mlp) or channel counts (conv), input side first.
  std::vector<std::int64_t> hidden = {1024, 512};
  double leaky_relu_slope = 0.2;
  bool convolutional = false;
  /// Image shape, read by conv only (channels * height * width must be in_features).
  std::int64_t channels = 1;
  std::int64_t height = 28;
  std::int64_t width = 28;
};

/// Maps flattened images [N, in_features] to logits [N, 1] (no sigmoid). The hidden layers (not
/// the output layer) are the normalization policy's layers (gad/nn/normalized_layer.hpp):
/// spectral norm in the reference, plain layers with gad::norm::none.
template <class Norm = norm::spectral>
class AlganDiscriminatorImpl : public torch::nn::Cloneable<AlganDiscriminatorImpl<Norm>> {
 public:
  using normalization = normalized<Norm>;
  using hidden_layer = typename normalization::linear_layer;
  using conv_layer = typename normalization::conv_layer;

  explicit AlganDiscriminatorImpl(AlganDiscriminatorOptions options_ = {})
      : options(std::move(options_)) {
    reset();
  }

  void reset() override {
    hidden_layers = {};
    conv_layers = {};
    std::int64_t in = options.in_features;
    if (options.convolutional) {
      in = reset_conv();
    } else {
      for (std::size_t i = 0; i < options.hidden.size(); ++i) {
        const std::int64_t out = options.hidden[i];
        hidden_layers.push_back(
            this->register_module("linear" + std::to_string(i),
                                  hidden_layer(torch::nn::LinearOptions(in, out).bias(false))));
        in = out;
      }
    }
    last = this->register_module("last",
                                 torch::nn::Linear(torch::nn::LinearOptions(in, 1).bias(false)));
  }

  torch::Tensor forward(const torch::Tensor& x) {
    if (x.dim() != 2 || x.size(1) != options.in_features) {
      throw invalid_argument("ALGAN discriminator: expected flattened images of shape [N, " +
                             std::to_string(options.in_features) + "], got " +
                             gad::detail::shape_string(x));
    }
    namespace F = torch::nn::functional;
    const auto act = F::LeakyReLUFuncOptions().negative_slope(options.leaky_relu_slope);
    torch::Tensor h = x;
    if (options.convolutional) {
      h = h.view({x.size(0), options.channels, options.height, options.width});
      for (auto& layer : conv_layers) h = F::leaky_relu(layer->forward(h), act);
      h = h.flatten(1);
    } else {
      for (auto& layer : hidden_layers) h = F::leaky_relu(layer->forward(h), act);
    }
    // Under bfloat16 autocast the score would otherwise be rounded to 8 significant bits,
    // enough to tie neighbouring scores; the layer is one row, float32 costs nothing.
    float32_region full_precision;
    return last->forward(h.to(torch::kFloat));
  }

  /// The reference's weights_init: Xavier-uniform Linear weights, N(0, 0.02) convolution
  /// weights. The policy draws its own state first (spectral norm: u and v), so the weight draw
  /// then overwrites weight_orig, the order PyTorch ends up with when weights_init runs on an
  /// already wrapped layer; u and v are not re-estimated afterwards, as there.
  void initialize(at::Generator& gen) {
    for (auto& layer : hidden_layers) {
      normalization::prepare(layer, gen);
      detail::algan_xavier_uniform_(normalization::weight(layer), gen);
    }
    for (auto& layer : conv_layers) {
      normalization::prepare(layer, gen);
      detail::algan_conv_normal_(normalization::weight(layer), gen);
    }
    detail::algan_xavier_uniform_(last->weight, gen);
  }

  std::size_t hidden_count() const noexcept { return options.hidden.size(); }

  AlganDiscriminatorOptions options;
  std::vector<hidden_layer> hidden_layers;  // mlp
  std::vector<conv_layer> conv_layers;      // conv
  torch::nn::Linear last{nullptr};

 private:
  // Builds the convolutions; returns the length of the flattened map the output layer reads.
  std::int64_t reset_conv() {
    const auto& c = options.hidden;
    const auto levels = static_cast<std::int64_t>(c.size());
    const std::int64_t h = options.height >> levels;
    const std::int64_t w = options.width >> levels;
    if (c.empty() || h == 0 || w == 0 || (h << levels) != options.height ||
        (w << levels) != options.width ||
        options.channels * options.height * options.width != options.in_features) {
      throw invalid_argument("ALGAN conv discriminator: height and width must be divisible by 2^" +
                             std::to_string(levels) +
                             " (one stride-2 layer per width) and channels x height x "
                             "width must equal in_features");
    }
    std::int64_t in = options.channels;
    for (std::size_t i = 0; i < c.size(); ++i) {
      const auto opts = torch::nn::Conv2dOptions(in, c[i], 4).stride(2).padding(1).bias(false);
      conv_layers.push_back(this->register_module("conv" + std::to_string(i), conv_layer(opts)));
      in = c[i];
    }
    return c.back() * h * w;
  }
};

/// Module holder of AlganDiscriminatorImpl<Norm> (what TORCH_MODULE writes for a plain class).
template <class Norm = norm::spectral>
class AlganDiscriminator : public torch::nn::ModuleHolder<AlganDiscriminatorImpl<Norm>> {
 public:
  using torch::nn::ModuleHolder<AlganDiscriminatorImpl<Norm>>::ModuleHolder;
};

}  // namespace gad::nn
