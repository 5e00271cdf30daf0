// The ALAD detectors the tool can train and load: every scoring rule, with or without D_zz,
// with or without spectral norm.
#include "commands.hpp"

#include <gad/alad.hpp>

namespace gad_cli {

namespace {
template <class Norm, bool Dzz>
using alad_rules =
    detector_list<gad::alad<Norm, gad::score::fm, Dzz>, gad::alad<Norm, gad::score::ch, Dzz>,
                  gad::alad<Norm, gad::score::l1, Dzz>, gad::alad<Norm, gad::score::l2, Dzz>>;
}  // namespace

std::optional<int> run_alad_family(const command& c) {
  using gad::norm::none;
  using gad::norm::spectral;
  if (auto r = alad_rules<none, gad::without_dzz>::run(c)) return r;
  if (auto r = alad_rules<spectral, gad::without_dzz>::run(c)) return r;
  if (auto r = alad_rules<none, gad::with_dzz>::run(c)) return r;
  return alad_rules<spectral, gad::with_dzz>::run(c);
}

}  // namespace gad_cli
