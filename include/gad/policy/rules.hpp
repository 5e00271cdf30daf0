#pragma once
// The combination rules of the four policy slots, as plain constexpr booleans.
// gad::policies<> turns each one into a static_assert with an English message;
// keeping the booleans separate lets the tests check every rule directly.
#include <gad/policy/discriminators.hpp>
#include <gad/policy/latent_shift.hpp>
#include <gad/policy/normalization.hpp>
#include <gad/policy/scoring.hpp>

#include <type_traits>

namespace gad {

namespace detail {
template <class Set, class D>
constexpr bool set_has = false;
template <class D, class... Ds>
inline constexpr bool set_has<discriminators<Ds...>, D> = discriminators<Ds...>::template has<D>;
}  // namespace detail

template <class Discriminators, class Normalization, class Scoring, class LatentShift>
struct policy_rules {
  template <class D>
  static constexpr bool has = detail::set_has<Discriminators, D>;

  // Slot contents.
  static constexpr bool discriminators_is_set = detail::is_discriminator_set<Discriminators>::value;
  static constexpr bool discriminators_known =
      discriminators_is_set && detail::all_known_discriminators<Discriminators>::value;
  static constexpr bool discriminators_non_empty = discriminators_is_set && !Discriminators::empty;
  static constexpr bool discriminators_unique = discriminators_is_set && Discriminators::unique;
  static constexpr bool normalization_known = detail::is_known_normalization<Normalization>;
  static constexpr bool scoring_known = detail::is_known_score<Scoring>;
  static constexpr bool latent_shift_known = detail::is_known_latent_shift<LatentShift>;

  // Discriminator structure: D_x works on images alone; the others need an encoder.
  static constexpr bool dx_alone = !has<disc::x> || (!has<disc::xz> && !has<disc::xx> && !has<disc::zz>);
  static constexpr bool dxx_needs_dxz = !has<disc::xx> || has<disc::xz>;
  static constexpr bool dzz_needs_dxx = !has<disc::zz> || has<disc::xx>;

  // Scoring rules read specific discriminators or need a reconstruction G(E(x)).
  static constexpr bool neg_logit_needs_dx = !std::is_same_v<Scoring, score::neg_logit> || has<disc::x>;
  static constexpr bool ch_needs_dxx = !std::is_same_v<Scoring, score::ch> || has<disc::xx>;
  static constexpr bool fm_needs_dxx = !std::is_same_v<Scoring, score::fm> || has<disc::xx>;
  static constexpr bool reconstruction_needs_encoder =
      !(std::is_same_v<Scoring, score::l1> || std::is_same_v<Scoring, score::l2> ||
        detail::is_egbad_score<Scoring>) ||
      has<disc::xz>;

  // Pseudo-anomalies are labelled "fake" for an image discriminator.
  static constexpr bool pseudo_anomaly_needs_dx =
      !std::is_same_v<LatentShift, shift::pseudo_anomaly> || has<disc::x>;

  static constexpr bool valid =
      discriminators_known && discriminators_non_empty && discriminators_unique &&
      normalization_known && scoring_known && latent_shift_known && dx_alone && dxx_needs_dxz &&
      dzz_needs_dxx && neg_logit_needs_dx && ch_needs_dxx && fm_needs_dxx &&
      reconstruction_needs_encoder && pseudo_anomaly_needs_dx;
};

}  // namespace gad
