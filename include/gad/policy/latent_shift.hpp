#pragma once
// Latent-shift policy: whether (and how) the detector manufactures
// pseudo-anomalies by sampling the generator outside its training prior.

namespace gad {
namespace shift {
/// No pseudo-anomalies (ALAD, EGBAD).
struct none {};
/// ALGAN (Murase & Fukumizu 2022): z_a ~ N(0, sigma^2 I) pushed through G in
/// eval mode, labelled fake for D, with replay buffers of past fakes and the
/// alpha/xi loss weights. sigma, buffer size, alpha and xi are runtime options.
struct pseudo_anomaly {};
}  // namespace shift

namespace detail {
template <class L>
constexpr bool is_known_latent_shift = false;
template <>
inline constexpr bool is_known_latent_shift<shift::none> = true;
template <>
inline constexpr bool is_known_latent_shift<shift::pseudo_anomaly> = true;
}  // namespace detail

}  // namespace gad
