#pragma once
// ALAD (Zenati, Romain, Foo, Lecouat, Chandrasekhar, "Adversarially Learned Anomaly Detection",
// ICDM 2018): a BiGAN whose encoder E and generator G are also held to a cycle by D_xx, which
// compares (x, x) with (x, G(E(x))), and optionally by D_zz on (z, E(G(z))). Anomalies are
// inputs the model reconstructs badly, measured by one of four scores.
//
//   #include <gad/alad.hpp>
//   gad::alad<> detector;                              // the ALAD MNIST configuration
//   gad::fit_report r = detector.fit(train, &validation,  // the printer: gad::report
//                                    gad::report::progress_printer{});
//   torch::Tensor s = detector.decision_function(test.images);  // higher = more anomalous
//   gad::named_scores all = detector.all_scores(test.images);   // ch, l1, l2, fm
//
// Policies (compile time): normalization, scoring rule, and whether D_zz takes part:
//   gad::alad<gad::norm::spectral, gad::score::fm, gad::with_dzz>   the authors' recommended
//                                                                    --sn --enable_dzz
//   gad::alad<gad::norm::none, gad::score::l1>                        the ALAD MNIST report's
//                                                                    setup, scored by l1
// Everything numeric (networks, learning rate, epochs, degree, threshold) is a run-time
// gad::bigan_options; presets: alad_mnist_options() (default), alad_kdd_options(features).
// EGBAD, the same family with D_xz alone, is in gad/egbad.hpp.
#include <gad/alad/architecture.hpp>
#include <gad/alad/engine.hpp>
#include <gad/alad/options.hpp>
#include <gad/alad/presets.hpp>
#include <gad/train/fit_report.hpp>
#include <gad/core/runtime.hpp>
#include <gad/data/dataset.hpp>
#include <gad/policy/detector.hpp>
#include <gad/train/callbacks.hpp>
#include <gad/train/stop_request.hpp>

#include <type_traits>

namespace gad {

/// Values of alad's LatentCycle parameter, for readable instantiations.
inline constexpr bool with_dzz = true;
inline constexpr bool without_dzz = false;

/// The ALAD detector: discriminators {D_xz, D_xx}, plus D_zz when LatentCycle is true. With D_zz
/// its flipped-label loss joins the cycle loss of G and E.
template <class Norm = norm::none, class Score = score::fm, bool LatentCycle = without_dzz>
using alad = detector<std::conditional_t<LatentCycle, discriminators<disc::xz, disc::xx, disc::zz>,
                                         discriminators<disc::xz, disc::xx>>,
                      Norm, Score, shift::none>;

}  // namespace gad
