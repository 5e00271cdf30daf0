// expect: ^$
// Control: a valid combination compiles cleanly (no diagnostics at all).
#include <gad/policy/detector.hpp>
using P = gad::policies<gad::discriminators<gad::disc::xz, gad::disc::xx, gad::disc::zz>,
                        gad::norm::spectral, gad::score::fm, gad::shift::none>;
static_assert(sizeof(P) > 0);  // instantiates the policy checks
int main() { return 0; }
