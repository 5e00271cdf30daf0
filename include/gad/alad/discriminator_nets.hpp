#pragma once
// The discriminators of an encoder-based detector (ALAD, EGBAD), held as exactly the members
// its discriminator set names: an EGBAD detector has a D_xz and nothing else to reach, and a
// new discriminator is one specialization of bigan_discriminator plus the engine code that
// trains it.
#include <gad/alad/networks.hpp>
#include <gad/policy/discriminators.hpp>

#include <cstddef>
#include <tuple>
#include <type_traits>

namespace gad::nn {

/// The network type of each discriminator an encoder-based detector can hold (for a given
/// normalization policy), and whether scoring uses it (then the detector keeps a moving average
/// of it).
template <class Tag>
struct bigan_discriminator {
  static_assert(sizeof(Tag) == 0,
                "encoder-based detectors hold the discriminators disc::xz, disc::xx and disc::zz "
                "only");
};
template <>
struct bigan_discriminator<disc::xz> {
  template <class Norm>
  using module = AladDxz<Norm>;
  static constexpr bool averaged = true;
};
template <>
struct bigan_discriminator<disc::xx> {
  template <class Norm>
  using module = AladDxx<Norm>;
  static constexpr bool averaged = true;
};
template <>
struct bigan_discriminator<disc::zz> {
  template <class Norm>
  using module = AladDzz<Norm>;
  static constexpr bool averaged = false;  // D_zz trains the cycle; no score reads it
};

namespace detail {
template <class Tag, class... Tags>
constexpr std::size_t index_of() {
  constexpr bool found[] = {std::is_same_v<Tag, Tags>...};
  for (std::size_t i = 0; i < sizeof...(Tags); ++i) {
    if (found[i]) return i;
  }
  return sizeof...(Tags);
}

template <class... Sets>
struct concat_sets;
template <>
struct concat_sets<> {
  using type = discriminators<>;
};
template <class... A>
struct concat_sets<discriminators<A...>> {
  using type = discriminators<A...>;
};
template <class... A, class... B, class... Rest>
struct concat_sets<discriminators<A...>, discriminators<B...>, Rest...> {
  using type = typename concat_sets<discriminators<A..., B...>, Rest...>::type;
};
}  // namespace detail

/// The members of `Set` whose moving average is kept (bigan_discriminator<Tag>::averaged).
template <class Set>
struct averaged_set;
template <class... Tags>
struct averaged_set<discriminators<Tags...>> {
  using type = typename detail::concat_sets<std::conditional_t<
      bigan_discriminator<Tags>::averaged, discriminators<Tags>, discriminators<>>...>::type;
};
template <class Set>
using averaged_set_t = typename averaged_set<Set>::type;

template <class Tag, class Norm>
using bigan_discriminator_t = typename bigan_discriminator<Tag>::template module<Norm>;

/// One module holder per member of `Set`, in the set's order, with the layers of the
/// normalization `Norm`; each starts empty (nullptr).
template <class Set, class Norm>
class discriminator_nets;

template <class... Tags, class Norm>
class discriminator_nets<discriminators<Tags...>, Norm> {
 public:
  template <class Tag>
  static constexpr bool has = (std::is_same_v<Tag, Tags> || ...);

  template <class Tag>
  bigan_discriminator_t<Tag, Norm>& get() {
    static_assert(has<Tag>,
                  "this detector's discriminator set does not contain the "
                  "discriminator asked for");
    return std::get<detail::index_of<Tag, Tags...>()>(nets_);
  }
  template <class Tag>
  const bigan_discriminator_t<Tag, Norm>& get() const {
    static_assert(has<Tag>,
                  "this detector's discriminator set does not contain the "
                  "discriminator asked for");
    return std::get<detail::index_of<Tag, Tags...>()>(nets_);
  }

 private:
  std::tuple<bigan_discriminator_t<Tags, Norm>...> nets_{
      bigan_discriminator_t<Tags, Norm>(nullptr)...};
};

}  // namespace gad::nn
