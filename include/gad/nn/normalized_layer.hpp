#pragma once
// What a normalization policy means for the layers a family wraps: which module to build and how
// to initialise it. The policy tags themselves (gad/policy/normalization.hpp) stay free of
// LibTorch, so their code lives here, one specialization per policy. A family decides which of
// its layers are wrapped; the policy decides what a wrapped layer is. Only the chosen kind of
// layer is ever built.
//
// A normalization of your own specializes gad::nn::normalized<your_tag> with the same members:
//   linear_layer   a module holder built from torch::nn::LinearOptions, with forward(Tensor)
//   weight(l)      the parameter that initialisation writes (the layer's trainable weight)
//   prepare(l, g)  draws the policy's own state from `g` before the weight is written
#include <gad/nn/spectral_linear.hpp>
#include <gad/policy/normalization.hpp>

#include <ATen/core/Generator.h>
#include <torch/nn/modules/linear.h>
#include <torch/types.h>

namespace gad::nn {

template <class Norm>
struct normalized {
  // Instantiated only for a tag nobody specialized; the detector's own rule
  // (gad/policy/policies.hpp) normally says so first.
  static_assert(sizeof(Norm) == 0,
                "a normalization policy needs a specialization of gad::nn::normalized "
                "(gad/nn/normalized_layer.hpp) that says which layer it builds");
};

template <>
struct normalized<norm::none> {
  using linear_layer = torch::nn::Linear;
  static torch::Tensor& weight(linear_layer& l) { return l->weight; }
  static void prepare(linear_layer&, at::Generator&) {}
};

template <>
struct normalized<norm::spectral> {
  using linear_layer = SpectralLinear;
  static torch::Tensor& weight(linear_layer& l) { return l->weight_orig; }
  // u and v are drawn (with weight_orig, which the caller then overwrites) in the order
  // torch.nn.utils.spectral_norm leaves them when an init function runs on a wrapped layer.
  static void prepare(linear_layer& l, at::Generator& gen) { l->reset_parameters(gen); }
};

}  // namespace gad::nn
