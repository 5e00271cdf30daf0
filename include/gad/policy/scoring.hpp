#pragma once
// Scoring-rule policy. Every rule returns a score where higher means more
// anomalous, and is evaluated in eval mode without gradients.
// Numeric parameters (the fm degree, the EGBAD weight w) are runtime options.

namespace gad {
namespace score {
/// -logit of D(x) (ALGAN). Ranks like 1 - sigmoid(logit).
struct neg_logit {};
/// ALAD "ch": BCE of D_xx(x, G(E(x))) against the "real pair" label.
struct ch {};
/// ALAD "l1": ||x - G(E(x))||_1.
struct l1 {};
/// ALAD "l2": ||x - G(E(x))||_2 (not squared).
struct l2 {};
/// ALAD "fm": ||f_xx(x, x) - f_xx(x, G(E(x)))||_d on D_xx's features, degree d.
struct fm {};

/// EGBAD's discriminator term used inside score::egbad.
namespace egbad_term {
/// ||f(E(x), x) - f(E(x), G(E(x)))||_d on D_xz's intermediate features.
struct fm {};
/// BCE(D_xz(E(x), G(E(x))), 1).
struct ch {};
}  // namespace egbad_term

/// EGBAD (Zenati et al. 2018): (1 - w)·||x - G(E(x))||_1 + w·L_D, L_D one of egbad_term.
template <class Term = egbad_term::fm>
struct egbad {};
}  // namespace score

namespace detail {
template <class S>
constexpr bool is_known_score = false;
template <>
inline constexpr bool is_known_score<score::neg_logit> = true;
template <>
inline constexpr bool is_known_score<score::ch> = true;
template <>
inline constexpr bool is_known_score<score::l1> = true;
template <>
inline constexpr bool is_known_score<score::l2> = true;
template <>
inline constexpr bool is_known_score<score::fm> = true;
template <>
inline constexpr bool is_known_score<score::egbad<score::egbad_term::fm>> = true;
template <>
inline constexpr bool is_known_score<score::egbad<score::egbad_term::ch>> = true;

template <class S>
constexpr bool is_egbad_score = false;
template <class T>
inline constexpr bool is_egbad_score<score::egbad<T>> = true;
}  // namespace detail

}  // namespace gad
