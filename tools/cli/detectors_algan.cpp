// The ALGAN detectors the tool can train and load: spectral norm on or off, pseudo-anomalies on
// or off (off is the plain-GAN ablation).
#include "commands.hpp"

#include <gad/algan.hpp>

namespace gad_cli {

std::optional<int> run_algan_family(const command& c) {
  using gad::norm::none;
  using gad::norm::spectral;
  using gad::shift::pseudo_anomaly;
  return detector_list<gad::algan<spectral, pseudo_anomaly>, gad::algan<none, pseudo_anomaly>,
                       gad::algan<spectral, gad::shift::none>,
                       gad::algan<none, gad::shift::none>>::run(c);
}

}  // namespace gad_cli
