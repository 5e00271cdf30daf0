// Each static_assert of gad::policies is driven by one boolean of
// gad::policy_rules; these checks pin every rule for valid and invalid sets.
#include <gad/policy/detector.hpp>

#include "support/catch.hpp"

#include <type_traits>

namespace {
using namespace gad;
template <class D, class N = norm::none, class S = score::neg_logit, class L = shift::none>
using rules = policy_rules<D, N, S, L>;

using algan_set = discriminators<disc::x>;
using egbad_set = discriminators<disc::xz>;
using alad_set = discriminators<disc::xz, disc::xx>;
using alad_zz_set = discriminators<disc::xz, disc::xx, disc::zz>;
}  // namespace

TEST_CASE("the seeds' combinations are valid and pick their family", "[policy]") {
  using algan_p = policies<algan_set, norm::spectral, score::neg_logit, shift::pseudo_anomaly>;
  using egbad_p = policies<egbad_set, norm::none, score::egbad<>, shift::none>;
  using alad_p = policies<alad_zz_set, norm::spectral, score::fm, shift::none>;
  STATIC_REQUIRE(algan_p::valid);
  STATIC_REQUIRE(egbad_p::valid);
  STATIC_REQUIRE(alad_p::valid);
  STATIC_REQUIRE(policies<alad_set, norm::none, score::l1, shift::none>::valid);
  STATIC_REQUIRE(policies<algan_set, norm::none, score::neg_logit, shift::none>::valid);
  STATIC_REQUIRE(std::is_same_v<algan_p::family_type, family::algan>);
  STATIC_REQUIRE(std::is_same_v<egbad_p::family_type, family::bigan>);
  STATIC_REQUIRE(std::is_same_v<alad_p::family_type, family::bigan>);
  STATIC_REQUIRE(algan_p::spectral);
  STATIC_REQUIRE_FALSE(egbad_p::spectral);
  STATIC_REQUIRE(alad_p::has<disc::zz>);
  STATIC_REQUIRE_FALSE(egbad_p::has<disc::xx>);
}

TEST_CASE("discriminator-set rules", "[policy]") {
  STATIC_REQUIRE_FALSE(rules<int>::discriminators_is_set);
  STATIC_REQUIRE_FALSE(rules<discriminators<>>::discriminators_non_empty);
  STATIC_REQUIRE_FALSE(rules<discriminators<disc::x, disc::x>>::discriminators_unique);
  STATIC_REQUIRE(rules<alad_zz_set>::discriminators_unique);
  STATIC_REQUIRE_FALSE(rules<discriminators<disc::x, int>>::discriminators_known);
  STATIC_REQUIRE_FALSE(rules<discriminators<disc::x, disc::xz>>::dx_alone);
  STATIC_REQUIRE(rules<algan_set>::dx_alone);
  STATIC_REQUIRE_FALSE(rules<discriminators<disc::xx>>::dxx_needs_dxz);
  STATIC_REQUIRE(rules<alad_set>::dxx_needs_dxz);
  STATIC_REQUIRE_FALSE(rules<discriminators<disc::xz, disc::zz>>::dzz_needs_dxx);
  STATIC_REQUIRE(rules<alad_zz_set>::dzz_needs_dxx);
}

TEST_CASE("scoring rules need the parts they declare", "[policy]") {
  STATIC_REQUIRE_FALSE(rules<egbad_set, norm::none, score::neg_logit>::scoring_d_logit);
  STATIC_REQUIRE(rules<algan_set, norm::none, score::neg_logit>::scoring_d_logit);
  STATIC_REQUIRE_FALSE(rules<egbad_set, norm::none, score::fm>::scoring_dxx_pair);
  STATIC_REQUIRE(rules<alad_set, norm::none, score::fm>::scoring_dxx_pair);
  STATIC_REQUIRE_FALSE(rules<egbad_set, norm::none, score::ch>::scoring_dxx_pair);
  STATIC_REQUIRE(rules<alad_set, norm::none, score::ch>::scoring_dxx_pair);
  STATIC_REQUIRE_FALSE(rules<algan_set, norm::none, score::l1>::scoring_reconstruction);
  STATIC_REQUIRE_FALSE(rules<algan_set, norm::none, score::l2>::scoring_reconstruction);
  STATIC_REQUIRE_FALSE(
      rules<algan_set, norm::none, score::egbad<score::egbad_term::ch>>::scoring_reconstruction);
  STATIC_REQUIRE_FALSE(
      rules<algan_set, norm::none, score::egbad<score::egbad_term::ch>>::scoring_dxz_pair);
  STATIC_REQUIRE(rules<egbad_set, norm::none, score::l2>::scoring_reconstruction);
  STATIC_REQUIRE(rules<egbad_set, norm::none, score::egbad<>>::valid);
  STATIC_REQUIRE_FALSE(rules<alad_set, norm::none, double>::scoring_is_rule);
}

// A rule written outside gad is checked by the parts it declares, like the built-in ones.
struct mean_dxx_feature {
  static constexpr const char* name = "mean_dxx_feature";
  using needs = gad::parts<gad::part::dxx_pair>;
  template <class View>
  static auto compute(const View& v) {
    return v.dxx_fake().features.mean(1);
  }
};

TEST_CASE("a user's scoring rule is checked by its declared parts", "[policy]") {
  STATIC_REQUIRE(rules<alad_set, norm::none, mean_dxx_feature>::scoring_is_rule);
  STATIC_REQUIRE(rules<alad_set, norm::none, mean_dxx_feature>::valid);
  STATIC_REQUIRE_FALSE(rules<egbad_set, norm::none, mean_dxx_feature>::scoring_dxx_pair);
  STATIC_REQUIRE_FALSE(rules<egbad_set, norm::none, mean_dxx_feature>::valid);
}

TEST_CASE("normalization and latent-shift slots", "[policy]") {
  STATIC_REQUIRE_FALSE(rules<algan_set, float>::normalization_known);
  STATIC_REQUIRE(rules<algan_set, norm::spectral>::normalization_known);
  STATIC_REQUIRE_FALSE(
      rules<algan_set, norm::none, score::neg_logit, int>::latent_shift_is_strategy);
  STATIC_REQUIRE(rules<algan_set, norm::none, score::neg_logit, shift::none>::valid);
  STATIC_REQUIRE_FALSE(
      rules<alad_set, norm::none, score::fm, shift::pseudo_anomaly>::latent_shift_d_logit);
  STATIC_REQUIRE(
      rules<algan_set, norm::none, score::neg_logit, shift::pseudo_anomaly>::latent_shift_d_logit);
}

// A strategy written outside gad, derived from pseudo_anomaly: its needs come with the base.
struct shell_shift : shift::pseudo_anomaly {
  static constexpr const char* name = "shell";
};

TEST_CASE("a user's latent-shift strategy is checked like the built-in ones", "[policy]") {
  STATIC_REQUIRE(rules<algan_set, norm::spectral, score::neg_logit, shell_shift>::valid);
  STATIC_REQUIRE_FALSE(rules<alad_set, norm::none, score::fm, shell_shift>::latent_shift_d_logit);
}

TEST_CASE("an invalid combination maps to the invalid family, not to an engine", "[policy]") {
  // Instantiating policies<> here would fire its static_asserts, so the rule set is checked.
  using bad = rules<egbad_set, norm::none, score::fm>;
  STATIC_REQUIRE_FALSE(bad::valid);
}
