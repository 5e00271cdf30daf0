#pragma once
// ALGAN (Murase & Fukumizu, "ALGAN: Anomaly Detection by Generating Pseudo Anomalous Data via
// Latent Variables", IEEE Access 10, 2022): a GAN whose discriminator also learns to reject
// "pseudo-anomalies", images the generator makes from latents drawn outside its training prior.
// The discriminator's negated logit is the anomaly score.
//
//   #include <gad/algan.hpp>
//   gad::algan<> detector;                              // spectral norm, pseudo-anomalies
//   gad::fit_report r = detector.fit(train, &validation,  // the printer: gad::report
//                                    gad::report::progress_printer{});
//   torch::Tensor scores = detector.decision_function(test.images);  // higher = more anomalous
//
// The variants of the reference code's ablations are other policy choices:
//   gad::algan<gad::norm::none>                          D without spectral normalization
//   gad::algan<gad::norm::spectral, gad::shift::none>    a plain GAN scored by its D
#include <gad/algan/engine.hpp>
#include <gad/train/fit_report.hpp>
#include <gad/algan/options.hpp>
#include <gad/core/runtime.hpp>
#include <gad/data/dataset.hpp>
#include <gad/policy/detector.hpp>
#include <gad/train/callbacks.hpp>
#include <gad/train/stop_request.hpp>

namespace gad {

/// The ALGAN detector: one image discriminator D_x scored by -logit, with the chosen
/// normalization of D and latent-shift strategy. Run-time settings: gad::algan_options.
template <class Norm = norm::spectral, class Shift = shift::pseudo_anomaly>
using algan = detector<discriminators<disc::x>, Norm, score::neg_logit, Shift>;

}  // namespace gad
