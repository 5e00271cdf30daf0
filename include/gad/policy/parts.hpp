#pragma once
// The parts of a trained detector that a scoring rule (or another policy) can read. A policy
// lists the parts it needs; a detector provides a part when its discriminator set has what
// the part is made from. The combination rules compare the two lists, so a new scoring rule,
// built into gad or written by a user, is checked without being named anywhere else.
#include <gad/policy/discriminators.hpp>

#include <boost/hana/all_of.hpp>
#include <boost/hana/contains.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

#include <type_traits>

namespace gad {

namespace part {
/// D(x), the image discriminator's logit (ALGAN). Made from disc::x.
struct d_logit {};
/// x and its reconstruction G(E(x)) (l1, l2, EGBAD). Needs the encoder that disc::xz trains.
struct reconstruction {};
/// D_xx's logits and features on (x, x) and (x, G(E(x))) (ch, fm). Made from disc::xx.
struct dxx_pair {};
/// D_xz's logits and features on (x, E(x)) and (G(E(x)), E(x)) (EGBAD). Made from disc::xz.
struct dxz_pair {};
}  // namespace part

/// The list of parts a policy needs, e.g. `using needs = parts<part::dxx_pair>;`.
template <class... Parts>
struct parts {
  static constexpr auto types = boost::hana::tuple_t<Parts...>;
  template <class Part>
  static constexpr bool has =
      decltype(boost::hana::contains(types, boost::hana::type_c<Part>))::value;
};

namespace detail {
template <class T, class = void>
struct declares_needs : std::false_type {};
template <class T>
struct declares_needs<T, std::void_t<decltype(T::needs::types)>> : std::true_type {};
}  // namespace detail

/// Whether policy `T` lists `Part` among its needs (false when it declares no needs).
template <class T, class Part>
constexpr bool needs_part() {
  if constexpr (detail::declares_needs<T>::value) {
    return T::needs::template has<Part>;
  } else {
    return false;
  }
}

/// Whether a detector with discriminator set `Set` provides `Part`.
template <class Set, class Part>
struct provides_part : std::false_type {};
template <class... Ds>
struct provides_part<discriminators<Ds...>, part::d_logit>
    : std::bool_constant<discriminators<Ds...>::template has<disc::x>> {};
template <class... Ds>
struct provides_part<discriminators<Ds...>, part::reconstruction>
    : std::bool_constant<discriminators<Ds...>::template has<disc::xz>> {};
template <class... Ds>
struct provides_part<discriminators<Ds...>, part::dxx_pair>
    : std::bool_constant<discriminators<Ds...>::template has<disc::xx>> {};
template <class... Ds>
struct provides_part<discriminators<Ds...>, part::dxz_pair>
    : std::bool_constant<discriminators<Ds...>::template has<disc::xz>> {};

/// Whether policy `T` needs `Part` only where `Set` provides it.
template <class Set, class T, class Part>
constexpr bool part_available = !needs_part<T, Part>() || provides_part<Set, Part>::value;

}  // namespace gad
