// expect: discriminator D_x \(image only\) cannot be combined with D_xz
#include <gad/policy/detector.hpp>
using P = gad::policies<gad::discriminators<gad::disc::x, gad::disc::xz>, gad::norm::none,
                        gad::score::neg_logit, gad::shift::none>;
static_assert(sizeof(P) > 0);  // instantiates the policy checks
