#pragma once
// Scoring-rule policy. A scoring rule is a type that carries its own code:
//
//   name      how results, checkpoints and options (validation_score) call it
//   needs     the parts of a trained detector it reads (gad/policy/parts.hpp)
//   compute   template <class View> static auto compute(const View& v): one score per sample
//             of the batch, higher = more anomalous
//
// The engine calls compute in eval mode without gradients, with a view that offers the parts
// listed in `needs` (v.logit(), v.x(), v.reconstruction(), v.dxx_real(), v.dxx_fake(),
// v.dxz_real(), v.dxz_fake(), each network output with .logits and .features), the detector's
// options (v.options()) and the arithmetic the built-in rules share (v.row_norm(t, degree), the
// order-d norm of each sample; v.softplus(t)). compute is a template, so this header needs no
// LibTorch and a user's rule can be written the same way (examples/custom_policy).
#include <gad/policy/parts.hpp>

#include <type_traits>

namespace gad {
namespace score {
/// -logit of D(x) (ALGAN). Ranks like 1 - sigmoid(logit).
struct neg_logit {
  static constexpr const char* name = "neg_logit";
  using needs = parts<part::d_logit>;
  template <class View>
  static auto compute(const View& v) {
    return v.logit().neg();
  }
};

/// ALAD "ch": BCE of D_xx(x, G(E(x))) against the "real pair" label, softplus(-logit).
struct ch {
  static constexpr const char* name = "ch";
  using needs = parts<part::dxx_pair>;
  template <class View>
  static auto compute(const View& v) {
    return v.softplus(-v.dxx_fake().logits.reshape({-1}));
  }
};

/// ALAD "l1": ||x - G(E(x))||_1.
struct l1 {
  static constexpr const char* name = "l1";
  using needs = parts<part::reconstruction>;
  template <class View>
  static auto compute(const View& v) {
    return v.row_norm(v.x() - v.reconstruction(), 1.0);
  }
};

/// ALAD "l2": ||x - G(E(x))||_2 (not squared).
struct l2 {
  static constexpr const char* name = "l2";
  using needs = parts<part::reconstruction>;
  template <class View>
  static auto compute(const View& v) {
    return v.row_norm(v.x() - v.reconstruction(), 2.0);
  }
};

/// ALAD "fm": ||f_xx(x, x) - f_xx(x, G(E(x)))||_d on D_xx's features, degree d (option).
struct fm {
  static constexpr const char* name = "fm";
  using needs = parts<part::dxx_pair>;
  template <class View>
  static auto compute(const View& v) {
    return v.row_norm(v.dxx_real().features - v.dxx_fake().features, v.options().degree);
  }
};

/// EGBAD's discriminator term used inside score::egbad.
namespace egbad_term {
/// ||f(x, E(x)) - f(G(E(x)), E(x))||_d on D_xz's intermediate features.
struct fm {
  static constexpr const char* name = "fm";
  template <class View>
  static auto compute(const View& v) {
    return v.row_norm(v.dxz_real().features - v.dxz_fake().features, v.options().degree);
  }
};
/// BCE(D_xz(G(E(x)), E(x)), 1), softplus(-logit).
struct ch {
  static constexpr const char* name = "ch";
  template <class View>
  static auto compute(const View& v) {
    return v.softplus(-v.dxz_fake().logits.reshape({-1}));
  }
};
}  // namespace egbad_term

/// EGBAD (Zenati et al. 2018): (1 - w)·||x - G(E(x))||_d + w·L_D, L_D one of egbad_term.
template <class Term = egbad_term::fm>
struct egbad {
  static_assert(std::is_same_v<Term, egbad_term::fm> || std::is_same_v<Term, egbad_term::ch>,
                "score::egbad takes egbad_term::fm or egbad_term::ch");
  static constexpr const char* name =
      std::is_same_v<Term, egbad_term::fm> ? "egbad-fm" : "egbad-ch";
  using needs = parts<part::reconstruction, part::dxz_pair>;
  template <class View>
  static auto compute(const View& v) {
    const double w = v.options().egbad_weight;
    return (1.0 - w) * v.row_norm(v.x() - v.reconstruction(), v.options().degree) +
           w * Term::compute(v).reshape({-1});
  }
};
}  // namespace score

namespace detail {
template <class S, class = void>
struct is_scoring_rule : std::false_type {};
template <class S>
struct is_scoring_rule<S, std::void_t<decltype(S::name), decltype(S::needs::types)>>
    : std::true_type {};

// Whether S has a compute() at all: a rule that has one but misuses the view still fails
// inside its own body, where the compiler points at the line.
template <class S, class View, class = void>
struct has_compute : std::false_type {};
template <class S, class View>
struct has_compute<S, View, std::void_t<decltype(&S::template compute<View>)>> : std::true_type {};

}  // namespace detail

}  // namespace gad
