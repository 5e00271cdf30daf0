// Golden values: the losses of the first 50 training iterations and the test-fixture scores of
// one detector of each family and policy mix, written bit for bit (hexadecimal floats). The
// policy redesign must not change a single bit of them on the machine that recorded them.
//
//   golden_values check FILE    compare with FILE; exit 1 on the first difference
//   golden_values record FILE   (re)write FILE; only when a change is meant to change numbers
//
// Bits depend on the CPU's kernels, the LibTorch version and the thread count, so FILE starts
// with a fingerprint of all three; on a machine with another fingerprint `check` prints
// "SKIPPED: ..." (CTest reports a skip) after saying how far the values are off there.
#include <gad/alad.hpp>
#include <gad/algan.hpp>
#include <gad/core/random.hpp>
#include <gad/egbad.hpp>

#include <support/fixture.hpp>

#include <torch/version.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr std::int64_t kIterations = 50;

std::string hex(double v) {
  std::ostringstream s;
  s << std::hexfloat << v;
  return s.str();
}

std::string fingerprint() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line, model = "unknown", flags;
  while (std::getline(cpuinfo, line)) {
    if (model == "unknown" && line.rfind("model name", 0) == 0)
      model = line.substr(line.find(':') + 2);
    if (flags.empty() && line.rfind("flags", 0) == 0) flags = line.substr(line.find(':') + 2);
  }
  std::ostringstream s;
  s << "torch " << TORCH_VERSION << ", threads 1, cpu " << model << ", flags " << std::hex
    << gad::detail::fnv1a(flags);
  return s.str();
}

struct recorder {
  std::vector<std::string> rows;
  void on_iteration_end(const gad::train::iteration_info& it) {
    if (it.iteration >= kIterations) return;
    std::string row = "iteration " + std::to_string(it.iteration);
    for (const auto& kv : it.losses) row += " " + kv.first + "=" + hex(kv.second);
    rows.push_back(row);
  }
};

// Every hidden width divided by 8 (the latent and the image keep theirs): fast, same code paths.
void narrow(gad::nn::architecture& a) {
  const auto divide = [](std::vector<gad::nn::layer_spec>& layers, bool keep_last) {
    for (std::size_t i = 0; i + (keep_last ? 1 : 0) < layers.size(); ++i) layers[i].out /= 8;
  };
  divide(a.encoder, true);
  divide(a.generator, true);
  for (auto* l : {&a.dxz_x, &a.dxz_z, &a.dxz_joint, &a.dxx, &a.dzz}) divide(*l, false);
}

template <class Detector, class Options>
void run(const std::string& name, Options o, std::vector<std::string>& out) {
  const auto& data = gad_test::algan_fixture();
  o.runtime.seed = 1234;
  o.runtime.threads = 1;
  o.runtime.device = "cpu";
  o.batch_size = 16;  // 64 training images: 4 iterations per epoch
  o.epochs = static_cast<int>((kIterations + 3) / 4);
  Detector detector(o);
  recorder r;
  detector.fit(data.train, nullptr, r);
  for (const auto& row : r.rows) out.push_back(name + " " + row);
  const torch::Tensor scores =
      detector.decision_function(data.test.images).to(torch::kDouble).contiguous();
  const double* p = scores.data_ptr<double>();
  for (std::int64_t i = 0; i < scores.numel(); i += 10) {
    std::string row = name + " scores " + std::to_string(i);
    for (std::int64_t j = i; j < std::min<std::int64_t>(i + 10, scores.numel()); ++j) {
      row += " " + hex(p[j]);
    }
    out.push_back(row);
  }
}

std::vector<std::string> compute() {
  std::vector<std::string> out;
  gad::algan_options small;
  small.z_dim = 16;
  small.generator_hidden = {64, 128};
  small.discriminator_hidden = {128, 64};
  run<gad::algan<>>("algan<spectral,pseudo_anomaly>", small, out);
  gad::algan_options lean = small;
  lean.fused_d_forward = true;
  lean.reuse_d_step_fakes = true;
  run<gad::algan<>>("algan<spectral,pseudo_anomaly>+lean", lean, out);
  run<gad::algan<gad::norm::none, gad::shift::none>>("algan<none,none>", small, out);

  gad::bigan_options alad = gad::alad_mnist_options();
  narrow(alad.network);
  run<gad::alad<>>("alad<none,fm>", alad, out);
  run<gad::alad<gad::norm::spectral, gad::score::l1, gad::with_dzz>>("alad<spectral,l1,dzz>", alad,
                                                                     out);
  gad::bigan_options egbad = gad::egbad_mnist_options();
  narrow(egbad.network);
  run<gad::egbad<>>("egbad<fm>", egbad, out);
  return out;
}

// The numbers of a row, decoded, for a readable report of a difference.
std::vector<double> numbers(const std::string& row) {
  std::vector<double> v;
  std::istringstream s(row);
  std::string word;
  while (s >> word) {
    const auto eq = word.find('=');
    const std::string num = eq == std::string::npos ? word : word.substr(eq + 1);
    if (num.rfind("0x", 0) == 0 || num.rfind("-0x", 0) == 0)
      v.push_back(std::strtod(num.c_str(), nullptr));
  }
  return v;
}

double largest_relative_difference(const std::vector<std::string>& a,
                                   const std::vector<std::string>& b) {
  double worst = 0.0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    const auto x = numbers(a[i]);
    const auto y = numbers(b[i]);
    for (std::size_t k = 0; k < std::min(x.size(), y.size()); ++k) {
      worst = std::max(worst, std::abs(x[k] - y[k]) / std::max(1.0, std::abs(y[k])));
    }
  }
  return worst;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 || (std::string(argv[1]) != "check" && std::string(argv[1]) != "record")) {
    std::cerr << "usage: golden_values check|record FILE\n";
    return 2;
  }
  const std::string mode = argv[1];
  const std::string path = argv[2];
  try {
    const std::string here = fingerprint();
    const std::vector<std::string> rows = compute();
    if (mode == "record") {
      std::ofstream f(path);
      f << "# written by tests/golden/golden_values.cpp (golden_values record); do not edit\n";
      f << "fingerprint " << here << "\n";
      for (const auto& r : rows) f << r << "\n";
      if (!f) throw std::runtime_error("cannot write " + path);
      std::cout << "recorded " << rows.size() << " rows in " << path << "\n";
      return 0;
    }
    std::ifstream f(path);
    if (!f) throw std::runtime_error("cannot read " + path);
    std::string line, recorded_on;
    std::vector<std::string> golden;
    while (std::getline(f, line)) {
      if (line.empty() || line[0] == '#') continue;
      if (line.rfind("fingerprint ", 0) == 0) {
        recorded_on = line.substr(12);
      } else {
        golden.push_back(line);
      }
    }
    if (recorded_on != here) {
      std::cout << "largest relative difference from the golden values here: "
                << largest_relative_difference(rows, golden) << "\n"
                << "SKIPPED: the golden values were recorded on (" << recorded_on
                << "); this machine is (" << here << "), where bits may differ\n";
      return 0;
    }
    std::size_t differences = 0;
    for (std::size_t i = 0; i < std::max(rows.size(), golden.size()); ++i) {
      const std::string got = i < rows.size() ? rows[i] : "(missing)";
      const std::string want = i < golden.size() ? golden[i] : "(missing)";
      if (got == want) continue;
      if (++differences <= 5) std::cout << "golden: " << want << "\n   now: " << got << "\n";
    }
    if (differences > 0) {
      std::cout << differences << " of " << golden.size()
                << " golden rows differ; largest relative difference "
                << largest_relative_difference(rows, golden) << "\n";
      return 1;
    }
    std::cout << "all " << golden.size() << " golden rows are bit-identical\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "golden_values: " << e.what() << "\n";
    return 1;
  }
}
