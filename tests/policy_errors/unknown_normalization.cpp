// expect: the normalization policy must be a type with a `name`, like gad::norm::none
#include <gad/policy/detector.hpp>
struct layer_norm {};
using P = gad::policies<gad::discriminators<gad::disc::x>, layer_norm, gad::score::neg_logit,
                        gad::shift::none>;
static_assert(sizeof(P) > 0);  // instantiates the policy checks
