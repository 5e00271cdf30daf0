// expect: the ALGAN engine implements the latent shifts gad::shift::pseudo_anomaly and gad::shift::none only
// needs: torch
// A latent shift marked known to the rules (step 1 of docs/policies.md) but never implemented
// must stop at the engine, not train silently as shift::none.
#include <gad/algan.hpp>
struct my_shift {};
namespace gad::detail {
template <>
inline constexpr bool is_known_latent_shift<::my_shift> = true;
}  // namespace gad::detail
using D = gad::detector<gad::discriminators<gad::disc::x>, gad::norm::spectral,
                        gad::score::neg_logit, my_shift>;
static_assert(sizeof(D) > 0);
