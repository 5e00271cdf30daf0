// expect: the scoring rule needs `template <class View> static auto compute\(const View& v\)`
// needs: torch
// A user's scoring rule that declares its name and parts but no compute(): the detector says
// so in one sentence when it first scores.
#include <gad/alad.hpp>
struct no_compute {
  static constexpr const char* name = "no_compute";
  using needs = gad::parts<gad::part::reconstruction>;
};
using D = gad::detector<gad::discriminators<gad::disc::xz>, gad::norm::none, no_compute,
                        gad::shift::none>;
torch::Tensor scores(const D& d, const torch::Tensor& x) { return d.decision_function(x); }
