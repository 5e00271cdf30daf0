#pragma once
// Every network of an encoder-based detector (ALAD, EGBAD) and the moving averages that score,
// for a discriminator set and a normalization policy: built once, initialized from one random
// stream, listed under their checkpoint keys. The engine, its training step and its score view
// share one instance.
#include <gad/alad/discriminator_nets.hpp>
#include <gad/alad/ema.hpp>
#include <gad/alad/networks.hpp>
#include <gad/policy/discriminators.hpp>

#include <ATen/core/Generator.h>
#include <torch/nn/module.h>
#include <torch/types.h>

#include <string>
#include <utility>
#include <vector>

namespace gad {

template <class Set, class Norm>
struct bigan_networks {
  using encoder_type = nn::AladEncoder<Norm>;
  template <class Tag>
  using discriminator_type = nn::bigan_discriminator_t<Tag, Norm>;
  static constexpr bool has_dxx = nn::discriminator_nets<Set, Norm>::template has<disc::xx>;
  static constexpr bool has_dzz = nn::discriminator_nets<Set, Norm>::template has<disc::zz>;

  // The construction order is part of the numbers: module constructors draw from LibTorch's
  // global generator.
  explicit bigan_networks(const nn::architecture& a) {
    E = encoder_type(a);
    G = nn::AladGenerator(a);
    net<disc::xz>() = discriminator_type<disc::xz>(a);
    ema_E = encoder_type(a);
    ema_G = nn::AladGenerator(a);
    averaged<disc::xz>() = discriminator_type<disc::xz>(a);
    if constexpr (has_dxx) {
      net<disc::xx>() = discriminator_type<disc::xx>(a);
      averaged<disc::xx>() = discriminator_type<disc::xx>(a);
    }
    if constexpr (has_dzz) net<disc::zz>() = discriminator_type<disc::zz>(a);
  }

  /// The discriminator `Tag` of the set, and its moving average.
  template <class Tag>
  discriminator_type<Tag>& net() const {
    return D.template get<Tag>();
  }
  template <class Tag>
  discriminator_type<Tag>& averaged() const {
    return ema_D.template get<Tag>();
  }

  /// One stream, drawn in a fixed network order; the averages start as copies and in eval mode.
  void initialize(const nn::architecture& a, at::Generator& init) const {
    E->initialize(a, init);
    G->initialize(a, init);
    net<disc::xz>()->initialize(a, init);
    if constexpr (has_dxx) net<disc::xx>()->initialize(a, init);
    if constexpr (has_dzz) net<disc::zz>()->initialize(a, init);
    nn::ema_reset(*ema_E, *E);
    nn::ema_reset(*ema_G, *G);
    nn::ema_reset(*averaged<disc::xz>(), *net<disc::xz>());
    if constexpr (has_dxx) nn::ema_reset(*averaged<disc::xx>(), *net<disc::xx>());
    for (auto* m : scoring_modules()) m->eval();
  }

  /// Every network under its checkpoint key, the averaged copies included.
  std::vector<std::pair<std::string, torch::nn::Module*>> named_modules() const {
    std::vector<std::pair<std::string, torch::nn::Module*>> out{
        {"encoder", E.ptr().get()},
        {"generator", G.ptr().get()},
        {"dxz", net<disc::xz>().ptr().get()}};
    if constexpr (has_dxx) out.emplace_back("dxx", net<disc::xx>().ptr().get());
    if constexpr (has_dzz) out.emplace_back("dzz", net<disc::zz>().ptr().get());
    out.emplace_back("averaged_encoder", ema_E.ptr().get());
    out.emplace_back("averaged_generator", ema_G.ptr().get());
    out.emplace_back("averaged_dxz", averaged<disc::xz>().ptr().get());
    if constexpr (has_dxx) out.emplace_back("averaged_dxx", averaged<disc::xx>().ptr().get());
    return out;
  }

  /// The networks the optimizers move.
  std::vector<torch::nn::Module*> training_modules() const {
    std::vector<torch::nn::Module*> out{E.ptr().get(), G.ptr().get(), net<disc::xz>().ptr().get()};
    if constexpr (has_dxx) out.push_back(net<disc::xx>().ptr().get());
    if constexpr (has_dzz) out.push_back(net<disc::zz>().ptr().get());
    return out;
  }

  /// The averages, which compute every score (D_zz scores nothing and has none).
  std::vector<torch::nn::Module*> scoring_modules() const {
    std::vector<torch::nn::Module*> out{ema_E.ptr().get(), ema_G.ptr().get(),
                                        averaged<disc::xz>().ptr().get()};
    if constexpr (has_dxx) out.push_back(averaged<disc::xx>().ptr().get());
    return out;
  }

  std::vector<torch::nn::Module*> all_modules() const {
    auto out = training_modules();
    const auto more = scoring_modules();
    out.insert(out.end(), more.begin(), more.end());
    return out;
  }

  // Mutable: scoring is logically const but switches the averaged networks to eval mode for
  // the duration of the call.
  mutable encoder_type E{nullptr};
  mutable nn::AladGenerator G{nullptr};
  mutable encoder_type ema_E{nullptr};
  mutable nn::AladGenerator ema_G{nullptr};
  // Exactly the discriminators the set names, and the averages of those that score.
  mutable nn::discriminator_nets<Set, Norm> D;
  mutable nn::discriminator_nets<nn::averaged_set_t<Set>, Norm> ema_D;
};

}  // namespace gad
