// expect: the scoring rule needs G\(E\(x\)\) \(part::reconstruction
#include <gad/policy/detector.hpp>
using P = gad::policies<gad::discriminators<gad::disc::x>, gad::norm::spectral, gad::score::l1,
                        gad::shift::none>;
static_assert(sizeof(P) > 0);  // instantiates the policy checks
