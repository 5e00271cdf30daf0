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
  static_assert(rules::discriminators_known,
                "a discriminator set may contain only gad::disc::x, disc::xz, disc::xx and disc::zz");
  static_assert(rules::discriminators_non_empty, "the discriminator set must not be empty");
  static_assert(rules::discriminators_unique, "the discriminator set names a discriminator twice");
  static_assert(rules::normalization_known,
                "normalization policy must be gad::norm::none or gad::norm::spectral");
  static_assert(rules::scoring_known,
                "scoring rule must be one of gad::score::neg_logit, ch, l1, l2, fm, egbad<...>");
  static_assert(rules::latent_shift_known,
                "latent-shift policy must be gad::shift::none or gad::shift::pseudo_anomaly");
  static_assert(rules::dx_alone,
                "discriminator D_x (image only) cannot be combined with D_xz, D_xx or D_zz");
  static_assert(rules::dxx_needs_dxz,
                "discriminator D_xx needs D_xz in the set: it compares x with G(E(x)), which needs "
                "the encoder that D_xz trains");
  static_assert(rules::dzz_needs_dxx, "discriminator D_zz requires D_xx in the set (ALAD)");
  static_assert(rules::neg_logit_needs_dx,
                "scoring rule neg_logit requires a discriminator set containing D_x");
  static_assert(rules::ch_needs_dxx,
                "scoring rule ch requires a discriminator set containing D_xx");
  static_assert(rules::fm_needs_dxx,
                "scoring rule fm requires a discriminator set containing D_xx");
  static_assert(rules::reconstruction_needs_encoder,
                "scoring rules l1, l2 and egbad need G(E(x)): the discriminator set must contain D_xz");
  static_assert(rules::pseudo_anomaly_needs_dx,
                "latent-shift pseudo_anomaly requires the image discriminator D_x (ALGAN)");

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
