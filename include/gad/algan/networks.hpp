#pragma once
// The two MLPs of ALGAN's MNIST variant (reference: hanneko/algan_for_t-prism, src/model.py):
//   G: z -> [Linear(no bias) -> BatchNorm1d -> ReLU] per hidden width -> Linear(no bias) -> tanh
//   D: x -> [Linear(no bias; the normalization policy's layer) -> LeakyReLU] per hidden width
//        -> Linear(no bias) -> logit
// Widths and sizes are run-time values; the reference widths are the defaults of
// gad::algan_options. Both networks work on flattened images.
#include <gad/core/error.hpp>
#include <gad/core/precision.hpp>
#include <gad/detail/shape_string.hpp>
#include <gad/nn/normalized_layer.hpp>

#include <ATen/core/Generator.h>
#include <c10/util/Optional.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/functional/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace gad::nn {

namespace detail {
/// Xavier/Glorot uniform with gain 1, drawn on the CPU from `gen` so that a seed gives the same
/// weights on every device (torch::nn::init::xavier_uniform_ takes no generator).
inline void algan_xavier_uniform_(torch::Tensor& weight, at::Generator& gen) {
  torch::NoGradGuard no_grad;
  const auto fan_out = static_cast<double>(weight.size(0));
  const auto fan_in = static_cast<double>(weight.numel() / weight.size(0));
  const double bound = std::sqrt(6.0 / (fan_in + fan_out));
  const auto cpu = torch::TensorOptions().dtype(weight.dtype()).device(torch::kCPU);
  weight.copy_(torch::empty(weight.sizes(), cpu).uniform_(-bound, bound, gen));
}
}  // namespace detail

struct AlganGeneratorOptions {
  std::int64_t z_dim = 100;
  std::vector<std::int64_t> hidden = {512, 1024};
  std::int64_t out_features = 784;
  double batch_norm_eps = 1e-5;
  double batch_norm_momentum = 0.1;
};

/// Maps latents [N, z_dim] to flattened images [N, out_features] in [-1, 1].
class AlganGeneratorImpl : public torch::nn::Cloneable<AlganGeneratorImpl> {
 public:
  explicit AlganGeneratorImpl(AlganGeneratorOptions options_ = {}) : options(std::move(options_)) {
    reset();
  }

  void reset() override {
    linears = {};
    norms = {};
    std::int64_t in = options.z_dim;
    for (std::size_t i = 0; i < options.hidden.size(); ++i) {
      const std::int64_t out = options.hidden[i];
      linears.push_back(
          register_module("linear" + std::to_string(i),
                          torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(false))));
      norms.push_back(
          register_module("norm" + std::to_string(i),
                          torch::nn::BatchNorm1d(torch::nn::BatchNorm1dOptions(out)
                                                     .eps(options.batch_norm_eps)
                                                     .momentum(options.batch_norm_momentum))));
      in = out;
    }
    last = register_module(
        "last", torch::nn::Linear(torch::nn::LinearOptions(in, options.out_features).bias(false)));
  }

  torch::Tensor forward(const torch::Tensor& z) {
    if (z.dim() != 2 || z.size(1) != options.z_dim) {
      throw invalid_argument("ALGAN generator: expected latents of shape [N, " +
                             std::to_string(options.z_dim) + "], got " +
                             gad::detail::shape_string(z));
    }
    torch::Tensor h = z;
    for (std::size_t i = 0; i < linears.size(); ++i) {
      h = torch::relu(norms[i]->forward(linears[i]->forward(h)));
    }
    return torch::tanh(last->forward(h));
  }

  /// The reference's weights_init: Xavier-uniform Linear weights; BatchNorm weight ~ N(1, 0.02),
  /// bias 0. Running statistics are reset too, so a re-initialized G forgets earlier training.
  void initialize(at::Generator& gen) {
    torch::NoGradGuard no_grad;
    for (std::size_t i = 0; i < linears.size(); ++i) {
      detail::algan_xavier_uniform_(linears[i]->weight, gen);
      auto& bn = norms[i];
      const auto cpu = torch::TensorOptions().dtype(bn->weight.dtype()).device(torch::kCPU);
      bn->weight.copy_(torch::empty(bn->weight.sizes(), cpu).normal_(1.0, 0.02, gen));
      bn->bias.zero_();
      bn->running_mean.zero_();
      bn->running_var.fill_(1.0);
      bn->num_batches_tracked.zero_();
    }
    detail::algan_xavier_uniform_(last->weight, gen);
  }

  AlganGeneratorOptions options;
  std::vector<torch::nn::Linear> linears;
  std::vector<torch::nn::BatchNorm1d> norms;
  torch::nn::Linear last{nullptr};
};
TORCH_MODULE(AlganGenerator);

/// ALGAN's pseudo-anomalies G(z_a), made with G in eval mode: BatchNorm then normalizes with its
/// running statistics and leaves them untouched, whereas a training-mode forward would fold
/// the wide z_a batch (sigma = 4) into the statistics G is trained with. No gradient is
/// recorded: G never learns from pseudo-anomalies. G's previous mode is restored, even on error.
inline torch::Tensor make_pseudo_anomalies(AlganGenerator& generator, const torch::Tensor& z_a) {
  torch::NoGradGuard no_grad;
  const bool was_training = generator->is_training();
  generator->eval();
  try {
    torch::Tensor out = generator->forward(z_a);
    generator->train(was_training);
    return out;
  } catch (...) {
    generator->train(was_training);
    throw;
  }
}

struct AlganDiscriminatorOptions {
  std::int64_t in_features = 784;
  std::vector<std::int64_t> hidden = {1024, 512};
  double leaky_relu_slope = 0.2;
};

/// Maps flattened images [N, in_features] to logits [N, 1] (no sigmoid). The hidden layers (not
/// the output layer) are the normalization policy's layer (gad/nn/normalized_layer.hpp): spectral
/// norm in the reference, plain Linear with gad::norm::none.
template <class Norm = norm::spectral>
class AlganDiscriminatorImpl : public torch::nn::Cloneable<AlganDiscriminatorImpl<Norm>> {
 public:
  using normalization = normalized<Norm>;
  using hidden_layer = typename normalization::linear_layer;

  explicit AlganDiscriminatorImpl(AlganDiscriminatorOptions options_ = {})
      : options(std::move(options_)) {
    reset();
  }

  void reset() override {
    hidden_layers = {};
    std::int64_t in = options.in_features;
    for (std::size_t i = 0; i < options.hidden.size(); ++i) {
      const std::int64_t out = options.hidden[i];
      hidden_layers.push_back(
          this->register_module("linear" + std::to_string(i),
                                hidden_layer(torch::nn::LinearOptions(in, out).bias(false))));
      in = out;
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
    for (auto& layer : hidden_layers) h = F::leaky_relu(layer->forward(h), act);
    // Under bfloat16 autocast the score would otherwise be rounded to 8 significant bits,
    // enough to tie neighbouring scores; the layer is one row, float32 costs nothing.
    float32_region full_precision;
    return last->forward(h.to(torch::kFloat));
  }

  /// The reference's weights_init: Xavier-uniform weights. The policy draws its own state
  /// first (spectral norm: u and v), so the Xavier draw then overwrites weight_orig, the order
  /// PyTorch ends up with when weights_init runs on an already wrapped layer; u and v are not
  /// re-estimated afterwards, as there.
  void initialize(at::Generator& gen) {
    for (auto& layer : hidden_layers) {
      normalization::prepare(layer, gen);
      detail::algan_xavier_uniform_(normalization::weight(layer), gen);
    }
    detail::algan_xavier_uniform_(last->weight, gen);
  }

  std::size_t hidden_count() const noexcept { return options.hidden.size(); }

  AlganDiscriminatorOptions options;
  std::vector<hidden_layer> hidden_layers;
  torch::nn::Linear last{nullptr};
};

/// Module holder of AlganDiscriminatorImpl<Norm> (what TORCH_MODULE writes for a plain class).
template <class Norm = norm::spectral>
class AlganDiscriminator : public torch::nn::ModuleHolder<AlganDiscriminatorImpl<Norm>> {
 public:
  using torch::nn::ModuleHolder<AlganDiscriminatorImpl<Norm>>::ModuleHolder;
};

}  // namespace gad::nn
