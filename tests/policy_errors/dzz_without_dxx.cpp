// expect: discriminator D_zz requires D_xx in the set
#include <gad/policy/detector.hpp>
using P = gad::policies<gad::discriminators<gad::disc::xz, gad::disc::zz>, gad::norm::none,
                        gad::score::l1, gad::shift::none>;
static_assert(sizeof(P) > 0);  // instantiates the policy checks
