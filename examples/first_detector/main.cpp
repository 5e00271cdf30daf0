// Your first detector: ALGAN learns what MNIST zeros look like, then tells zeros from ones.
//   first_detector data/mnist      (any folder with the four MNIST IDX files)
#include <gad/algan.hpp>
#include <gad/data/idx.hpp>
#include <gad/metrics/tensor.hpp>

#include <iostream>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: first_detector <folder with the MNIST IDX files>\n";
    return 2;
  }
  const auto train = gad::data::load_idx_folder(argv[1], "train");  // pixels in [0, 1]
  const auto test = gad::data::load_idx_folder(argv[1], "t10k");
  // Train on zeros only; test on zeros and ones, so the digit doubles as the anomaly label.
  auto normal = gad::data::subset(train, train.labels.eq(0).nonzero().flatten());
  auto zeros_and_ones = gad::data::subset(test, test.labels.le(1).nonzero().flatten());
  // The generator ends in tanh, so the detector wants pixels in [-1, 1].
  normal.images = gad::data::unit_to_symmetric(normal.images);
  zeros_and_ones.images = gad::data::unit_to_symmetric(zeros_and_ones.images);

  gad::algan_options options;  // the paper's MNIST setup, shrunk here to train in seconds
  options.epochs = 10;
  options.batch_size = 16;
  options.z_dim = 16;
  options.generator_hidden = {64, 128};
  options.discriminator_hidden = {128, 64};
  options.runtime.threads = 1;  // nets this small only lose time syncing threads
  gad::algan<> detector(options);  // spectral norm + pseudo-anomalies
  detector.fit(normal);

  const torch::Tensor scores = detector.decision_function(zeros_and_ones.images);
  std::cout << "test AUROC " << gad::metrics::auroc(scores, zeros_and_ones.labels) << "\n";
}
