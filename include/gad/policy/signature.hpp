#pragma once
// A readable, stable name for each policy tag and for a whole policy bundle. Checkpoints store
// the bundle's signature so that loading into a detector of other policies fails with a
// sentence naming both, instead of a shape error deep inside a network.
#include <gad/policy/discriminators.hpp>
#include <gad/policy/latent_shift.hpp>
#include <gad/policy/normalization.hpp>
#include <gad/policy/scoring.hpp>

#include <string>

namespace gad {

/// policy_name<Tag>::value: the tag's name as written in checkpoints and messages. A policy
/// type that carries its `name` (every scoring rule) needs no entry here.
template <class Tag>
struct policy_name {
  static constexpr const char* value = Tag::name;
};

#define GAD_POLICY_NAME(tag, text)             \
  template <>                                  \
  struct policy_name<tag> {                    \
    static constexpr const char* value = text; \
  }
GAD_POLICY_NAME(disc::x, "D_x");
GAD_POLICY_NAME(disc::xz, "D_xz");
GAD_POLICY_NAME(disc::xx, "D_xx");
GAD_POLICY_NAME(disc::zz, "D_zz");
// Model files name EGBAD's rules so; their run-time names (all_scores) are egbad-fm, egbad-ch.
GAD_POLICY_NAME(score::egbad<score::egbad_term::fm>, "egbad<fm>");
GAD_POLICY_NAME(score::egbad<score::egbad_term::ch>, "egbad<ch>");
#undef GAD_POLICY_NAME

namespace detail {
template <class Set>
struct discriminator_names;
template <class... Ds>
struct discriminator_names<discriminators<Ds...>> {
  static std::string get() {
    std::string out;
    ((out += (out.empty() ? "" : ", ") + std::string(policy_name<Ds>::value)), ...);
    return "{" + out + "}";
  }
};
}  // namespace detail

/// E.g. "discriminators={D_xz, D_xx} normalization=none scoring=fm latent_shift=none".
template <class Policies>
std::string policy_signature() {
  return "discriminators=" +
         detail::discriminator_names<typename Policies::discriminator_set>::get() +
         " normalization=" + policy_name<typename Policies::normalization>::value +
         " scoring=" + policy_name<typename Policies::scoring>::value +
         " latent_shift=" + policy_name<typename Policies::latent_shift>::value;
}

}  // namespace gad
