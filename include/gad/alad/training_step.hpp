#pragma once
// ALAD's and EGBAD's own code: what a fit carries between iterations, and one training
// iteration (spec alad-egbad §4.3): a discriminator step on one batch, then a generator +
// encoder step on a batch from an independent shuffle, each with fresh latents, then the
// moving averages. The engine (gad/alad/engine.hpp) runs it inside the shared fit loop.
#include <gad/alad/bigan_networks.hpp>
#include <gad/alad/ema.hpp>
#include <gad/alad/losses.hpp>
#include <gad/alad/options.hpp>
#include <gad/core/device.hpp>
#include <gad/core/precision.hpp>
#include <gad/core/runtime.hpp>
#include <gad/detail/module_state.hpp>
#include <gad/train/fit_loop.hpp>
#include <gad/train/optimizers.hpp>

#include <ATen/core/Generator.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/optim/adam.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <array>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace gad {

/// One Adam per network; those of discriminators the set lacks stay empty.
struct bigan_optimizers {
  std::unique_ptr<torch::optim::Adam> e, g, dxz, dxx, dzz;
};

/// What a fit carries between epochs besides the weights; saved by save() during a fit.
struct bigan_fit_state {
  explicit bigan_fit_state(const runtime& rt)
      : shuffle(rt.generator("alad/shuffle")), latent(rt.generator("alad/latent")) {}
  train::loop_state loop;
  bigan_optimizers opt;
  train::shuffle_stream shuffle;
  at::Generator latent;
  torch::Tensor order_d;  // this epoch's shuffles, one per step
  torch::Tensor order_g;
  torch::Tensor dropout_state;  // read from a checkpoint, set by the engine's commit_training()
};

/// One ALAD/EGBAD training iteration over the engine's networks (held, not owned).
template <class Set, class Norm>
class bigan_training_step {
 public:
  using networks_type = bigan_networks<Set, Norm>;
  static constexpr bool has_dxx = networks_type::has_dxx;
  static constexpr bool has_dzz = networks_type::has_dzz;

  bigan_training_step(const bigan_options& o, const c10::Device& device, const networks_type& n)
      : o_(o), device_(device), n_(n) {}

  bigan_optimizers make_optimizers() const {
    const auto adam = [&](torch::nn::Module& m) {
      return train::make_adam(m, o_.learning_rate, o_.adam_beta1, o_.adam_beta2, o_.adam_eps);
    };
    bigan_optimizers o;
    o.e = adam(*n_.E);
    o.g = adam(*n_.G);
    o.dxz = adam(*n_.template net<disc::xz>());
    if constexpr (has_dxx) o.dxx = adam(*n_.template net<disc::xx>());
    if constexpr (has_dzz) o.dzz = adam(*n_.template net<disc::zz>());
    return o;
  }

  /// Two independent shuffles: the D step and the G/E step see different samples.
  void begin_epoch(bigan_fit_state& st, std::int64_t n) const {
    const auto long_cpu = torch::TensorOptions().dtype(torch::kLong);
    st.shuffle.begin_epoch();
    st.order_d = host_to_device(torch::randperm(n, st.shuffle.gen, long_cpu), device_);
    st.order_g = host_to_device(torch::randperm(n, st.shuffle.gen, long_cpu), device_);
  }

  /// Iteration `it` of the epoch; returns the losses (discriminators', their sum, g, e),
  /// stacked on the device (the fit loop reads and checks them).
  torch::Tensor iteration(bigan_fit_state& st, const torch::Tensor& x_train,
                          std::int64_t it) const {
    const std::int64_t batch = o_.batch_size;
    const auto rows = [&](const torch::Tensor& order) {
      return x_train.index_select(0, order.slice(0, it * batch, (it + 1) * batch));
    };
    std::vector<torch::Tensor> values =
        discriminator_step(st.opt, rows(st.order_d), draw_latents(st.latent));
    const std::vector<torch::Tensor> ge =
        generator_encoder_step(st.opt, rows(st.order_g), draw_latents(st.latent));
    values.insert(values.end(), ge.begin(), ge.end());
    return torch::stack(values);
  }

 private:
  template <class Tag>
  auto& net() const {
    return n_.template net<Tag>();
  }
  template <class Tag>
  auto& averaged() const {
    return n_.template averaged<Tag>();
  }

  // Losses are computed in float32 whatever precision the networks ran in.
  static torch::Tensor float_logits(const nn::discriminator_output& o) {
    return o.logits.to(torch::kFloat);
  }

  // z ~ N(0, I) drawn on the CPU and moved, so one seed gives the same latents on every device.
  torch::Tensor draw_latents(at::Generator& gen) const {
    return host_to_device(torch::randn({o_.batch_size, o_.network.latent_dim}, gen), device_);
  }

  // Updates D_xz, D_xx and D_zz from one forward pass, each with its own optimizer.
  std::vector<torch::Tensor> discriminator_step(bigan_optimizers& opt, const torch::Tensor& x,
                                                const torch::Tensor& z) const {
    // Logits of each discriminator on its real and its fake pair, as float32 for the losses.
    std::array<torch::Tensor, 2> xz, xx, zz;
    {
      // Ends before backward() and the optimizer steps (see precision_scope).
      precision_scope mixed(o_.compute_precision, device_);
      torch::Tensor z_enc, x_gen, x_rec, z_rec;
      {
        // E and G run in training mode (batch statistics) but, as in the reference, only their
        // own step moves their running statistics.
        torch::NoGradGuard no_grad;
        detail::frozen_batch_stats keep_e(*n_.E);
        detail::frozen_batch_stats keep_g(*n_.G);
        z_enc = n_.E->forward(x);
        x_gen = n_.G->forward(z);
        if constexpr (has_dxx) x_rec = n_.G->forward(z_enc);
        if constexpr (has_dzz) z_rec = n_.E->forward(x_gen);
      }
      xz = {float_logits(net<disc::xz>()->forward(x, z_enc)),
            float_logits(net<disc::xz>()->forward(x_gen, z))};
      if constexpr (has_dxx) {
        xx = {float_logits(net<disc::xx>()->forward(x, x)),
              float_logits(net<disc::xx>()->forward(x, x_rec))};
      }
      if constexpr (has_dzz) {
        zz = {float_logits(net<disc::zz>()->forward(z, z)),
              float_logits(net<disc::zz>()->forward(z, z_rec))};
      }
    }
    opt.dxz->zero_grad();
    const torch::Tensor loss_xz = losses::pair_discriminator_loss(xz[0], xz[1]);
    torch::Tensor total = loss_xz;
    std::vector<torch::Tensor> values{loss_xz.detach()};
    if constexpr (has_dxx) {
      opt.dxx->zero_grad();
      const torch::Tensor loss_xx = losses::pair_discriminator_loss(xx[0], xx[1]);
      total = total + loss_xx;
      values.push_back(loss_xx.detach());
    }
    if constexpr (has_dzz) {
      opt.dzz->zero_grad();
      const torch::Tensor loss_zz = losses::pair_discriminator_loss(zz[0], zz[1]);
      total = total + loss_zz;
      values.push_back(loss_zz.detach());
    }
    values.push_back(total.detach());
    // The three losses share no parameters, so one backward gives each network its own gradient.
    total.backward();
    opt.dxz->step();
    nn::ema_update(*averaged<disc::xz>(), *net<disc::xz>(), o_.ema_decay);
    if constexpr (has_dxx) {
      opt.dxx->step();
      nn::ema_update(*averaged<disc::xx>(), *net<disc::xx>(), o_.ema_decay);
    }
    if constexpr (has_dzz) opt.dzz->step();
    return values;
  }

  // Updates G and E from one forward pass against the just-updated discriminators. Both losses
  // contain the cycle terms, which depend on both networks, so each network takes the gradient
  // of its own loss only.
  std::vector<torch::Tensor> generator_encoder_step(bigan_optimizers& opt, const torch::Tensor& x,
                                                    const torch::Tensor& z) const {
    detail::frozen_parameters freeze_xz(*net<disc::xz>());
    detail::frozen_batch_stats keep_xz(*net<disc::xz>());
    std::unique_ptr<detail::frozen_parameters> freeze_xx, freeze_zz;
    std::unique_ptr<detail::frozen_batch_stats> keep_xx, keep_zz;
    if constexpr (has_dxx) {
      freeze_xx = std::make_unique<detail::frozen_parameters>(*net<disc::xx>());
      keep_xx = std::make_unique<detail::frozen_batch_stats>(*net<disc::xx>());
    }
    if constexpr (has_dzz) {
      freeze_zz = std::make_unique<detail::frozen_parameters>(*net<disc::zz>());
      keep_zz = std::make_unique<detail::frozen_batch_stats>(*net<disc::zz>());
    }

    torch::Tensor l_enc, l_gen;
    std::array<torch::Tensor, 2> xx, zz;
    {
      precision_scope mixed(o_.compute_precision, device_);
      const torch::Tensor z_enc = n_.E->forward(x);
      const torch::Tensor x_gen = n_.G->forward(z);
      l_enc = float_logits(net<disc::xz>()->forward(x, z_enc));
      l_gen = float_logits(net<disc::xz>()->forward(x_gen, z));
      if constexpr (has_dxx) {
        const torch::Tensor x_rec = n_.G->forward(z_enc);
        xx = {float_logits(net<disc::xx>()->forward(x, x)),
              float_logits(net<disc::xx>()->forward(x, x_rec))};
      }
      if constexpr (has_dzz) {
        const torch::Tensor z_rec = n_.E->forward(x_gen);
        zz = {float_logits(net<disc::zz>()->forward(z, z)),
              float_logits(net<disc::zz>()->forward(z, z_rec))};
      }
    }
    torch::Tensor cycle;
    if constexpr (has_dxx) cycle = losses::cycle_loss(xx[0], xx[1]);
    if constexpr (has_dzz) cycle = cycle + losses::cycle_loss(zz[0], zz[1]);
    const torch::Tensor loss_g = losses::bigan_generator_loss(l_gen, cycle);
    const torch::Tensor loss_e = losses::bigan_encoder_loss(l_enc, cycle);
    const std::vector<torch::Tensor> values{loss_g.detach(), loss_e.detach()};

    const auto apply = [](const torch::Tensor& loss, torch::nn::Module& net, bool retain) {
      auto params = net.parameters();
      auto grads = torch::autograd::grad({loss}, params, {}, retain, false,
                                         /*allow_unused=*/true);
      for (std::size_t i = 0; i < params.size(); ++i) params[i].mutable_grad() = grads[i];
    };
    apply(loss_g, *n_.G, /*retain=*/true);
    apply(loss_e, *n_.E, /*retain=*/false);
    opt.g->step();
    opt.e->step();
    nn::ema_update(*n_.ema_G, *n_.G, o_.ema_decay);
    nn::ema_update(*n_.ema_E, *n_.E, o_.ema_decay);
    return values;
  }

  const bigan_options& o_;
  c10::Device device_;
  const networks_type& n_;
};

}  // namespace gad
