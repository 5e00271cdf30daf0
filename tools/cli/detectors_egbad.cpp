// The EGBAD detectors the tool can train and load: either discriminator term, with or without
// spectral norm.
#include "commands.hpp"

#include <gad/egbad.hpp>

namespace gad_cli {

std::optional<int> run_egbad_family(const command& c) {
  using gad::norm::none;
  using gad::norm::spectral;
  using gad::score::egbad_term::ch;
  using gad::score::egbad_term::fm;
  return detector_list<gad::egbad<fm, none>, gad::egbad<ch, none>, gad::egbad<fm, spectral>,
                       gad::egbad<ch, spectral>>::run(c);
}

}  // namespace gad_cli
