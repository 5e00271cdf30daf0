#pragma once
// A Linear layer with spectral normalization, the C++ counterpart of
// torch.nn.utils.spectral_norm(nn.Linear(...)). The state-dict keys (weight_orig, weight_u,
// weight_v, bias) are PyTorch's, so a discriminator's weights can move between the two.
#include <gad/core/error.hpp>
#include <gad/nn/spectral_norm.hpp>

#include <ATen/core/Generator.h>
#include <c10/util/Optional.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/functional/linear.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/options/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <cmath>
#include <cstdint>
#include <ostream>
#include <string>
#include <utility>

namespace gad::nn {

/// y = x (W / sigma(W))^T + b, with sigma estimated by power iteration.
///
/// Training mode advances the singular-vector estimates (buffers weight_u, weight_v) once per
/// forward; eval mode uses them as stored. Initialization, in draw order: weight_orig and bias
/// as torch::nn::Linear does (U(-1/sqrt(in), 1/sqrt(in))), then u and v. All four draws come
/// from `gen` when given, else from LibTorch's default CPU generator.
///
/// To re-initialize the weight the way the reference code does (xavier after wrapping), write
/// into weight_orig, e.g. `torch::nn::init::xavier_uniform_(layer->weight_orig)` or
/// `layer->reset_weight(w)`. u and v keep their values, exactly as in PyTorch.
class SpectralLinearImpl : public torch::nn::Cloneable<SpectralLinearImpl> {
 public:
  SpectralLinearImpl(std::int64_t in_features, std::int64_t out_features)
      : SpectralLinearImpl(torch::nn::LinearOptions(in_features, out_features)) {}

  explicit SpectralLinearImpl(torch::nn::LinearOptions options_,
                              SpectralNormOptions sn_options_ = {},
                              c10::optional<at::Generator> gen = c10::nullopt)
      : options(std::move(options_)), sn_options(std::move(sn_options_)) {
    check_spectral_norm_options(sn_options);
    if (options.in_features() < 1 || options.out_features() < 1) {
      throw invalid_argument("SpectralLinear: in_features and out_features must be >= 1, got " +
                             std::to_string(options.in_features()) + " and " +
                             std::to_string(options.out_features()));
    }
    register_tensors();
    reset_parameters(std::move(gen));
  }

  /// Default power-iteration settings, seeded draws (ModuleHolder cannot forward a `{}`).
  SpectralLinearImpl(torch::nn::LinearOptions options_, at::Generator gen)
      : SpectralLinearImpl(std::move(options_), SpectralNormOptions(), std::move(gen)) {}

  /// Re-registers and re-draws everything from the default generator. clone() calls this
  /// before copying the values over, so cloning never consumes a caller's seeded stream.
  void reset() override {
    register_tensors();
    reset_parameters();
  }

  /// Re-draws weight_orig, bias, u and v (in that order) from `gen` or the default generator.
  void reset_parameters(c10::optional<at::Generator> gen = c10::nullopt) {
    torch::NoGradGuard no_grad;
    // kaiming_uniform_(a = sqrt(5)) reduces to this bound; drawing on the CPU keeps a seeded
    // generator usable after the module has moved to another device.
    const double bound = 1.0 / std::sqrt(static_cast<double>(options.in_features()));
    const auto cpu = torch::TensorOptions().dtype(weight_orig.dtype()).device(torch::kCPU);
    weight_orig.copy_(torch::empty(weight_orig.sizes(), cpu).uniform_(-bound, bound, gen));
    if (bias.defined()) {
      bias.copy_(torch::empty(bias.sizes(), cpu).uniform_(-bound, bound, gen));
    }
    auto uv = spectral_init_vectors(weight_orig, sn_options.eps(), gen);
    weight_u.copy_(uv.first);
    weight_v.copy_(uv.second);
  }

  /// Applies the layer to [..., in_features]; advances u and v first in training mode.
  torch::Tensor forward(const torch::Tensor& input) {
    if (input.dim() < 1 || input.size(-1) != options.in_features()) {
      throw invalid_argument("SpectralLinear: expected input of shape [..., " +
                             std::to_string(options.in_features()) + "], got " +
                             gad::detail::shape_string(input));
    }
    const torch::Tensor w =
        spectral_normalized_weight(weight_orig, weight_u, weight_v, sn_options, is_training());
    return torch::nn::functional::linear(input, w, bias);
  }

  /// The weight the next eval-mode forward applies (also the one the latest training-mode
  /// forward applied). Differentiable in weight_orig; detach() it for a plain value.
  torch::Tensor weight() const { return weight_orig / sigma(); }

  /// The current estimate u . (W v) of weight_orig's largest singular value.
  torch::Tensor sigma() const {
    return spectral_stored_sigma(weight_orig, weight_u, weight_v);
  }

  /// Copies `new_weight` ([out_features, in_features]) into weight_orig; u and v are kept.
  void reset_weight(const torch::Tensor& new_weight) {
    spectral_copy_weight("SpectralLinear", weight_orig, new_weight);
  }

  /// A plain Linear computing what eval mode computes now (for inference or export). Its
  /// construction draws a throwaway init from LibTorch's default generator.
  torch::nn::Linear fold() const {
    torch::nn::Linear plain(options);
    plain->to(weight_orig.device(), weight_orig.scalar_type());
    torch::NoGradGuard no_grad;
    plain->weight.copy_(weight());
    if (bias.defined()) plain->bias.copy_(bias);
    return plain;
  }

  void pretty_print(std::ostream& stream) const override {
    stream << std::boolalpha << "gad::nn::SpectralLinear(in_features=" << options.in_features()
           << ", out_features=" << options.out_features() << ", bias=" << options.bias()
           << ", n_power_iterations=" << sn_options.n_power_iterations()
           << ", eps=" << sn_options.eps() << ")";
  }

  torch::nn::LinearOptions options;
  SpectralNormOptions sn_options;
  /// Raw weight [out_features, in_features], the trained parameter.
  torch::Tensor weight_orig;
  /// Left singular-vector estimate [out_features] (buffer).
  torch::Tensor weight_u;
  /// Right singular-vector estimate [in_features] (buffer).
  torch::Tensor weight_v;
  /// [out_features], undefined when options.bias() is false.
  torch::Tensor bias;

 private:
  void register_tensors() {
    const std::int64_t out = options.out_features();
    const std::int64_t in = options.in_features();
    weight_orig = register_parameter("weight_orig", torch::empty({out, in}));
    weight_u = register_buffer("weight_u", torch::empty({out}));
    weight_v = register_buffer("weight_v", torch::empty({in}));
    // An undefined bias stays out of the state dict, as PyTorch's bias=None does.
    bias = options.bias() ? register_parameter("bias", torch::empty({out}))
                          : register_parameter("bias", torch::Tensor(), /*requires_grad=*/false);
  }
};
TORCH_MODULE(SpectralLinear);

}  // namespace gad::nn
