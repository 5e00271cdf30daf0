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
  static constexpr bool scoring_is_rule = detail::is_scoring_rule<Scoring>::value;
  static constexpr bool latent_shift_is_strategy = detail::is_latent_shift<LatentShift>::value;

  // Discriminator structure: D_x works on images alone; the others need an encoder.
  static constexpr bool dx_alone =
      !has<disc::x> || (!has<disc::xz> && !has<disc::xx> && !has<disc::zz>);
  static constexpr bool dxx_needs_dxz = !has<disc::xx> || has<disc::xz>;
  static constexpr bool dzz_needs_dxx = !has<disc::zz> || has<disc::xx>;

  // A scoring rule reads parts of the detector (gad/policy/parts.hpp); each part it lists must
  // be one the discriminator set provides.
  static constexpr bool scoring_d_logit =
      discriminators_is_set && part_available<Discriminators, Scoring, part::d_logit>;
  static constexpr bool scoring_reconstruction =
      discriminators_is_set && part_available<Discriminators, Scoring, part::reconstruction>;
  static constexpr bool scoring_dxx_pair =
      discriminators_is_set && part_available<Discriminators, Scoring, part::dxx_pair>;
  static constexpr bool scoring_dxz_pair =
      discriminators_is_set && part_available<Discriminators, Scoring, part::dxz_pair>;

  // A latent-shift strategy's pseudo-anomalies are labelled "fake" for the image discriminator.
  static constexpr bool latent_shift_d_logit =
      discriminators_is_set && part_available<Discriminators, LatentShift, part::d_logit>;

  static constexpr bool valid = discriminators_known && discriminators_non_empty &&
                                discriminators_unique && normalization_known && scoring_is_rule &&
                                latent_shift_is_strategy && dx_alone && dxx_needs_dxz &&
                                dzz_needs_dxx && scoring_d_logit && scoring_reconstruction &&
                                scoring_dxx_pair && scoring_dxz_pair && latent_shift_d_logit;
};

}  // namespace gad
