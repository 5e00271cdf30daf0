// expect: the latent-shift strategy makes pseudo-anomalies for D\(x\) \(part::d_logit, like pseudo_anomaly\)
#include <gad/policy/detector.hpp>
using P = gad::policies<gad::discriminators<gad::disc::xz, gad::disc::xx>, gad::norm::none,
                        gad::score::fm, gad::shift::pseudo_anomaly>;
static_assert(sizeof(P) > 0);  // instantiates the policy checks
