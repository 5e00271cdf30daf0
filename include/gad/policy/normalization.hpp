#pragma once
// Normalization policy of the discriminators (and, for ALAD, of the encoder
// layers the reference normalizes). Batch norm where a reference network has it
// is part of that network, not of this policy.
//
// A tag carries its name (checkpoints and messages use it); what it does to a
// layer is LibTorch code and lives in gad/nn/normalized_layer.hpp, one
// specialization of gad::nn::normalized per tag. A normalization of your own is
// both: a tag with a `name` and that specialization, in your code.
#include <type_traits>

namespace gad {
namespace norm {
/// Plain layers.
struct none {
  static constexpr const char* name = "none";
};
/// Spectral normalization (Miyato et al., ICLR 2018): one power iteration per
/// training-mode forward, as torch.nn.utils.spectral_norm does.
struct spectral {
  static constexpr const char* name = "spectral";
};
}  // namespace norm

namespace detail {
template <class N, class = void>
constexpr bool is_known_normalization = false;
template <class N>
inline constexpr bool is_known_normalization<
    N, std::enable_if_t<std::is_convertible_v<decltype(N::name), const char*>>> = true;
}  // namespace detail

}  // namespace gad
