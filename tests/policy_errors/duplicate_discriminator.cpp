// expect: the discriminator set names a discriminator twice
#include <gad/policy/detector.hpp>
using P = gad::policies<gad::discriminators<gad::disc::x, gad::disc::x>, gad::norm::none,
                        gad::score::neg_logit, gad::shift::none>;
static_assert(sizeof(P) > 0);  // instantiates the policy checks
