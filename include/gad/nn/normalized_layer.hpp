#pragma once
// What a normalization policy means for the layers a family wraps: which module to build and how
// to initialise it. The policy tags themselves (gad/policy/normalization.hpp) stay free of
// LibTorch, so their code lives here, one specialization per policy. A family decides which of
// its layers are wrapped; the policy decides what a wrapped layer is. Only the chosen kind of
// layer is ever built.
//
// A normalization of your own specializes gad::nn::normalized<your_tag> with the same members:
//   linear_layer, conv_layer   module holders built from torch::nn::LinearOptions and
//                              Conv2dOptions, with forward(Tensor)
//   weight(l)                  the parameter that initialisation writes (the trainable weight)
//   prepare(l, g)              draws the policy's own state from `g` before the weight is written
//   changes_layers             false only for the identity (norm::none): a family may then wrap
//                              layers the policy could not, e.g. transposed convolutions
// ALAD's layer stacks also read each layer's `bias` (an undefined tensor where it has none).
#include <gad/nn/spectral_conv2d.hpp>
#include <gad/nn/spectral_linear.hpp>
#include <gad/policy/normalization.hpp>

#include <ATen/core/Generator.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/types.h>

namespace gad::nn {

namespace detail {
// The identity: plain layers, nothing drawn before the weight.
struct plain_layers {
  static constexpr bool changes_layers = false;
  using linear_layer = torch::nn::Linear;
  using conv_layer = torch::nn::Conv2d;
  template <class Layer>
  static torch::Tensor& weight(Layer& l) {
    return l->weight;
  }
  template <class Layer>
  static void prepare(Layer&, at::Generator&) {}
};
}  // namespace detail

// Instantiated only for a tag nobody specialized. Inheriting the plain layers keeps the
// networks compiling, so that this sentence is the only error.
template <class Norm>
struct normalized : detail::plain_layers {
  static_assert(sizeof(Norm) == 0,
                "a normalization policy needs a specialization of gad::nn::normalized "
                "(gad/nn/normalized_layer.hpp) that says which layer it builds");
};

template <>
struct normalized<norm::none> : detail::plain_layers {};

template <>
struct normalized<norm::spectral> {
  static constexpr bool changes_layers = true;
  using linear_layer = SpectralLinear;
  using conv_layer = SpectralConv2d;
  template <class Layer>
  static torch::Tensor& weight(Layer& l) {
    return l->weight_orig;
  }
  // u and v are drawn (with weight_orig, which the caller then overwrites) in the order
  // torch.nn.utils.spectral_norm leaves them when an init function runs on a wrapped layer.
  template <class Layer>
  static void prepare(Layer& l, at::Generator& gen) {
    l->reset_parameters(gen);
  }
};

}  // namespace gad::nn
