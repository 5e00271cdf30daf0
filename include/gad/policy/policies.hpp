#pragma once
// gad::policies<> bundles the four slots of a detector and rejects invalid
// combinations at compile time with one readable message per broken rule.
#include <gad/policy/rules.hpp>

namespace gad {

/// Training-loop families; the discriminator set picks one.
namespace family {
struct algan {};  ///< {D_x}
struct bigan {};  ///< {D_xz}, {D_xz, D_xx}, {D_xz, D_xx, D_zz}: encoder-based (EGBAD, ALAD)
struct invalid {};
}  // namespace family

template <class Discriminators, class Normalization, class Scoring, class LatentShift>
struct policies {
  using rules = policy_rules<Discriminators, Normalization, Scoring, LatentShift>;

  static_assert(rules::discriminators_is_set,
                "the first policy slot must be gad::discriminators<...>");
  static_assert(
      rules::discriminators_known,
      "a discriminator set may contain only gad::disc::x, disc::xz, disc::xx and disc::zz");
  static_assert(rules::discriminators_non_empty, "the discriminator set must not be empty");
  static_assert(rules::discriminators_unique, "the discriminator set names a discriminator twice");
  static_assert(rules::normalization_known,
                "the normalization policy must be a type with a `name`, like gad::norm::none and "
                "gad::norm::spectral, whose layers a gad::nn::normalized specialization builds");
  static_assert(rules::scoring_is_rule,
                "the scoring rule must be a type with a `name`, a `needs` list of parts and a "
                "`compute` function, like those in gad/policy/scoring.hpp");
  static_assert(rules::latent_shift_is_strategy,
                "the latent-shift strategy must be a type with a `name`, `pseudo_anomalies` and "
                "`loss_names()`, like those in gad/policy/latent_shift.hpp");
  static_assert(rules::dx_alone,
                "discriminator D_x (image only) cannot be combined with D_xz, D_xx or D_zz");
  static_assert(rules::dxx_needs_dxz,
                "discriminator D_xx needs D_xz in the set: it compares x with G(E(x)), which needs "
                "the encoder that D_xz trains");
  static_assert(rules::dzz_needs_dxx, "discriminator D_zz requires D_xx in the set (ALAD)");
  static_assert(rules::scoring_d_logit,
                "the scoring rule reads D(x) (part::d_logit, like neg_logit): the discriminator "
                "set must contain D_x");
  static_assert(rules::scoring_reconstruction,
                "the scoring rule needs G(E(x)) (part::reconstruction, like l1, l2 and egbad): "
                "the discriminator set must contain D_xz");
  static_assert(rules::scoring_dxx_pair,
                "the scoring rule reads D_xx (part::dxx_pair, like fm and ch): the discriminator "
                "set must contain D_xx");
  static_assert(rules::scoring_dxz_pair,
                "the scoring rule reads D_xz (part::dxz_pair, like egbad): the discriminator set "
                "must contain D_xz");
  static_assert(rules::latent_shift_d_logit,
                "the latent-shift strategy makes pseudo-anomalies for D(x) (part::d_logit, like "
                "pseudo_anomaly): the discriminator set must contain the image discriminator D_x");

  using discriminator_set = Discriminators;
  using normalization = Normalization;
  using scoring = Scoring;
  using latent_shift = LatentShift;

  static constexpr bool valid = rules::valid;

  using family_type = std::conditional_t<
      !rules::valid, family::invalid,
      std::conditional_t<rules::template has<disc::x>, family::algan, family::bigan>>;

  template <class D>
  static constexpr bool has = rules::template has<D>;
  static constexpr bool spectral = std::is_same_v<Normalization, norm::spectral>;
};

}  // namespace gad
