#pragma once
// A sequence of layers built from gad::nn::layer_spec values, with shapes worked out at
// construction so that a bad layer table fails there (naming the layer) rather than inside a
// forward pass. Convolutions follow TensorFlow's padding rules (tf_same_padding.hpp), so
// asymmetric SAME padding is reproduced exactly.
#include <gad/alad/architecture.hpp>
#include <gad/alad/tf_same_padding.hpp>
#include <gad/core/error.hpp>
#include <gad/nn/normalized_layer.hpp>

#include <ATen/core/Generator.h>
#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/dropout.h>
#include <torch/nn/functional/padding.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace gad::nn {

namespace detail {
inline std::string stack_dims_string(const std::vector<std::int64_t>& dims) {
  std::string s = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

inline std::int64_t stack_numel(const std::vector<std::int64_t>& dims) {
  std::int64_t n = 1;
  for (auto d : dims) n *= d;
  return n;
}

/// Writes N(0, std) or Glorot-uniform values into `weight`, drawn on the CPU from `gen` so a
/// seed gives the same weights on every device.
inline void stack_init_weight(const torch::Tensor& weight, weight_init how, double std,
                              at::Generator& gen) {
  torch::NoGradGuard no_grad;
  const auto cpu = torch::TensorOptions().dtype(weight.dtype()).device(torch::kCPU);
  torch::Tensor w = torch::empty(weight.sizes(), cpu);
  if (how == weight_init::normal) {
    w.normal_(0.0, std, gen);
  } else {
    // Glorot's bound is symmetric in fan-in and fan-out, so the layout of the kernel (Conv2d's
    // [out, in, k, k] or ConvTranspose2d's [in, out, k, k]) does not matter.
    const std::int64_t receptive = weight.dim() > 2 ? weight[0][0].numel() : 1;
    const double fans = static_cast<double>((weight.size(0) + weight.size(1)) * receptive);
    const double bound = std::sqrt(6.0 / fans);
    w.uniform_(-bound, bound, gen);
  }
  // Detached copy: for spectral layers `weight` is the parameter weight_orig.
  weight.detach().copy_(w);
}
}  // namespace detail

/// The layers the family wraps are the normalization policy's (gad/nn/normalized_layer.hpp):
/// only that kind is built for them, plain layers for the rest.
template <class Norm>
class LayerStackImpl : public torch::nn::Module {
 public:
  using normalization = normalized<Norm>;

  /// `input_shape` is one sample's shape ({C, H, W} or {F}). The first `wrapped_layers`
  /// layers with weights are the normalization's. `what` names the stack in errors.
  LayerStackImpl(std::vector<layer_spec> specs, std::vector<std::int64_t> input_shape,
                 std::size_t wrapped_layers, double batch_norm_eps, double batch_norm_momentum,
                 std::string what)
      : input_shape_(std::move(input_shape)), what_(std::move(what)) {
    std::vector<std::int64_t> shape = input_shape_;
    std::size_t weighted = 0;
    for (std::size_t i = 0; i < specs.size(); ++i) {
      slot s;
      s.spec = specs[i];
      s.in_shape = shape;
      const bool wrap = s.spec.type != layer_spec::kind::unflatten && weighted < wrapped_layers;
      build(s, i, wrap, batch_norm_eps, batch_norm_momentum);
      if (s.spec.type != layer_spec::kind::unflatten) ++weighted;
      shape = s.out_shape;
      slots_.push_back(std::move(s));
    }
    output_shape_ = shape;
  }

  const std::vector<std::int64_t>& input_shape() const noexcept { return input_shape_; }
  const std::vector<std::int64_t>& output_shape() const noexcept { return output_shape_; }
  std::int64_t output_numel() const noexcept { return detail::stack_numel(output_shape_); }
  std::size_t size() const noexcept { return slots_.size(); }
  /// Number of layers the normalization changed (for tests and summaries; 0 for norm::none).
  std::size_t normalized_count() const noexcept {
    if (!normalization::changes_layers) return 0;
    std::size_t n = 0;
    for (const auto& s : slots_) n += s.wrapped_linear || s.wrapped_conv ? 1 : 0;
    return n;
  }
  /// Per-sample output shape of layer i.
  const std::vector<std::int64_t>& layer_output_shape(std::size_t i) const {
    return slots_.at(i).out_shape;
  }

  /// `x` is [N, input_shape...] (or any shape with that many values per sample).
  torch::Tensor forward(torch::Tensor x) {
    namespace F = torch::nn::functional;
    for (auto& s : slots_) {
      switch (s.spec.type) {
        case layer_spec::kind::dense:
          x = x.reshape({x.size(0), detail::stack_numel(s.in_shape)});
          x = s.wrapped_linear ? s.wrapped_linear->forward(x) : s.linear->forward(x);
          if (s.spec.batch_norm) x = s.bn1->forward(x);
          break;
        case layer_spec::kind::conv:
          x = x.reshape({x.size(0), s.in_shape[0], s.in_shape[1], s.in_shape[2]});
          if (s.pad != std::array<std::int64_t, 4>{}) {
            x = F::pad(x, F::PadFuncOptions({s.pad[0], s.pad[1], s.pad[2], s.pad[3]}));
          }
          x = s.wrapped_conv ? s.wrapped_conv->forward(x) : s.conv->forward(x);
          if (s.spec.batch_norm) x = s.bn2->forward(x);
          break;
        case layer_spec::kind::deconv:
          x = x.reshape({x.size(0), s.in_shape[0], s.in_shape[1], s.in_shape[2]});
          x = s.deconv->forward(x);
          // ConvTranspose2d cropped `before` on both sides; TF crops one more at the end.
          if (x.size(2) != s.out_shape[1]) x = x.slice(2, 0, s.out_shape[1]);
          if (x.size(3) != s.out_shape[2]) x = x.slice(3, 0, s.out_shape[2]);
          if (s.spec.batch_norm) x = s.bn2->forward(x);
          break;
        case layer_spec::kind::unflatten:
          x = x.reshape({x.size(0), s.out_shape[0], s.out_shape[1], s.out_shape[2]});
          break;
      }
      switch (s.spec.act) {
        case activation::none:
          break;
        case activation::relu:
          x = torch::relu(x);
          break;
        case activation::tanh:
          x = torch::tanh(x);
          break;
        case activation::leaky_relu:
          x = F::leaky_relu(x, F::LeakyReLUFuncOptions().negative_slope(s.spec.slope));
          break;
      }
      if (s.spec.dropout > 0.0) {
        x = F::dropout(x, F::DropoutFuncOptions().p(s.spec.dropout).training(is_training()));
      }
    }
    return x;
  }

  /// Reference initialization: weights N(0, std) or Glorot uniform, biases 0, batch-norm scale 1
  /// and shift 0 with fresh running statistics. Wrapped layers draw the normalization's own
  /// state first (spectral norm: the power-iteration vectors), then get the weight.
  void initialize(weight_init how, double std, at::Generator& gen) {
    torch::NoGradGuard no_grad;
    for (auto& s : slots_) {
      torch::Tensor weight;
      torch::Tensor bias;
      if (s.linear) {
        weight = s.linear->weight;
        bias = s.linear->bias;
      } else if (s.wrapped_linear) {
        normalization::prepare(s.wrapped_linear, gen);
        weight = normalization::weight(s.wrapped_linear);
        bias = s.wrapped_linear->bias;
      } else if (s.conv) {
        weight = s.conv->weight;
        bias = s.conv->bias;
      } else if (s.wrapped_conv) {
        normalization::prepare(s.wrapped_conv, gen);
        weight = normalization::weight(s.wrapped_conv);
        bias = s.wrapped_conv->bias;
      } else if (s.deconv) {
        weight = s.deconv->weight;
        bias = s.deconv->bias;
      }
      if (weight.defined()) detail::stack_init_weight(weight, how, std, gen);
      if (bias.defined()) bias.zero_();
      if (s.bn1) reset_batch_norm(*s.bn1);
      if (s.bn2) reset_batch_norm(*s.bn2);
    }
  }

 private:
  struct slot {
    layer_spec spec;
    std::vector<std::int64_t> in_shape;
    std::vector<std::int64_t> out_shape;
    torch::nn::Linear linear{nullptr};
    typename normalization::linear_layer wrapped_linear{nullptr};
    torch::nn::Conv2d conv{nullptr};
    typename normalization::conv_layer wrapped_conv{nullptr};
    torch::nn::ConvTranspose2d deconv{nullptr};
    torch::nn::BatchNorm1d bn1{nullptr};
    torch::nn::BatchNorm2d bn2{nullptr};
    std::array<std::int64_t, 4> pad{};  // F.pad order: left, right, top, bottom
  };

  template <class BN>
  static void reset_batch_norm(BN& bn) {
    bn.weight.fill_(1.0);
    bn.bias.zero_();
    bn.running_mean.zero_();
    bn.running_var.fill_(1.0);
    bn.num_batches_tracked.zero_();
  }

  [[noreturn]] void fail(std::size_t i, const std::string& why) const {
    throw invalid_argument(what_ + " layer " + std::to_string(i) + ": " + why);
  }

  void build(slot& s, std::size_t i, bool wrap, double eps, double momentum) {
    const layer_spec& l = s.spec;
    const std::string name = "layer" + std::to_string(i);
    const std::vector<std::int64_t>& in = s.in_shape;
    if (l.out < 1) fail(i, "out must be >= 1, got " + std::to_string(l.out));
    if (!(l.dropout >= 0.0 && l.dropout < 1.0)) {
      fail(i, "dropout must lie in [0, 1), got " + std::to_string(l.dropout));
    }
    if (l.act == activation::leaky_relu && !(std::isfinite(l.slope) && l.slope >= 0.0)) {
      fail(i, "leaky ReLU slope must be >= 0, got " + std::to_string(l.slope));
    }
    switch (l.type) {
      case layer_spec::kind::dense: {
        const auto lin = torch::nn::LinearOptions(detail::stack_numel(in), l.out);
        if (wrap) {
          s.wrapped_linear = register_module(name, typename normalization::linear_layer(lin));
        } else {
          s.linear = register_module(name, torch::nn::Linear(lin));
        }
        s.out_shape = {l.out};
        if (l.batch_norm) {
          s.bn1 = register_module(
              "bn" + std::to_string(i),
              torch::nn::BatchNorm1d(
                  torch::nn::BatchNorm1dOptions(l.out).eps(eps).momentum(momentum)));
        }
        return;
      }
      case layer_spec::kind::conv:
      case layer_spec::kind::deconv: {
        if (in.size() != 3) {
          fail(i, "a convolution needs an image input [C, H, W], got " +
                      detail::stack_dims_string(in) + " (add an unflatten layer first)");
        }
        if (l.kernel < 1 || l.stride < 1) fail(i, "kernel and stride must be >= 1");
        const bool same = l.padding == tf_padding::same;
        std::int64_t h = 0;
        std::int64_t w = 0;
        if (l.type == layer_spec::kind::conv) {
          if (same) {
            h = tf_same_output(in[1], l.stride);
            w = tf_same_output(in[2], l.stride);
            s.pad = tf_same_pad_2d(in[1], in[2], l.kernel, l.stride);
          } else {
            if (l.kernel > in[1] || l.kernel > in[2]) {
              fail(i, "VALID kernel " + std::to_string(l.kernel) + " does not fit the input " +
                          detail::stack_dims_string(in));
            }
            h = tf_valid_output(in[1], l.kernel, l.stride);
            w = tf_valid_output(in[2], l.kernel, l.stride);
          }
          const auto opts = torch::nn::Conv2dOptions(in[0], l.out, l.kernel).stride(l.stride);
          if (wrap) {
            s.wrapped_conv = register_module(name, typename normalization::conv_layer(opts));
          } else {
            s.conv = register_module(name, torch::nn::Conv2d(opts));
          }
        } else {
          if (wrap && normalization::changes_layers) {
            fail(i, "normalization of transposed convolutions is not supported");
          }
          std::int64_t crop = 0;
          if (same) {
            if (l.kernel < l.stride)
              fail(i, "a SAME transposed convolution needs kernel >= stride");
            const tf_pad ch = tf_same_transposed_crop(in[1], l.kernel, l.stride);
            const tf_pad cw = tf_same_transposed_crop(in[2], l.kernel, l.stride);
            // The total crop is k - s whatever the input size, so both dimensions crop alike.
            crop = std::min(ch.before, cw.before);
            h = in[1] * l.stride;
            w = in[2] * l.stride;
          } else {
            h = (in[1] - 1) * l.stride + l.kernel;
            w = (in[2] - 1) * l.stride + l.kernel;
          }
          s.deconv = register_module(
              name,
              torch::nn::ConvTranspose2d(torch::nn::ConvTranspose2dOptions(in[0], l.out, l.kernel)
                                             .stride(l.stride)
                                             .padding(crop)));
        }
        s.out_shape = {l.out, h, w};
        if (l.batch_norm) {
          s.bn2 = register_module(
              "bn" + std::to_string(i),
              torch::nn::BatchNorm2d(
                  torch::nn::BatchNorm2dOptions(l.out).eps(eps).momentum(momentum)));
        }
        return;
      }
      case layer_spec::kind::unflatten: {
        if (l.height < 1 || l.width < 1) fail(i, "unflatten height and width must be >= 1");
        const std::int64_t target = l.out * l.height * l.width;
        if (target != detail::stack_numel(in)) {
          fail(i, "cannot unflatten " + detail::stack_dims_string(in) + " (" +
                      std::to_string(detail::stack_numel(in)) + " values) to " +
                      detail::stack_dims_string({l.out, l.height, l.width}));
        }
        if (l.batch_norm || l.dropout > 0.0 || l.act != activation::none) {
          fail(i, "an unflatten layer takes no batch norm, activation or dropout");
        }
        s.out_shape = {l.out, l.height, l.width};
        return;
      }
    }
  }

  std::vector<std::int64_t> input_shape_;
  std::vector<std::int64_t> output_shape_;
  std::string what_;
  std::vector<slot> slots_;
};
/// Module holder of LayerStackImpl<Norm> (what TORCH_MODULE writes for a plain class).
template <class Norm>
using LayerStack = torch::nn::ModuleHolder<LayerStackImpl<Norm>>;

}  // namespace gad::nn
