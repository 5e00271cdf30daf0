#pragma once
// The reference's weights_init for ALGAN's layers, drawn on the CPU from an explicit generator
// so that a seed gives the same weights on every device (torch::nn::init takes no generator).
#include <ATen/core/Generator.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <cmath>

namespace gad::nn::detail {

inline torch::TensorOptions algan_cpu_like(const torch::Tensor& t) {
  return torch::TensorOptions().dtype(t.dtype()).device(torch::kCPU);
}

/// Xavier/Glorot uniform with gain 1 (Linear layers).
inline void algan_xavier_uniform_(torch::Tensor& weight, at::Generator& gen) {
  torch::NoGradGuard no_grad;
  const auto fan_out = static_cast<double>(weight.size(0));
  const auto fan_in = static_cast<double>(weight.numel() / weight.size(0));
  const double bound = std::sqrt(6.0 / (fan_in + fan_out));
  weight.copy_(torch::empty(weight.sizes(), algan_cpu_like(weight)).uniform_(-bound, bound, gen));
}

/// N(0, 0.02), the reference's branch for modules whose class name contains "Conv".
inline void algan_conv_normal_(torch::Tensor& weight, at::Generator& gen) {
  torch::NoGradGuard no_grad;
  weight.copy_(torch::empty(weight.sizes(), algan_cpu_like(weight)).normal_(0.0, 0.02, gen));
}

/// BatchNorm: weight ~ N(1, 0.02), bias 0, running statistics reset.
template <class BatchNormImpl>
void algan_batch_norm_init_(BatchNormImpl& bn, at::Generator& gen) {
  torch::NoGradGuard no_grad;
  bn.weight.copy_(
      torch::empty(bn.weight.sizes(), algan_cpu_like(bn.weight)).normal_(1.0, 0.02, gen));
  bn.bias.zero_();
  bn.running_mean.zero_();
  bn.running_var.fill_(1.0);
  bn.num_batches_tracked.zero_();
}

}  // namespace gad::nn::detail
