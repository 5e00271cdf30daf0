#pragma once
// Latent-shift policy: whether, and how, a detector manufactures pseudo-anomalies by sampling
// the generator outside its training prior. A strategy is a type that carries its code; the
// ALGAN family's training step calls it at fixed points and otherwise knows nothing of it:
//
//   name, loss_names()       how checkpoints and the loss columns call it and its D terms
//   pseudo_anomalies         whether the pseudo-anomaly options (sigma, alpha, xi, buffers) apply
//   state<Ctx>               what it keeps during a fit (pseudo_anomaly: z_a and the replay
//                            buffers), built from the fit's context
//   draw<Self>(c, s)         its latents for an iteration (Self = the strategy the detector
//                            names, so that a strategy derived from pseudo_anomaly can draw
//                            its own z_a by defining draw_anomalous)
//   make_fakes(c, s)         its fresh fake batches, made with the fake-normal batch of a D step
//   groups(c, s, epoch)      the batches D sees after the real and the fake-normal batch
//   losses(c, logits, epoch) D's loss terms and total from the logits of every batch, in
//                            loss_names() order, the total last
//   after_iteration(c, s, fake_normal)   e.g. fill the replay buffers
//   write(c, s, t), read(c, s, t)        its checkpoint entries
//
// Every member that computes is a template over the context `Ctx` the engine passes (tensors,
// random draws, replay buffers, checkpoint access; ALGAN's is gad::algan_shift_context in
// gad/algan/shift_context.hpp), so this header needs no LibTorch.
#include <gad/policy/parts.hpp>

#include <string>
#include <type_traits>
#include <vector>

namespace gad {
namespace shift {

/// No pseudo-anomalies: D tells real images from fresh fakes (ALAD and EGBAD, and ALGAN's
/// plain-GAN ablation).
struct none {
  static constexpr const char* name = "none";
  static constexpr bool pseudo_anomalies = false;
  static std::vector<std::string> loss_names() { return {"d_real", "d_fake", "d_total"}; }

  template <class Ctx>
  struct state {
    explicit state(const Ctx&) {}
  };
  template <class Self, class Ctx>
  static void draw(const Ctx&, state<Ctx>&) {}
  template <class Ctx>
  static void make_fakes(const Ctx&, state<Ctx>&) {}
  template <class Ctx>
  static std::vector<typename Ctx::tensor> groups(const Ctx&, state<Ctx>&, int) {
    return {};
  }
  template <class Ctx>
  static std::vector<typename Ctx::tensor> losses(const Ctx& c,
                                                  const std::vector<typename Ctx::tensor>& logits,
                                                  int) {
    auto real = c.bce(logits[0], 1.0);
    auto fake = c.bce(logits[1], 0.0);
    auto total = real + fake;
    return {real, fake, total};
  }
  template <class Ctx>
  static void after_iteration(const Ctx&, state<Ctx>&, const typename Ctx::tensor&) {}
  template <class Ctx, class Out>
  static void write(const Ctx&, const state<Ctx>&, Out&) {}
  template <class Ctx, class In>
  static void read(const Ctx&, state<Ctx>&, const In&) {}
};

/// ALGAN (Murase & Fukumizu 2022): z_a ~ N(0, sigma^2 I) pushed through G in eval mode and
/// labelled fake for D, with replay buffers of past fakes from the second epoch on and the
/// alpha/xi loss weights. sigma, the buffer size, alpha and xi are run-time options. A user's
/// strategy may derive from this one and define its own `name` and `draw_anomalous`.
struct pseudo_anomaly {
  static constexpr const char* name = "pseudo_anomaly";
  using needs = parts<part::d_logit>;  // an image discriminator rejects the pseudo-anomalies
  static constexpr bool pseudo_anomalies = true;
  static std::vector<std::string> loss_names() {
    return {"d_real",          "d_fake_normal",      "d_fake_anomalous",
            "d_buffer_normal", "d_buffer_anomalous", "d_total"};
  }

  /// z_a for one iteration: a [batch, z_dim] draw of N(0, I) from the fit's latent stream,
  /// scaled by sigma. The tensor stays on the host; the engine moves it.
  template <class Ctx>
  static auto draw_anomalous(const Ctx& c) {
    auto z = c.randn_latents();
    const double sigma = c.options().sigma;
    if (sigma != 1.0) z = z * sigma;
    return z;
  }

  /// D's loss from its per-group terms (thesis eq. 4.3, reference train.py), before the
  /// buffers are used: L_real + alpha * L_fN + (1 - alpha) * L_fA.
  template <class T>
  static T total(const T& real, const T& fake_normal, const T& fake_anomalous, double alpha) {
    return real + alpha * fake_normal + (1.0 - alpha) * fake_anomalous;
  }
  /// With the buffers: L_real + alpha * (xi * L_fN + (1 - xi) * L_bN)
  ///                          + (1 - alpha) * (xi * L_fA + (1 - xi) * L_bA).
  template <class T>
  static T total(const T& real, const T& fake_normal, const T& fake_anomalous,
                 const T& buffer_normal, const T& buffer_anomalous, double alpha, double xi) {
    return real + alpha * (xi * fake_normal + (1.0 - xi) * buffer_normal) +
           (1.0 - alpha) * (xi * fake_anomalous + (1.0 - xi) * buffer_anomalous);
  }

  /// The reference's replay buffers come into play from the second epoch (epoch 1) on.
  static constexpr bool replay(int epoch) noexcept { return epoch >= 1; }

  template <class Ctx>
  struct state {
    explicit state(const Ctx& c)
        : normal(c.make_replay_buffer("algan/replay-n")),
          anomalous(c.make_replay_buffer("algan/replay-a")) {}
    typename Ctx::buffer normal;     // fake-normal batches of past D steps
    typename Ctx::buffer anomalous;  // pseudo-anomalous batches of past D steps
    typename Ctx::tensor z;          // this iteration's z_a
    typename Ctx::tensor fresh;      // G_eval(z_a), made with the D step's fake-normal batch
  };

  template <class Self, class Ctx>
  static void draw(const Ctx& c, state<Ctx>& s) {
    s.z = c.to_device(Self::draw_anomalous(c));
  }
  template <class Ctx>
  static void make_fakes(const Ctx& c, state<Ctx>& s) {
    s.fresh = c.pseudo_anomalies(s.z);
  }
  template <class Ctx>
  static std::vector<typename Ctx::tensor> groups(const Ctx& c, state<Ctx>& s, int epoch) {
    if (!replay(epoch)) return {s.fresh};
    // A fresh subset of each buffer for every D step.
    return {s.fresh, s.normal.sample(c.batch_size()), s.anomalous.sample(c.batch_size())};
  }
  template <class Ctx>
  static std::vector<typename Ctx::tensor> losses(const Ctx& c,
                                                  const std::vector<typename Ctx::tensor>& logits,
                                                  int epoch) {
    const double alpha = c.options().alpha;
    const double xi = c.options().xi;
    auto real = c.bce(logits[0], 1.0);
    auto fake_normal = c.bce(logits[1], 0.0);
    auto fake_anomalous = c.bce(logits[2], 0.0);
    if (!replay(epoch)) {
      // The buffer terms are logged as 0.
      auto sum = total(real, fake_normal, fake_anomalous, alpha);
      auto zero = c.zeros_like(sum);
      return {real, fake_normal, fake_anomalous, zero, zero, sum};
    }
    auto buffer_normal = c.bce(logits[3], 0.0);
    auto buffer_anomalous = c.bce(logits[4], 0.0);
    auto sum = total(real, fake_normal, fake_anomalous, buffer_normal, buffer_anomalous, alpha, xi);
    return {real, fake_normal, fake_anomalous, buffer_normal, buffer_anomalous, sum};
  }
  /// The buffers receive the last D step's fakes, made before the iteration's G update.
  template <class Ctx>
  static void after_iteration(const Ctx&, state<Ctx>& s, const typename Ctx::tensor& fake_normal) {
    s.normal.insert(fake_normal);
    s.anomalous.insert(s.fresh);
  }
  template <class Ctx, class Out>
  static void write(const Ctx& c, const state<Ctx>& s, Out& t) {
    c.write_generator(t, "replay_normal_stream", s.normal.generator());
    c.write_generator(t, "replay_anomalous_stream", s.anomalous.generator());
    c.write_optional(t, "replay_normal", s.normal.data());
    c.write_optional(t, "replay_anomalous", s.anomalous.data());
    c.write_optional(t, "z_anomalous", s.z);
  }
  template <class Ctx, class In>
  static void read(const Ctx& c, state<Ctx>& s, const In& t) {
    c.read_generator(t, "replay_normal_stream", s.normal.generator());
    c.read_generator(t, "replay_anomalous_stream", s.anomalous.generator());
    c.read_buffer(t, "replay_normal", s.normal);
    c.read_buffer(t, "replay_anomalous", s.anomalous);
    s.z = c.read_latents(t, "z_anomalous");
  }
};

}  // namespace shift

namespace detail {
template <class S, class = void>
struct is_latent_shift : std::false_type {};
template <class S>
struct is_latent_shift<
    S, std::void_t<decltype(S::name), decltype(S::pseudo_anomalies), decltype(S::loss_names())>>
    : std::true_type {};
}  // namespace detail

}  // namespace gad
