// expect: the scoring rule reads D_xx \(part::dxx_pair, like fm and ch\)
#include <gad/policy/detector.hpp>
using P = gad::policies<gad::discriminators<gad::disc::xz>, gad::norm::none, gad::score::fm,
                        gad::shift::none>;
static_assert(sizeof(P) > 0);  // instantiates the policy checks
