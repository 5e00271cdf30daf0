#pragma once
// Normalization policy of the discriminators (and, for ALAD, of the encoder
// layers the reference normalizes). Batch norm where a reference network has it
// is part of that network, not of this policy.

namespace gad {
namespace norm {
/// Plain layers.
struct none {};
/// Spectral normalization (Miyato et al., ICLR 2018): one power iteration per
/// training-mode forward, as torch.nn.utils.spectral_norm does.
struct spectral {};
}  // namespace norm

namespace detail {
template <class N>
constexpr bool is_known_normalization = false;
template <>
inline constexpr bool is_known_normalization<norm::none> = true;
template <>
inline constexpr bool is_known_normalization<norm::spectral> = true;
}  // namespace detail

}  // namespace gad
