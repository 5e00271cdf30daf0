#pragma once
// gad::detector<D, N, S, L>: the class template every detector is. It checks the
// policies (gad::policies) and inherits the training engine of the family the
// discriminator set selects; each family header (gad/algan.hpp, gad/alad.hpp)
// specializes gad::engine for its family.
#include <gad/policy/policies.hpp>

namespace gad {

/// Specialized by each family header: engine<family::algan, P>, engine<family::bigan, P>.
template <class Family, class Policies>
class engine;

/// Stands in for the engine when the policies are invalid, so that the compiler
/// reports only the static_assert messages of gad::policies.
template <class Policies>
class engine<family::invalid, Policies> {};

template <class Discriminators, class Normalization, class Scoring, class LatentShift>
class detector
    : public engine<
          typename policies<Discriminators, Normalization, Scoring, LatentShift>::family_type,
          policies<Discriminators, Normalization, Scoring, LatentShift>> {
 public:
  using policy_type = policies<Discriminators, Normalization, Scoring, LatentShift>;
  using base = engine<typename policy_type::family_type, policy_type>;
  using base::base;
};

}  // namespace gad
