#pragma once
// What a scoring rule's compute() reads on an encoder-based detector (gad/policy/scoring.hpp),
// for one batch: the averaged networks' outputs, computed on first use in the options'
// precision and handed out as float32, and the arithmetic the rules share.
#include <gad/alad/bigan_networks.hpp>
#include <gad/alad/networks.hpp>
#include <gad/alad/options.hpp>
#include <gad/alad/scores.hpp>
#include <gad/core/precision.hpp>

#include <torch/nn/functional/activation.h>
#include <torch/types.h>

#include <utility>

namespace gad {

template <class Set, class Norm>
class bigan_score_view {
 public:
  using networks_type = bigan_networks<Set, Norm>;

  /// `x` is one batch on the device; the caller holds the averaged networks in eval mode.
  bigan_score_view(const bigan_options& o, const c10::Device& device, const networks_type& n,
                   torch::Tensor x)
      : o_(o), device_(device), n_(n), x_(std::move(x)) {}

  const torch::Tensor& x() const { return x_; }
  const bigan_options& options() const { return o_; }
  const torch::Tensor& reconstruction() const {
    run_encoder_generator();
    return rec_float_;
  }
  const nn::discriminator_output& dxx_real() const {
    run_dxx();
    return xx_real_;
  }
  const nn::discriminator_output& dxx_fake() const {
    run_dxx();
    return xx_fake_;
  }
  const nn::discriminator_output& dxz_real() const {
    run_dxz();
    return xz_real_;
  }
  const nn::discriminator_output& dxz_fake() const {
    run_dxz();
    return xz_fake_;
  }
  torch::Tensor row_norm(const torch::Tensor& t, double degree) const {
    return scoring::row_norm(t, degree);
  }
  torch::Tensor softplus(const torch::Tensor& t) const {
    return torch::nn::functional::softplus(t);
  }

 private:
  // Scores are computed in float32 whatever precision the networks ran in.
  static nn::discriminator_output float_output(nn::discriminator_output o) {
    o.logits = o.logits.to(torch::kFloat);
    if (o.features.defined()) o.features = o.features.to(torch::kFloat);
    return o;
  }

  void run_encoder_generator() const {
    if (rec_.defined()) return;
    precision_scope mixed(o_.compute_precision, device_);
    z_ = n_.ema_E->forward(x_);
    rec_ = n_.ema_G->forward(z_);
    rec_float_ = rec_.to(torch::kFloat);
  }
  void run_dxx() const {
    static_assert(networks_type::has_dxx,
                  "this scoring rule reads D_xx: list part::dxx_pair in its needs, and use it "
                  "with a discriminator set that contains disc::xx");
    if (xx_real_.logits.defined()) return;
    run_encoder_generator();
    precision_scope mixed(o_.compute_precision, device_);
    xx_real_ = float_output(n_.template averaged<disc::xx>()->forward(x_, x_));
    xx_fake_ = float_output(n_.template averaged<disc::xx>()->forward(x_, rec_));
  }
  void run_dxz() const {
    if (xz_real_.logits.defined()) return;
    run_encoder_generator();
    precision_scope mixed(o_.compute_precision, device_);
    // EGBAD pairs the same latent E(x) with x and with its reconstruction.
    xz_real_ = float_output(n_.template averaged<disc::xz>()->forward(x_, z_));
    xz_fake_ = float_output(n_.template averaged<disc::xz>()->forward(rec_, z_));
  }

  const bigan_options& o_;
  c10::Device device_;
  const networks_type& n_;
  torch::Tensor x_;
  mutable torch::Tensor z_, rec_, rec_float_;
  mutable nn::discriminator_output xx_real_, xx_fake_, xz_real_, xz_fake_;
};

}  // namespace gad
