#pragma once
// A Conv2d layer with spectral normalization, the C++ counterpart of
// torch.nn.utils.spectral_norm(nn.Conv2d(...)) (dim 0: the kernel is viewed as
// [out_channels, in_channels / groups * kh * kw]). State-dict keys match PyTorch's.
#include <gad/core/error.hpp>
#include <gad/core/torch_compat.hpp>
#include <gad/nn/spectral_norm.hpp>

#include <ATen/core/Generator.h>
#include <c10/util/Optional.h>
#include <torch/enum.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/functional/conv.h>
#include <torch/nn/functional/padding.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/options/conv.h>
#include <torch/nn/options/padding.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <cmath>
#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace gad::nn {

/// conv2d(x, W / sigma(W)) + b, with sigma estimated by power iteration over the kernel
/// reshaped to [out_channels, -1].
///
/// Supports every torch::nn::Conv2dOptions setting (stride, padding including kValid/kSame,
/// dilation, groups, bias, padding_mode). Training mode advances the buffers weight_u and
/// weight_v once per forward; eval mode uses them as stored. Initialization, in draw order:
/// weight_orig and bias as torch::nn::Conv2d does (U(-1/sqrt(fan_in), 1/sqrt(fan_in))), then u
/// and v; all from `gen` when given, else from LibTorch's default CPU generator.
///
/// To re-initialize the kernel after construction (as reference code does with N(0, 0.02) or
/// xavier), write into weight_orig, e.g. `torch::nn::init::normal_(layer->weight_orig, 0, 0.02)`,
/// or call reset_weight(w). u and v keep their values, exactly as in PyTorch.
class SpectralConv2dImpl : public torch::nn::Cloneable<SpectralConv2dImpl> {
 public:
  SpectralConv2dImpl(std::int64_t in_channels, std::int64_t out_channels,
                     torch::ExpandingArray<2> kernel_size)
      : SpectralConv2dImpl(torch::nn::Conv2dOptions(in_channels, out_channels, kernel_size)) {}

  explicit SpectralConv2dImpl(torch::nn::Conv2dOptions options_,
                              SpectralNormOptions sn_options_ = {},
                              c10::optional<at::Generator> gen = c10::nullopt)
      : options(std::move(options_)), sn_options(std::move(sn_options_)) {
    check_spectral_norm_options(sn_options);
    check_conv_options();
    register_tensors();
    reset_parameters(std::move(gen));
  }

  /// Default power-iteration settings, seeded draws (ModuleHolder cannot forward a `{}`).
  SpectralConv2dImpl(torch::nn::Conv2dOptions options_, at::Generator gen)
      : SpectralConv2dImpl(std::move(options_), SpectralNormOptions(), std::move(gen)) {}

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
    const std::int64_t fan_in = weight_orig.numel() / weight_orig.size(0);
    const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
    const auto cpu = torch::TensorOptions().dtype(weight_orig.dtype()).device(torch::kCPU);
    weight_orig.copy_(torch::empty(weight_orig.sizes(), cpu).uniform_(-bound, bound, gen));
    if (bias.defined()) {
      bias.copy_(torch::empty(bias.sizes(), cpu).uniform_(-bound, bound, gen));
    }
    auto uv = spectral_init_vectors(weight_orig, sn_options.eps(), gen);
    weight_u.copy_(uv.first);
    weight_v.copy_(uv.second);
  }

  /// Applies the layer to [N, C_in, H, W] (or unbatched [C_in, H, W]); advances u and v first in
  /// training mode.
  torch::Tensor forward(const torch::Tensor& input) {
    if ((input.dim() != 3 && input.dim() != 4) || input.size(-3) != options.in_channels()) {
      throw invalid_argument("SpectralConv2d: expected input of shape [N, " +
                             std::to_string(options.in_channels()) + ", H, W], got " +
                             gad::detail::shape_string(input));
    }
    const torch::Tensor w =
        spectral_normalized_weight(weight_orig, weight_u, weight_v, sn_options, is_training());
    return conv(input, w);
  }

  /// The kernel the next eval-mode forward applies (also the one the latest training-mode
  /// forward applied). Differentiable in weight_orig; detach() it for a plain value.
  torch::Tensor weight() const { return weight_orig / sigma(); }

  /// The current estimate u . (W v) of the reshaped kernel's largest singular value.
  torch::Tensor sigma() const {
    return spectral_stored_sigma(weight_orig, weight_u, weight_v);
  }

  /// Copies `new_weight` (same shape as weight_orig) into weight_orig; u and v are kept.
  void reset_weight(const torch::Tensor& new_weight) {
    spectral_copy_weight("SpectralConv2d", weight_orig, new_weight);
  }

  /// A plain Conv2d computing what eval mode computes now (for inference or export). Its
  /// construction draws a throwaway init from LibTorch's default generator.
  torch::nn::Conv2d fold() const {
    torch::nn::Conv2d plain(options);
    plain->to(weight_orig.device(), weight_orig.scalar_type());
    torch::NoGradGuard no_grad;
    plain->weight.copy_(weight());
    if (bias.defined()) plain->bias.copy_(bias);
    return plain;
  }

  void pretty_print(std::ostream& stream) const override {
    stream << std::boolalpha << "gad::nn::SpectralConv2d(" << options.in_channels() << ", "
           << options.out_channels() << ", kernel_size=" << options.kernel_size()
           << ", stride=" << options.stride() << ", dilation=" << options.dilation()
           << ", groups=" << options.groups() << ", bias=" << options.bias()
           << ", n_power_iterations=" << sn_options.n_power_iterations()
           << ", eps=" << sn_options.eps() << ")";
  }

  torch::nn::Conv2dOptions options;
  SpectralNormOptions sn_options;
  /// Raw kernel [out_channels, in_channels / groups, kh, kw], the trained parameter.
  torch::Tensor weight_orig;
  /// Left singular-vector estimate [out_channels] (buffer).
  torch::Tensor weight_u;
  /// Right singular-vector estimate [in_channels / groups * kh * kw] (buffer).
  torch::Tensor weight_v;
  /// [out_channels], undefined when options.bias() is false.
  torch::Tensor bias;

 private:
  // LibTorch would reject most of these with c10::Error deep inside conv2d; checking here gives
  // gad's exception type and a message naming the option.
  void check_conv_options() const {
    const auto fail = [](const std::string& what) {
      throw invalid_argument("SpectralConv2d: " + what);
    };
    if (options.in_channels() < 1 || options.out_channels() < 1) {
      fail("in_channels and out_channels must be >= 1");
    }
    if (options.groups() < 1) fail("groups must be >= 1");
    if (options.in_channels() % options.groups() != 0 ||
        options.out_channels() % options.groups() != 0) {
      fail("in_channels and out_channels must be divisible by groups");
    }
    for (int i = 0; i < 2; ++i) {
      if ((*options.kernel_size())[i] < 1) fail("kernel_size must be >= 1");
      if ((*options.stride())[i] < 1) fail("stride must be >= 1");
      if ((*options.dilation())[i] < 1) fail("dilation must be >= 1");
    }
    if (const auto* pad = compat::get_if<torch::ExpandingArray<2>>(&options.padding())) {
      if ((**pad)[0] < 0 || (**pad)[1] < 0) fail("padding must be >= 0");
    }
    if (compat::get_if<torch::enumtype::kSame>(&options.padding()) &&
        ((*options.stride())[0] != 1 || (*options.stride())[1] != 1)) {
      fail("padding='same' needs stride 1");
    }
  }

  void register_tensors() {
    const std::int64_t out = options.out_channels();
    const std::int64_t in_per_group = options.in_channels() / options.groups();
    const std::int64_t kh = (*options.kernel_size())[0];
    const std::int64_t kw = (*options.kernel_size())[1];
    weight_orig = register_parameter("weight_orig", torch::empty({out, in_per_group, kh, kw}));
    weight_u = register_buffer("weight_u", torch::empty({out}));
    weight_v = register_buffer("weight_v", torch::empty({in_per_group * kh * kw}));
    // An undefined bias stays out of the state dict, as PyTorch's bias=None does.
    bias = options.bias() ? register_parameter("bias", torch::empty({out}))
                          : register_parameter("bias", torch::Tensor(), /*requires_grad=*/false);
  }

  // F.pad order for padding_mode != zeros: last dimension first, (left, right) per dimension.
  std::vector<std::int64_t> explicit_padding() const {
    std::vector<std::int64_t> pad(4, 0);
    if (const auto* p = compat::get_if<torch::ExpandingArray<2>>(&options.padding())) {
      pad = {(**p)[1], (**p)[1], (**p)[0], (**p)[0]};
    } else if (compat::get_if<torch::enumtype::kSame>(&options.padding())) {
      for (int d = 0; d < 2; ++d) {
        const std::int64_t total = (*options.dilation())[d] * ((*options.kernel_size())[d] - 1);
        const int slot = 2 * (1 - d);
        pad[slot] = total / 2;
        pad[slot + 1] = total - total / 2;
      }
    }
    return pad;
  }

  torch::Tensor conv(const torch::Tensor& input, const torch::Tensor& w) const {
    namespace F = torch::nn::functional;
    auto conv_options = F::Conv2dFuncOptions()
                            .bias(bias)
                            .stride(options.stride())
                            .dilation(options.dilation())
                            .groups(options.groups());
    if (compat::get_if<torch::enumtype::kZeros>(&options.padding_mode())) {
      return F::conv2d(input, w, conv_options.padding(options.padding()));
    }
    F::PadFuncOptions::mode_t mode = torch::kReflect;
    if (compat::get_if<torch::enumtype::kReplicate>(&options.padding_mode())) {
      mode = torch::kReplicate;
    } else if (compat::get_if<torch::enumtype::kCircular>(&options.padding_mode())) {
      mode = torch::kCircular;
    }
    const torch::Tensor padded = F::pad(input, F::PadFuncOptions(explicit_padding()).mode(mode));
    return F::conv2d(padded, w, conv_options.padding(0));
  }
};
TORCH_MODULE(SpectralConv2d);

}  // namespace gad::nn
