// Your own images: ALGAN trained on a folder in the MVTec-AD layout, scored on its test part.
//
//   image_folder train  <root> [--size 28] [--channels 1] [--epochs 20] [--out DIR]
//   image_folder make   <mnist idx folder> <root> [--normal 0] [--per-class 40]
//
// `make` writes such a folder from MNIST (train/good: the training images of --normal;
// test/good: its test images; test/digit_<d>: every other digit's), so the example can be
// tried without data of your own. `train` writes scores.csv (file, class, label, score) and
// prints the test AUROC; undecodable files are skipped and counted.
#include <gad/algan.hpp>
#include <gad/data/idx.hpp>
#include <gad/data/image_folder.hpp>
#include <gad/io/atomic_file.hpp>
#include <gad/metrics/tensor.hpp>
#include <gad/report/plot/canvas.hpp>  // stb_image_write, for `make`

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

// Writes one [1, H, W] image with pixels in [0, 1] as an 8-bit grayscale PNG.
void write_png(const fs::path& path, const torch::Tensor& image) {
  const torch::Tensor bytes =
      image.squeeze(0).mul(255.0).round().clamp(0, 255).to(torch::kUInt8).contiguous();
  const auto h = static_cast<int>(bytes.size(0));
  const auto w = static_cast<int>(bytes.size(1));
  if (stbi_write_png(path.c_str(), w, h, 1, bytes.data_ptr<std::uint8_t>(), w) == 0) {
    throw gad::error("cannot write " + path.string());
  }
}

void write_class(const fs::path& folder, const gad::data::dataset& d, int digit, int limit) {
  fs::create_directories(folder);
  const torch::Tensor rows = d.labels.eq(digit).nonzero().flatten();
  const std::int64_t n = limit > 0 ? std::min<std::int64_t>(limit, rows.numel()) : rows.numel();
  for (std::int64_t i = 0; i < n; ++i) {
    std::ostringstream name;
    name << std::setw(5) << std::setfill('0') << i << ".png";
    write_png(folder / name.str(), d.images[rows[i].item<std::int64_t>()]);
  }
}

int make(const fs::path& mnist, const fs::path& root, int normal, int per_class) {
  const auto train = gad::data::load_idx_folder(mnist, "train");  // pixels in [0, 1]
  const auto test = gad::data::load_idx_folder(mnist, "t10k");
  write_class(root / "train" / "good", train, normal, 0);
  write_class(root / "test" / "good", test, normal, per_class);
  for (int d = 0; d < 10; ++d) {
    if (d != normal)
      write_class(root / "test" / ("digit_" + std::to_string(d)), test, d, per_class);
  }
  std::cout << "wrote " << root.string() << " (normal digit " << normal << ")\n";
  return 0;
}

int train(const fs::path& root, std::int64_t size, std::int64_t channels, int epochs,
          const fs::path& out) {
  gad::data::image_folder_options read;
  read.size = size;
  read.channels = channels;
  read.skip_unreadable = true;
  const gad::data::image_folder data = gad::data::read_image_folder(root, read);
  std::cout << data.train.size() << " training images, " << data.test.size()
            << " test images in classes";
  for (const auto& c : data.class_names) std::cout << ' ' << c;
  std::cout << "\n";
  if (data.resized > 0)
    std::cout << data.resized << " images resized to " << size << "x" << size << "\n";
  for (const auto& f : data.skipped) std::cout << "skipped (cannot decode): " << f.string() << "\n";

  gad::algan_options o;  // ALGAN's MLP follows the image size and channels
  o.channels = channels;
  o.height = size;
  o.width = size;
  o.epochs = epochs;
  o.batch_size = std::min<std::int64_t>(32, data.train.size());
  o.z_dim = 16;
  o.generator_hidden = {64, 128};
  o.discriminator_hidden = {128, 64};
  o.runtime.threads = 1;
  gad::algan<> detector(o);
  detector.fit(data.train);  // no labelled anomalies: the last epoch's weights are kept
  if (data.test.empty()) {
    std::cout << "no test folder: nothing to score\n";
    return 0;
  }
  const torch::Tensor scores = detector.decision_function(data.test.images);
  std::ostringstream csv;
  csv << "file,class,label,score\n" << std::setprecision(9);
  for (std::int64_t i = 0; i < data.test.size(); ++i) {
    csv << data.test_files[static_cast<std::size_t>(i)].string() << ','
        << data.class_names[static_cast<std::size_t>(data.test.classes[i].item<std::int64_t>())]
        << ',' << data.test.labels[i].item<std::int64_t>() << ',' << scores[i].item<double>()
        << '\n';
  }
  fs::create_directories(out);
  const std::string text = csv.str();
  gad::io::write_bytes_atomically(out / "scores.csv", text.data(), text.size());
  std::cout << "test AUROC " << gad::metrics::auroc(scores, data.test.labels) << "; scores in "
            << (out / "scores.csv").string() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ALGAN on a folder of images (MVTec-AD layout)"};
  app.require_subcommand(1);
  std::string root;
  std::string mnist;
  std::int64_t size = 28;
  std::int64_t channels = 1;
  int epochs = 20;
  int normal = 0;
  int per_class = 40;
  std::string out = "out/image_folder";
  CLI::App* t = app.add_subcommand("train", "train on <root>/train/good, score <root>/test");
  t->add_option("root", root, "the image folder")->required()->check(CLI::ExistingDirectory);
  t->add_option("--size", size, "images are resized to size x size")->capture_default_str();
  t->add_option("--channels", channels, "1 (grayscale) or 3 (RGB)")->capture_default_str();
  t->add_option("--epochs", epochs)->capture_default_str();
  t->add_option("--out", out, "where scores.csv goes")->capture_default_str();
  CLI::App* m = app.add_subcommand("make", "write an MVTec-like PNG folder from MNIST");
  m->add_option("mnist", mnist, "folder with the MNIST IDX files")->required();
  m->add_option("root", root, "the folder to write")->required();
  m->add_option("--normal", normal, "the normal digit")->capture_default_str();
  m->add_option("--per-class", per_class, "test images per digit (0 = all)")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    if (m->parsed()) return make(mnist, root, normal, per_class);
    return train(root, size, channels, epochs, out);
  } catch (const gad::error& e) {
    std::cerr << "image_folder: " << e.what() << "\n";
    return 1;
  }
}
