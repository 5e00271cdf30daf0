// The smallest real use of gad from another project: include, link gad::gad, run.
#include <gad/core/runtime.hpp>
#include <gad/policy/detector.hpp>

#include <torch/types.h>

#include <iostream>

int main() {
  using algan_policies = gad::policies<gad::discriminators<gad::disc::x>, gad::norm::spectral,
                                       gad::score::neg_logit, gad::shift::pseudo_anomaly>;
  static_assert(algan_policies::valid);
  gad::runtime rt(gad::runtime_options{42, 1, "cpu"});
  auto generator = rt.generator("consumer");
  const auto draw = torch::randn({4}, generator);
  std::cout << "gad consumer ok: device " << rt.device() << ", draw " << draw[0].item<float>()
            << "\n";
  return draw.numel() == 4 ? 0 : 1;
}
