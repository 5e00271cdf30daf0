#pragma once
// The five networks of ALAD (Zenati et al., ICDM 2018) and EGBAD/BiGAN, built from a
// gad::nn::architecture:
//   AladEncoder     E: x -> z
//   AladGenerator   G: z -> x
//   AladDxz         D_xz(x, z): encoder pairs (x, E(x)) vs generator pairs (G(z), z)
//   AladDxx         D_xx(x, x'): (x, x) vs (x, G(E(x)))
//   AladDzz         D_zz(z, z'): (z, z) vs (z, E(G(z)))
// Images are NCHW; inputs may also be given flattened, one row per sample. Each discriminator
// returns its logits [N] and the feature vector its fm score compares.
#include <gad/alad/architecture.hpp>
#include <gad/alad/layer_stack.hpp>
#include <gad/core/error.hpp>

#include <ATen/core/Generator.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gad::nn {

/// What a discriminator returns.
struct discriminator_output {
  torch::Tensor logits;    ///< [N], before the sigmoid
  torch::Tensor features;  ///< [N, F]: D_xz's joint hidden output; D_xx's / D_zz's last hidden
};

namespace detail {
inline std::string alad_tensor_dims(const torch::Tensor& t) {
  if (!t.defined()) return "an undefined tensor";
  std::vector<std::int64_t> d(t.sizes().begin(), t.sizes().end());
  return stack_dims_string(d);
}

/// [N, shape...] view of `x`, which must hold prod(shape) values per sample.
inline torch::Tensor alad_as_samples(const torch::Tensor& x, const std::vector<std::int64_t>& shape,
                                     const char* who) {
  const std::int64_t per_sample = stack_numel(shape);
  if (!x.defined() || x.dim() < 1 || (x.size(0) > 0 && x.numel() / x.size(0) != per_sample) ||
      (x.size(0) == 0 && x.numel() != 0)) {
    throw invalid_argument(std::string(who) + ": expected [N, " +
                           stack_dims_string(shape).substr(1) + " (or [N, " +
                           std::to_string(per_sample) + "]), got " + alad_tensor_dims(x));
  }
  std::vector<std::int64_t> full{x.size(0)};
  full.insert(full.end(), shape.begin(), shape.end());
  return x.reshape(full);
}

inline torch::nn::Linear alad_logit_layer(torch::nn::Module& owner, std::int64_t in) {
  return owner.register_module("logit", torch::nn::Linear(torch::nn::LinearOptions(in, 1)));
}

inline void alad_init_logit(torch::nn::Linear& logit, const architecture& a, at::Generator& gen) {
  torch::NoGradGuard no_grad;
  stack_init_weight(logit->weight, a.init, a.init_std, gen);
  logit->bias.zero_();
}

}  // namespace detail

/// Module holder of a network template over the normalization (what TORCH_MODULE writes for a
/// plain class).
template <class Impl>
using alad_holder = torch::nn::ModuleHolder<Impl>;

/// Every layer but the last (the latent projection) is the normalization's.
template <class Norm>
class AladEncoderImpl : public torch::nn::Module {
 public:
  explicit AladEncoderImpl(const architecture& a)
      : input_shape_(a.input_shape), latent_dim_(a.latent_dim) {
    if (a.encoder.empty()) throw invalid_argument("encoder: the layer table is empty");
    stack = register_module(
        "stack", LayerStack<Norm>(a.encoder, a.input_shape, a.encoder.size() - 1, a.batch_norm_eps,
                                  a.batch_norm_momentum, "encoder"));
    if (stack->output_numel() != a.latent_dim) {
      throw invalid_argument("encoder: the last layer gives " +
                             detail::stack_dims_string(stack->output_shape()) + " = " +
                             std::to_string(stack->output_numel()) +
                             " values, expected latent_dim = " + std::to_string(a.latent_dim));
    }
  }

  /// [N, latent_dim].
  torch::Tensor forward(const torch::Tensor& x) {
    const torch::Tensor h = stack->forward(detail::alad_as_samples(x, input_shape_, "encoder"));
    return h.reshape({h.size(0), latent_dim_});
  }

  void initialize(const architecture& a, at::Generator& gen) {
    stack->initialize(a.init, a.init_std, gen);
  }

  LayerStack<Norm> stack{nullptr};

 private:
  std::vector<std::int64_t> input_shape_;
  std::int64_t latent_dim_;
};
template <class Norm>
using AladEncoder = alad_holder<AladEncoderImpl<Norm>>;

class AladGeneratorImpl : public torch::nn::Module {
 public:
  explicit AladGeneratorImpl(const architecture& a) : output_shape_(a.input_shape) {
    if (a.generator.empty()) throw invalid_argument("generator: the layer table is empty");
    stack = register_module(
        "stack", LayerStack<norm::none>(a.generator, std::vector<std::int64_t>{a.latent_dim}, 0,
                                        a.batch_norm_eps, a.batch_norm_momentum, "generator"));
    if (stack->output_numel() != a.input_numel()) {
      throw invalid_argument(
          "generator: the last layer gives " + detail::stack_dims_string(stack->output_shape()) +
          " = " + std::to_string(stack->output_numel()) + " values, expected " +
          detail::stack_dims_string(a.input_shape) + " = " + std::to_string(a.input_numel()));
    }
  }

  /// [N, input_shape...].
  torch::Tensor forward(const torch::Tensor& z) {
    const torch::Tensor h = stack->forward(z);
    std::vector<std::int64_t> full{h.size(0)};
    full.insert(full.end(), output_shape_.begin(), output_shape_.end());
    return h.reshape(full);
  }

  void initialize(const architecture& a, at::Generator& gen) {
    stack->initialize(a.init, a.init_std, gen);
  }

  LayerStack<norm::none> stack{nullptr};  // the generator is never normalized

 private:
  std::vector<std::int64_t> output_shape_;
};
TORCH_MODULE(AladGenerator);

/// Every hidden layer of all three branches is the normalization's.
template <class Norm>
class AladDxzImpl : public torch::nn::Module {
 public:
  explicit AladDxzImpl(const architecture& a)
      : input_shape_(a.input_shape), latent_dim_(a.latent_dim) {
    const double eps = a.batch_norm_eps;
    const double momentum = a.batch_norm_momentum;
    x_stack = register_module("x", LayerStack<Norm>(a.dxz_x, a.input_shape, a.dxz_x.size(), eps,
                                                    momentum, "D_xz x-branch"));
    z_stack =
        register_module("z", LayerStack<Norm>(a.dxz_z, std::vector<std::int64_t>{a.latent_dim},
                                              a.dxz_z.size(), eps, momentum, "D_xz z-branch"));
    const std::int64_t joint_in = x_stack->output_numel() + z_stack->output_numel();
    joint =
        register_module("joint", LayerStack<Norm>(a.dxz_joint, std::vector<std::int64_t>{joint_in},
                                                  a.dxz_joint.size(), eps, momentum, "D_xz joint"));
    logit = detail::alad_logit_layer(*this, joint->output_numel());
  }

  discriminator_output forward(const torch::Tensor& x, const torch::Tensor& z) {
    const torch::Tensor xs = detail::alad_as_samples(x, input_shape_, "D_xz (x)");
    const torch::Tensor zs = detail::alad_as_samples(z, {latent_dim_}, "D_xz (z)");
    if (xs.size(0) != zs.size(0)) {
      throw invalid_argument("D_xz: " + std::to_string(xs.size(0)) + " images but " +
                             std::to_string(zs.size(0)) + " latents");
    }
    const torch::Tensor hx = x_stack->forward(xs);
    const torch::Tensor hz = z_stack->forward(zs);
    const torch::Tensor h =
        joint->forward(torch::cat({hx.reshape({hx.size(0), -1}), hz.reshape({hz.size(0), -1})}, 1));
    const torch::Tensor features = h.reshape({h.size(0), -1});
    return {logit->forward(features).reshape({-1}), features};
  }

  void initialize(const architecture& a, at::Generator& gen) {
    x_stack->initialize(a.init, a.init_std, gen);
    z_stack->initialize(a.init, a.init_std, gen);
    joint->initialize(a.init, a.init_std, gen);
    detail::alad_init_logit(logit, a, gen);
  }

  LayerStack<Norm> x_stack{nullptr};
  LayerStack<Norm> z_stack{nullptr};
  LayerStack<Norm> joint{nullptr};
  torch::nn::Linear logit{nullptr};

 private:
  std::vector<std::int64_t> input_shape_;
  std::int64_t latent_dim_;
};
template <class Norm>
using AladDxz = alad_holder<AladDxzImpl<Norm>>;

/// Every hidden layer is the normalization's.
template <class Norm>
class AladDxxImpl : public torch::nn::Module {
 public:
  explicit AladDxxImpl(const architecture& a) : input_shape_(a.input_shape), merge_(a.dxx_merge) {
    if (a.dxx.empty()) {
      throw invalid_argument(
          "D_xx: the layer table is empty (the EGBAD presets have no D_xx; "
          "use an ALAD preset for a detector with D_xx)");
    }
    std::vector<std::int64_t> merged = a.input_shape;
    if (!a.images()) {
      merged[0] *= 2;  // feature vectors: concatenated
    } else if (merge_ == pair_merge::height) {
      merged[1] *= 2;
    } else {
      merged[0] *= 2;
    }
    stack = register_module("stack", LayerStack<Norm>(a.dxx, merged, a.dxx.size(), a.batch_norm_eps,
                                                      a.batch_norm_momentum, "D_xx"));
    logit = detail::alad_logit_layer(*this, stack->output_numel());
  }

  discriminator_output forward(const torch::Tensor& x, const torch::Tensor& x2) {
    const torch::Tensor a = detail::alad_as_samples(x, input_shape_, "D_xx (x)");
    const torch::Tensor b = detail::alad_as_samples(x2, input_shape_, "D_xx (x')");
    if (a.size(0) != b.size(0)) {
      throw invalid_argument("D_xx: the two inputs hold " + std::to_string(a.size(0)) + " and " +
                             std::to_string(b.size(0)) + " samples");
    }
    // NCHW: dim 2 is the height, matching the reference's NHWC axis 1.
    const std::int64_t dim = input_shape_.size() == 3 && merge_ == pair_merge::height ? 2 : 1;
    const torch::Tensor h = stack->forward(torch::cat({a, b}, dim));
    const torch::Tensor features = h.reshape({h.size(0), -1});
    return {logit->forward(features).reshape({-1}), features};
  }

  void initialize(const architecture& a, at::Generator& gen) {
    stack->initialize(a.init, a.init_std, gen);
    detail::alad_init_logit(logit, a, gen);
  }

  LayerStack<Norm> stack{nullptr};
  torch::nn::Linear logit{nullptr};

 private:
  std::vector<std::int64_t> input_shape_;
  pair_merge merge_;
};
template <class Norm>
using AladDxx = alad_holder<AladDxxImpl<Norm>>;

/// Every hidden layer is the normalization's.
template <class Norm>
class AladDzzImpl : public torch::nn::Module {
 public:
  explicit AladDzzImpl(const architecture& a) : latent_dim_(a.latent_dim) {
    if (a.dzz.empty()) {
      throw invalid_argument(
          "D_zz: the layer table is empty (the EGBAD presets have no D_zz; "
          "use an ALAD preset for a detector with D_zz)");
    }
    stack = register_module(
        "stack", LayerStack<Norm>(a.dzz, std::vector<std::int64_t>{2 * a.latent_dim}, a.dzz.size(),
                                  a.batch_norm_eps, a.batch_norm_momentum, "D_zz"));
    logit = detail::alad_logit_layer(*this, stack->output_numel());
  }

  discriminator_output forward(const torch::Tensor& z, const torch::Tensor& z2) {
    const torch::Tensor a = detail::alad_as_samples(z, {latent_dim_}, "D_zz (z)");
    const torch::Tensor b = detail::alad_as_samples(z2, {latent_dim_}, "D_zz (z')");
    if (a.size(0) != b.size(0)) {
      throw invalid_argument("D_zz: the two inputs hold " + std::to_string(a.size(0)) + " and " +
                             std::to_string(b.size(0)) + " samples");
    }
    const torch::Tensor h = stack->forward(torch::cat({a, b}, 1));
    const torch::Tensor features = h.reshape({h.size(0), -1});
    return {logit->forward(features).reshape({-1}), features};
  }

  void initialize(const architecture& a, at::Generator& gen) {
    stack->initialize(a.init, a.init_std, gen);
    detail::alad_init_logit(logit, a, gen);
  }

  LayerStack<Norm> stack{nullptr};
  torch::nn::Linear logit{nullptr};

 private:
  std::int64_t latent_dim_;
};
template <class Norm>
using AladDzz = alad_holder<AladDzzImpl<Norm>>;

}  // namespace gad::nn
