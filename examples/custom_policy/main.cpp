// A scoring rule written outside gad: ALAD's l1 reconstruction error plus its fm feature
// distance, used by a detector exactly like the built-in rules.
//   custom_policy data/mnist      (any folder with the four MNIST IDX files)
#include <gad/alad.hpp>
#include <gad/data/idx.hpp>
#include <gad/metrics/tensor.hpp>

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
  options.runtime.threads = 2;
  my_alad detector(options);
  detector.fit(normal);

  // decision_function() scores with l1+fm; all_scores() adds ALAD's own rules beside it.
  for (const auto& [rule, scores] : detector.all_scores(zeros_and_ones.images)) {
    std::cout << rule << " AUROC " << gad::metrics::auroc(scores, zeros_and_ones.labels) << "\n";
  }
}
