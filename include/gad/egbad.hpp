#pragma once
// EGBAD (Zenati, Foo, Lecouat, Manek, Chandrasekhar, "Efficient GAN-Based Anomaly Detection",
// arXiv 1802.06222): a BiGAN (encoder E, generator G, one discriminator D on (x, z) pairs)
// scored by (1 - w) ||x - G(E(x))||_d + w L_D, where L_D compares D's features of (x, E(x)) and
// (G(E(x)), E(x)) (egbad_term::fm) or is D's cross-entropy on the reconstruction
// (egbad_term::ch). w = bigan_options::egbad_weight (0.1), d = bigan_options::degree (1).
//
//   #include <gad/egbad.hpp>
//   gad::egbad<> detector;                          // EGBAD's MNIST network and settings
//   detector.fit(train);
//   torch::Tensor s = detector.decision_function(test.images);
//
// It is the {D_xz} member of the family gad/alad.hpp implements; the default options are
// egbad_mnist_options().
#include <gad/alad/engine.hpp>
#include <gad/alad/options.hpp>
#include <gad/alad/presets.hpp>
#include <gad/train/fit_report.hpp>
#include <gad/core/runtime.hpp>
#include <gad/data/dataset.hpp>
#include <gad/policy/detector.hpp>
#include <gad/train/callbacks.hpp>

namespace gad {

/// The EGBAD detector with its discriminator term and, optionally, spectral normalization (not
/// in the reference, which has none).
template <class Term = score::egbad_term::fm, class Norm = norm::none>
using egbad = detector<discriminators<disc::xz>, Norm, score::egbad<Term>, shift::none>;

}  // namespace gad
