// Policies written outside gad, used by detectors exactly like the built-in ones: a scoring
// rule (ALAD's l1 reconstruction error plus its fm feature distance) and a latent-shift
// strategy (ALGAN's pseudo-anomalies, drawn on a sphere instead of from a Gaussian).
//   custom_policy data/mnist      (any folder with the four MNIST IDX files)
#include <gad/alad.hpp>
#include <gad/algan.hpp>
#include <gad/data/idx.hpp>
#include <gad/metrics/tensor.hpp>

#include <cmath>
#include <iostream>

// `name` is what model files, all_scores() and bigan_options::validation_score call the rule;
// `needs` lists the parts of the detector it reads, which the combination rules check at
// compile time; compute() scores one batch through the view the detector passes.
struct l1_plus_fm {
  static constexpr const char* name = "l1+fm";
  using needs = gad::parts<gad::part::reconstruction, gad::part::dxx_pair>;
  template <class View>
  static auto compute(const View& v) {
    return v.row_norm(v.x() - v.reconstruction(), 1.0) +
           v.row_norm(v.dxx_real().features - v.dxx_fake().features, v.options().degree);
  }
};

// ALAD's discriminators D_xz and D_xx with the new rule. With D_xz alone the program would not
// compile: "the scoring rule reads D_xx (part::dxx_pair, like fm and ch): the discriminator set
// must contain D_xx".
using my_alad = gad::detector<gad::discriminators<gad::disc::xz, gad::disc::xx>,
                              gad::norm::none, l1_plus_fm, gad::shift::none>;

// ALGAN's pseudo-anomalies come from z_a ~ N(0, sigma^2 I), which in z_dim dimensions lies
// mostly near the sphere of radius sigma * sqrt(z_dim). This strategy puts every z_a on that
// sphere. Deriving from pseudo_anomaly keeps the rest of the strategy (G in eval mode, replay
// buffers, the alpha/xi loss); only the name and the draw are new.
struct shell_pseudo_anomaly : gad::shift::pseudo_anomaly {
  static constexpr const char* name = "shell";
  template <class Ctx>
  static torch::Tensor draw_anomalous(const Ctx& c) {
    const torch::Tensor z = c.randn_latents();  // N(0, I) from the fit's latent stream
    const double radius = c.options().sigma * std::sqrt(static_cast<double>(c.options().z_dim));
    return z / z.norm(2, {1}, /*keepdim=*/true) * radius;
  }
};

using shell_algan = gad::algan<gad::norm::spectral, shell_pseudo_anomaly>;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: custom_policy <folder with the MNIST IDX files>\n";
    return 2;
  }
  const auto train = gad::data::load_idx_folder(argv[1], "train");
  const auto test = gad::data::load_idx_folder(argv[1], "t10k");
  auto normal = gad::data::subset(train, train.labels.eq(0).nonzero().flatten());
  auto zeros_and_ones = gad::data::subset(test, test.labels.le(1).nonzero().flatten());
  normal.images = gad::data::unit_to_symmetric(normal.images);
  zeros_and_ones.images = gad::data::unit_to_symmetric(zeros_and_ones.images);

  gad::bigan_options options = gad::alad_mnist_options();  // the reference networks
  options.epochs = 2;  // a demonstration, not a result
  options.batch_size = 16;
  options.runtime.threads = 1;
  my_alad detector(options);
  detector.fit(normal);

  // decision_function() scores with l1+fm; all_scores() adds ALAD's own rules beside it.
  for (const auto& [rule, scores] : detector.all_scores(zeros_and_ones.images)) {
    std::cout << "ALAD " << rule << " AUROC "
              << gad::metrics::auroc(scores, zeros_and_ones.labels) << "\n";
  }

  gad::algan_options small;  // first_detector's small ALGAN
  small.epochs = 10;
  small.batch_size = 16;
  small.z_dim = 16;
  small.generator_hidden = {64, 128};
  small.discriminator_hidden = {128, 64};
  small.runtime.threads = 1;
  shell_algan algan(small);
  algan.fit(normal);
  std::cout << "ALGAN with shell pseudo-anomalies AUROC "
            << gad::metrics::auroc(algan.decision_function(zeros_and_ones.images),
                                   zeros_and_ones.labels)
            << "\n";
}
