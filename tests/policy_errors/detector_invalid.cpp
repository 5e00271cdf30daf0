// expect: the scoring rule reads D_xx \(part::dxx_pair, like fm and ch\)
// Through gad::detector itself: only the policy message should be reported.
#include <gad/policy/detector.hpp>
using D = gad::detector<gad::discriminators<gad::disc::xz>, gad::norm::none, gad::score::ch,
                        gad::shift::none>;
D* instance = nullptr;
static_assert(sizeof(D) > 0);
