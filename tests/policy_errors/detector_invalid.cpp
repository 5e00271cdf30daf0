// expect: scoring rule ch requires a discriminator set containing D_xx
// Through gad::detector itself: only the policy message should be reported.
#include <gad/policy/detector.hpp>
using D = gad::detector<gad::discriminators<gad::disc::xz>, gad::norm::none, gad::score::ch,
                        gad::shift::none>;
D* instance = nullptr;
static_assert(sizeof(D) > 0);
