#pragma once
// ALGAN's generator G (reference: hanneko/algan_for_t-prism, src/model.py), in one of two
// architectures (docs/design.md, "ALGAN's two architectures"):
//   mlp:  z -> [Linear(no bias) -> BatchNorm1d -> ReLU] per hidden width -> Linear(no bias) -> tanh
//   conv: z -> Linear(no bias) -> [C0, H/2^L, W/2^L] -> BatchNorm2d -> ReLU
//           -> [ConvTranspose 4x4 stride 2 (no bias) -> BatchNorm2d -> ReLU] per further width
//           -> ConvTranspose 4x4 stride 2 (no bias) -> tanh
// Either way G returns flattened images, the form the rest of ALGAN works on.
#include <gad/algan/network_init.hpp>
#include <gad/core/error.hpp>
#include <gad/detail/shape_string.hpp>

#include <ATen/core/Generator.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace gad::nn {

struct AlganGeneratorOptions {
  std::int64_t z_dim = 100;
  /// Hidden widths (mlp) or channel counts (conv), input side first.
  std::vector<std::int64_t> hidden = {512, 1024};
  /// Length of a flattened image (mlp); conv derives it from the image shape below.
  std::int64_t out_features = 784;
  double batch_norm_eps = 1e-5;
  double batch_norm_momentum = 0.1;
  bool convolutional = false;
  /// Image shape, read by conv only.
  std::int64_t channels = 1;
  std::int64_t height = 28;
  std::int64_t width = 28;
};

/// Maps latents [N, z_dim] to flattened images [N, out_features] (mlp) or [N, C*H*W] (conv),
/// in [-1, 1].
class AlganGeneratorImpl : public torch::nn::Cloneable<AlganGeneratorImpl> {
 public:
  explicit AlganGeneratorImpl(AlganGeneratorOptions options_ = {}) : options(std::move(options_)) {
    reset();
  }

  void reset() override {
    linears = {};
    norms = {};
    deconvs = {};
    norms2d = {};
    last = nullptr;
    last_deconv = nullptr;
    if (options.convolutional) {
      reset_conv();
    } else {
      reset_mlp();
    }
  }

  torch::Tensor forward(const torch::Tensor& z) {
    if (z.dim() != 2 || z.size(1) != options.z_dim) {
      throw invalid_argument("ALGAN generator: expected latents of shape [N, " +
                             std::to_string(options.z_dim) + "], got " +
                             gad::detail::shape_string(z));
    }
    return options.convolutional ? forward_conv(z) : forward_mlp(z);
  }

  /// The reference's weights_init: Xavier-uniform Linear weights, N(0, 0.02) convolution
  /// weights, BatchNorm weight ~ N(1, 0.02) and bias 0. Running statistics are reset too, so a
  /// re-initialized G forgets earlier training.
  void initialize(at::Generator& gen) {
    torch::NoGradGuard no_grad;
    for (std::size_t i = 0; i < linears.size(); ++i) {
      detail::algan_xavier_uniform_(linears[i]->weight, gen);
      detail::algan_batch_norm_init_(*norms[i], gen);
    }
    if (last) detail::algan_xavier_uniform_(last->weight, gen);
    if (options.convolutional) {
      detail::algan_xavier_uniform_(projection->weight, gen);
      detail::algan_batch_norm_init_(*norms2d[0], gen);
      for (std::size_t i = 0; i < deconvs.size(); ++i) {
        detail::algan_conv_normal_(deconvs[i]->weight, gen);
        detail::algan_batch_norm_init_(*norms2d[i + 1], gen);
      }
      detail::algan_conv_normal_(last_deconv->weight, gen);
    }
  }

  AlganGeneratorOptions options;
  // mlp
  std::vector<torch::nn::Linear> linears;
  std::vector<torch::nn::BatchNorm1d> norms;
  torch::nn::Linear last{nullptr};
  // conv
  torch::nn::Linear projection{nullptr};
  std::vector<torch::nn::BatchNorm2d> norms2d;
  std::vector<torch::nn::ConvTranspose2d> deconvs;
  torch::nn::ConvTranspose2d last_deconv{nullptr};

 private:
  std::int64_t start_height() const { return options.height >> options.hidden.size(); }
  std::int64_t start_width() const { return options.width >> options.hidden.size(); }

  void reset_mlp() {
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

  void reset_conv() {
    const auto& c = options.hidden;
    if (c.empty() || start_height() << c.size() != options.height ||
        start_width() << c.size() != options.width || start_height() == 0 || start_width() == 0) {
      throw invalid_argument("ALGAN conv generator: height and width must be divisible by 2^" +
                             std::to_string(c.size()) + " (one stride-2 layer per width)");
    }
    const auto norm2d = [&](std::int64_t ch) {
      return torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(ch)
                                        .eps(options.batch_norm_eps)
                                        .momentum(options.batch_norm_momentum));
    };
    const auto up = [](std::int64_t in, std::int64_t out) {
      return torch::nn::ConvTranspose2d(
          torch::nn::ConvTranspose2dOptions(in, out, 4).stride(2).padding(1).bias(false));
    };
    projection = register_module(
        "projection", torch::nn::Linear(torch::nn::LinearOptions(
                                            options.z_dim, c[0] * start_height() * start_width())
                                            .bias(false)));
    norms2d.push_back(register_module("norm0", norm2d(c[0])));
    for (std::size_t i = 1; i < c.size(); ++i) {
      deconvs.push_back(register_module("deconv" + std::to_string(i), up(c[i - 1], c[i])));
      norms2d.push_back(register_module("norm" + std::to_string(i), norm2d(c[i])));
    }
    last_deconv = register_module("last", up(c.back(), options.channels));
  }

  torch::Tensor forward_mlp(const torch::Tensor& z) {
    torch::Tensor h = z;
    for (std::size_t i = 0; i < linears.size(); ++i) {
      h = torch::relu(norms[i]->forward(linears[i]->forward(h)));
    }
    return torch::tanh(last->forward(h));
  }

  torch::Tensor forward_conv(const torch::Tensor& z) {
    torch::Tensor h =
        projection->forward(z).view({z.size(0), options.hidden[0], start_height(), start_width()});
    h = torch::relu(norms2d[0]->forward(h));
    for (std::size_t i = 0; i < deconvs.size(); ++i) {
      h = torch::relu(norms2d[i + 1]->forward(deconvs[i]->forward(h)));
    }
    return torch::tanh(last_deconv->forward(h)).flatten(1);
  }
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

}  // namespace gad::nn
