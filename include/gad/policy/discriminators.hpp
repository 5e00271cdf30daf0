#pragma once
// Discriminator-set policy: which discriminators a detector trains and which
// pairs each one sees. The set decides the family of the training loop:
//   {D_x}               ALGAN: D sees images only (real vs generated)
//   {D_xz}              EGBAD / BiGAN: D sees (x, z) pairs
//   {D_xz, D_xx}        ALAD without the latent cycle discriminator
//   {D_xz, D_xx, D_zz}  ALAD with it
#include <boost/hana/all_of.hpp>
#include <boost/hana/contains.hpp>
#include <boost/hana/length.hpp>
#include <boost/hana/set.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

namespace gad {
namespace disc {
/// D(x): real images vs generated images (ALGAN, Murase & Fukumizu 2022).
struct x {};
/// D(x, z): encoder pairs (x, E(x)) vs generator pairs (G(z), z) (BiGAN/EGBAD, Zenati et al. 2018).
struct xz {};
/// D(x, x'): (x, x) vs (x, G(E(x))), the image-cycle discriminator of ALAD (Zenati et al. 2018).
struct xx {};
/// D(z, z'): (z, z) vs (z, E(G(z))), ALAD's latent-cycle discriminator.
struct zz {};
}  // namespace disc

/// A compile-time set of discriminator tags, e.g. discriminators<disc::xz, disc::xx>.
template <class... Ds>
struct discriminators {
  static constexpr auto types = boost::hana::tuple_t<Ds...>;

  template <class D>
  static constexpr bool has = decltype(boost::hana::contains(types, boost::hana::type_c<D>))::value;

  static constexpr bool empty = sizeof...(Ds) == 0;
  static constexpr bool unique =
      decltype(boost::hana::length(boost::hana::to_set(types)))::value == sizeof...(Ds);
};

namespace detail {
template <class D>
constexpr bool is_known_discriminator = decltype(boost::hana::contains(
    boost::hana::tuple_t<disc::x, disc::xz, disc::xx, disc::zz>, boost::hana::type_c<D>))::value;

template <class Set>
struct all_known_discriminators;
template <class... Ds>
struct all_known_discriminators<discriminators<Ds...>> {
  static constexpr bool value = (true && ... && is_known_discriminator<Ds>);
};

template <class T>
struct is_discriminator_set : std::false_type {};
template <class... Ds>
struct is_discriminator_set<discriminators<Ds...>> : std::true_type {};
}  // namespace detail

}  // namespace gad
