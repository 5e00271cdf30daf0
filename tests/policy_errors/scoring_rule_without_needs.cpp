// expect: the scoring rule must be a type with a `name`, a `needs` list of parts and a `compute` function
// A user's scoring rule that forgets to declare the parts it reads.
#include <gad/policy/detector.hpp>
struct mean_pixel {
  static constexpr const char* name = "mean_pixel";
  template <class View>
  static auto compute(const View& v) {
    return v.x().flatten(1).mean(1);
  }
};
using P = gad::policies<gad::discriminators<gad::disc::xz>, gad::norm::none, mean_pixel,
                        gad::shift::none>;
static_assert(sizeof(P) > 0);  // instantiates the policy checks
