#pragma once
// ALGAN's own code: what a fit carries between iterations, and one training iteration (the D
// steps, the G step, the latent-shift strategy's calls, the weight averages), following the
// authors' reference (hanneko/algan_for_t-prism, src/train.py) step for step; the options named
// in comments change its quirks. The engine (gad/algan/engine.hpp) runs it inside the shared
// fit loop.
#include <gad/alad/ema.hpp>
#include <gad/algan/generator.hpp>
#include <gad/algan/losses.hpp>
#include <gad/algan/options.hpp>
#include <gad/algan/shift_context.hpp>
#include <gad/core/device.hpp>
#include <gad/core/precision.hpp>
#include <gad/core/runtime.hpp>
#include <gad/detail/module_state.hpp>
#include <gad/train/fit_loop.hpp>

#include <ATen/core/Generator.h>
#include <torch/optim/adam.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace gad {

/// What a fit carries between epochs besides the weights; saved by save() during a fit.
template <class Shift, class Discriminator>
struct algan_fit_state {
  algan_fit_state(const algan_shift_context& ctx, const runtime& rt)
      : shuffle(rt.generator("algan/shuffle")), latent(rt.generator("algan/latent")), shift(ctx) {}
  struct latents {
    torch::Tensor normal;     // z_n, for the D steps
    torch::Tensor generator;  // z_gen, for the G step
  };
  train::loop_state loop;
  std::unique_ptr<torch::optim::Adam> opt_g;
  std::unique_ptr<torch::optim::Adam> opt_d;
  train::shuffle_stream shuffle;
  at::Generator latent;
  typename Shift::template state<algan_shift_context> shift;
  latents z;
  torch::Tensor order;  // this epoch's shuffle
  // The weight averages (options().ema_decay > 0), else empty: what validation scores
  // with, what a best checkpoint keeps and what the detector holds after the fit.
  nn::AlganGenerator avg_g{nullptr};
  Discriminator avg_d{nullptr};
};

/// One ALGAN training iteration over the engine's networks (held, not owned: module holders
/// share their module).
template <class Shift, class Discriminator>
class algan_training_step {
 public:
  using state_type = algan_fit_state<Shift, Discriminator>;

  algan_training_step(const algan_options& o, const runtime& rt, nn::AlganGenerator G,
                      Discriminator D)
      : o_(o), rt_(rt), G_(std::move(G)), D_(std::move(D)) {}

  /// One iteration: the D steps, the G step, the strategy's after-iteration work and the
  /// weight averages; returns the loss terms (the strategy's, then g), detached.
  torch::Tensor iteration(state_type& st, const torch::Tensor& x_train, int epoch,
                          std::int64_t it) const {
    const std::int64_t batch = o_.batch_size;
    const torch::Tensor x =
        x_train.index_select(0, st.order.slice(0, it * batch, (it + 1) * batch));
    // The reference draws new latents only inside even epochs (see latent_resampling).
    if (!st.z.normal.defined() || o_.resampling == latent_resampling::every_iteration ||
        epoch % 2 == 0) {
      draw_latents(st);
    }
    std::vector<torch::Tensor> losses;
    torch::Tensor fake_normal;
    for (int s = 0; s < o_.discriminator_steps; ++s) {
      const bool make_fakes = s == 0 || !o_.reuse_d_step_fakes;
      losses = discriminator_step(*st.opt_d, x, st, epoch, make_fakes, fake_normal);
    }
    losses.push_back(generator_step(*st.opt_g, st.z.generator));
    Shift::after_iteration(context(&st.latent), st.shift, fake_normal);
    if (st.avg_g) {
      nn::ema_update(*st.avg_g, *G_, o_.ema_decay);
      nn::ema_update(*st.avg_d, *D_, o_.ema_decay);
    }
    return torch::stack(losses);
  }

  // Drawn on the CPU and moved, so a seed gives the same latents on every device: z_n, the
  // strategy's own (z_a for pseudo-anomalies), then z_gen, from the one latent stream.
  void draw_latents(state_type& st) const {
    const algan_shift_context ctx = context(&st.latent);
    st.z.normal = host_to_device(ctx.randn_latents(), rt_.device());
    Shift::template draw<Shift>(ctx, st.shift);
    st.z.generator = host_to_device(ctx.randn_latents(), rt_.device());
  }

 private:
  algan_shift_context context(at::Generator* latent) const {
    return algan_shift_context(o_, rt_, G_, latent);
  }

  // One discriminator update. With make_fakes it makes fresh fakes (fake_normal and the
  // strategy's); without, it trains on the ones already there. Returns the strategy's loss
  // terms, detached, the total last.
  std::vector<torch::Tensor> discriminator_step(torch::optim::Adam& opt_d, const torch::Tensor& x,
                                                state_type& st, int epoch, bool make_fakes,
                                                torch::Tensor& fake_normal) const {
    opt_d.zero_grad();
    const algan_shift_context ctx = context(&st.latent);
    std::vector<torch::Tensor> logits;
    {
      // Ends before backward() and the optimizer step (see precision_scope).
      precision_scope mixed(o_.compute_precision, rt_.device());
      if (make_fakes) {
        // Train mode: BatchNorm uses batch statistics and updates its running ones, as the
        // reference does when it makes D's fake-normal batch (it detaches afterwards).
        torch::NoGradGuard no_grad;
        // Stored as float32 whatever the precision: the replay buffers keep them.
        fake_normal = G_->forward(st.z.normal).to(torch::kFloat);
        Shift::make_fakes(ctx, st.shift);
      }
      std::vector<torch::Tensor> groups{x, fake_normal};
      for (torch::Tensor& g : Shift::groups(ctx, st.shift, epoch)) {
        groups.push_back(std::move(g));
      }
      if (o_.fused_d_forward) {
        logits = D_->forward(torch::cat(groups, 0)).split(o_.batch_size, 0);
      } else {
        // One call per group, as the reference: with spectral norm each training-mode call
        // advances the power iteration, so the call count shapes the u/v trajectory.
        for (const auto& g : groups) logits.push_back(D_->forward(g));
      }
    }
    std::vector<torch::Tensor> values = Shift::losses(ctx, logits, epoch);
    const torch::Tensor total = values.back();
    // The losses stay on the device; the fit loop reads and checks them (loss_read_interval).
    for (torch::Tensor& v : values) v = v.detach();
    total.backward();
    opt_d.step();
    return values;
  }

  // One generator update with the non-saturating loss on normal latents only. D stays in
  // train mode (so its spectral-norm vectors advance, as in the reference) but its parameters
  // are frozen: the reference's D gradients from this step are discarded anyway.
  torch::Tensor generator_step(torch::optim::Adam& opt_g, const torch::Tensor& z_gen) const {
    opt_g.zero_grad();
    detail::frozen_parameters frozen(*D_);
    torch::Tensor logits;
    {
      precision_scope mixed(o_.compute_precision, rt_.device());
      logits = D_->forward(G_->forward(z_gen));
    }
    const torch::Tensor loss = losses::generator_loss(logits);
    loss.backward();
    opt_g.step();
    return loss.detach();
  }

  const algan_options& o_;
  const runtime& rt_;
  mutable nn::AlganGenerator G_;
  mutable Discriminator D_;
};

}  // namespace gad
