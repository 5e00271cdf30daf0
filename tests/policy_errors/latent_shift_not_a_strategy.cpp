// expect: the latent-shift strategy must be a type with a `name`, `pseudo_anomalies` and `loss_names\(\)`
// A bare tag in the latent-shift slot is not a strategy: it carries no code for the training
// step to call, so it stops at the rules instead of training as if it were shift::none.
#include <gad/policy/detector.hpp>
struct my_shift {};
using P = gad::policies<gad::discriminators<gad::disc::x>, gad::norm::spectral,
                        gad::score::neg_logit, my_shift>;
static_assert(sizeof(P) > 0);  // instantiates the policy checks
