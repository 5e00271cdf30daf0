// Speed of every policy combination the library offers, at the reference batch sizes and
// network shapes: one training iteration, and scoring throughput.
//
//   build/benchmarks/bench_detectors                               # all, console table
//   build/benchmarks/bench_detectors --benchmark_format=json       # for scripts
//   GAD_BENCH_THREADS=1 build/benchmarks/bench_detectors --benchmark_filter=algan
//
// A training iteration is timed between two consecutive on_iteration_end callbacks of a real
// fit(), so it is exactly what fit() does per iteration (D steps, G step, buffers, bookkeeping)
// and excludes network construction. The data are random images in [-1, 1]: speed does not
// depend on their content. peak_rss_MiB is the process's high-water mark so far; run one
// benchmark per process (benchmarks/memory.sh) to read it per configuration.
#include <gad/alad.hpp>
#include <gad/algan.hpp>
#include <gad/egbad.hpp>

#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <sys/resource.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

int bench_threads() {
  const char* t = std::getenv("GAD_BENCH_THREADS");
  return t ? std::atoi(t) : 0;  // 0 = every hardware thread
}

gad::runtime_options runtime() {
  gad::runtime_options r;
  r.seed = 1;
  r.threads = bench_threads();
  r.device = "auto";
  return r;
}

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

gad::data::dataset random_images(std::int64_t n, std::vector<std::int64_t> shape) {
  shape.insert(shape.begin(), n);
  auto gen = gad::make_generator(99, "bench/data");
  gad::data::dataset d;
  d.images = torch::rand(shape, gen) * 2 - 1;
  d.labels = torch::zeros({n}, torch::kLong);
  return d;
}

// Records when each training iteration ended.
struct iteration_clock {
  std::vector<clock_type::time_point>* ends;
  void on_iteration_end(const gad::train::iteration_info&) { ends->push_back(clock_type::now()); }
};

// Times one steady-state iteration per benchmark iteration: fits two epochs of two batches and
// reports the last iteration's duration. It is an iteration of the second epoch, where ALGAN
// also trains on its replay buffers, as in every epoch of a run but the first.
// Returns the total timed seconds, for rates over the timed iterations only.
template <class Detector, class Options>
double time_training(benchmark::State& state, Options options, std::int64_t batch) {
  const gad::data::dataset data = random_images(2 * batch, {1, 28, 28});
  options.epochs = 2;
  options.batch_size = batch;
  options.runtime = runtime();
  Detector detector(options);
  std::vector<clock_type::time_point> ends;
  double timed = 0.0;
  // One untimed fit first: the first in a process pays for allocator and thread-pool warm-up
  // (10x slower here), which is not what a long training run sees.
  detector.fit(data);
  for (auto _ : state) {
    ends.clear();
    detector.fit(data, nullptr, iteration_clock{&ends});
    const auto n = ends.size();
    const double seconds = std::chrono::duration<double>(ends[n - 1] - ends[n - 2]).count();
    state.SetIterationTime(seconds);
    timed += seconds;
  }
  state.counters["batch"] = static_cast<double>(batch);
  state.counters["threads"] = detector.threads();
  state.counters["peak_rss_MiB"] = peak_rss_mib();
  state.SetItemsProcessed(state.iterations() * batch);
  state.SetLabel(detector.device().str());
  return timed;
}

// Floating-point operations of the matrix products in one ALGAN iteration of epoch >= 1 (two
// per multiply-add; element-wise work and spectral norm's matrix-vector products are left out,
// they are a few per cent). Backward passes compute weight gradients and, except below a
// network's first layer where the input needs none, input gradients.
double algan_iteration_flops(const gad::algan_options& o, bool pseudo_anomalies) {
  const double b = static_cast<double>(o.batch_size);
  std::vector<std::int64_t> d{o.image_numel()}, g{o.z_dim};
  d.insert(d.end(), o.discriminator_hidden.begin(), o.discriminator_hidden.end());
  d.push_back(1);
  g.insert(g.end(), o.generator_hidden.begin(), o.generator_hidden.end());
  g.push_back(o.image_numel());
  const auto products = [b](const std::vector<std::int64_t>& w, std::size_t from) {
    double sum = 0.0;
    for (std::size_t i = from; i + 1 < w.size(); ++i) sum += 2.0 * b * w[i] * w[i + 1];
    return sum;
  };
  const double d_fwd = products(d, 0), d_in = products(d, 1);
  const double g_fwd = products(g, 0), g_in = products(g, 1);
  // D step: one D call per image group (real, fake-normal, and with pseudo-anomalies the fresh
  // and the two buffered groups), each with forward, weight and input gradients.
  const int groups = pseudo_anomalies ? 5 : 2;
  const double d_step = groups * (2 * d_fwd + d_in);
  // G makes the fake groups without gradients, in every D step or, reusing them, in the first.
  const double fakes = (pseudo_anomalies ? 2 : 1) * g_fwd;
  const int fake_rounds = o.reuse_d_step_fakes ? 1 : o.discriminator_steps;
  // G step: G and D forward, D input gradients down to the image, G weight and input gradients.
  const double g_step = g_fwd + d_fwd + d_fwd + g_fwd + g_in;
  return o.discriminator_steps * d_step + fake_rounds * fakes + g_step;
}

// The matrix products of ALGAN's layers alone, back to back: the rate the training loop could
// reach at best on this machine with these shapes, in float32 or in bfloat16.
void mm_peak(benchmark::State& state, torch::Dtype dtype) {
  const gad::algan_options o;
  const std::int64_t b = o.batch_size;
  std::vector<std::pair<torch::Tensor, torch::Tensor>> pairs;
  double flops = 0.0;
  for (const auto& widths : {std::vector<std::int64_t>{784, 1024, 512, 1},
                             std::vector<std::int64_t>{100, 512, 1024, 784}}) {
    for (std::size_t i = 0; i + 1 < widths.size(); ++i) {
      pairs.emplace_back(torch::randn({b, widths[i]}).to(dtype),
                         torch::randn({widths[i], widths[i + 1]}).to(dtype));
      flops += 2.0 * b * widths[i] * widths[i + 1];
    }
  }
  torch::set_num_threads(runtime().threads > 0
                             ? runtime().threads
                             : static_cast<int>(std::thread::hardware_concurrency()));
  for (const auto& [a, w] : pairs) benchmark::DoNotOptimize(torch::mm(a, w).data_ptr());
  double timed = 0.0;
  for (auto _ : state) {
    const auto start = clock_type::now();
    for (const auto& [a, w] : pairs) benchmark::DoNotOptimize(torch::mm(a, w).data_ptr());
    const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
    state.SetIterationTime(seconds);
    timed += seconds;
  }
  state.counters["GFLOPS"] = flops * static_cast<double>(state.iterations()) / timed / 1e9;
  state.counters["threads"] = torch::get_num_threads();
}

// Scores `n` samples per benchmark iteration with a detector fitted for one iteration.
template <class Detector, class Options>
void time_scoring(benchmark::State& state, Options options, const gad::data::dataset& data,
                  std::int64_t batch) {
  options.epochs = 1;
  options.batch_size = batch;
  options.runtime = runtime();
  Detector detector(options);
  detector.fit(gad::data::subset(data, torch::arange(batch)));
  const torch::Tensor x = data.images;
  (void)detector.decision_function(x);  // warm-up, as above
  for (auto _ : state) {
    benchmark::DoNotOptimize(detector.decision_function(x).template data_ptr<float>());
  }
  state.counters["threads"] = detector.threads();
  state.counters["peak_rss_MiB"] = peak_rss_mib();
  state.SetItemsProcessed(state.iterations() * x.size(0));
  state.SetLabel(detector.device().str());
}

// ---- ALGAN: MLP on 28x28, batch 512 -------------------------------------------------------

// Scoring sets: two of the reference's scoring batches each.
const gad::data::dataset& algan_data() {
  static const gad::data::dataset d = random_images(2 * 1024, {1, 28, 28});
  return d;
}

// The loop variants: the reference's, one D call per D step, and that plus one set of fakes
// per iteration (the least work the algorithm needs).
enum class algan_loop { reference, fused, lean };

template <class Detector>
void algan_train(benchmark::State& state, algan_loop loop,
                 gad::precision precision = gad::precision::float32) {
  gad::algan_options o;
  o.fused_d_forward = loop != algan_loop::reference;
  o.reuse_d_step_fakes = loop == algan_loop::lean;
  o.compute_precision = precision;
  const double timed = time_training<Detector>(state, o, 512);
  state.counters["GFLOPS"] = algan_iteration_flops(o, Detector::pseudo_anomalies) *
                             static_cast<double>(state.iterations()) / timed / 1e9;
}

template <class Detector>
void algan_score(benchmark::State& state, gad::precision precision = gad::precision::float32) {
  gad::algan_options o;
  o.compute_precision = precision;
  time_scoring<Detector>(state, o, algan_data(), 512);
}

// ---- ALAD / EGBAD: the MNIST conv nets, batch 32 (ALAD) and 100 (EGBAD) --------------------

const gad::data::dataset& bigan_data() {
  static const gad::data::dataset d = random_images(2 * 256, {1, 28, 28});
  return d;
}

gad::bigan_options alad_options(gad::precision precision) {
  gad::bigan_options o = gad::alad_mnist_options();
  o.compute_precision = precision;
  return o;
}

template <class Detector>
void alad_train(benchmark::State& state, gad::precision precision) {
  time_training<Detector>(state, alad_options(precision), 32);
}

template <class Detector>
void alad_score(benchmark::State& state, gad::precision precision) {
  time_scoring<Detector>(state, alad_options(precision), bigan_data(), 32);
}

void egbad_train(benchmark::State& state) {
  time_training<gad::egbad<>>(state, gad::egbad_mnist_options(), 100);
}

void egbad_score(benchmark::State& state) {
  time_scoring<gad::egbad<>>(state, gad::egbad_mnist_options(), bigan_data(), 100);
}

using gad::norm::none;
using gad::norm::spectral;

// Names read "<family>_<what>/<policies>"; --benchmark_filter=train or =alad selects groups.
void register_all() {
  const auto add = [](const std::string& name, void (*fn)(benchmark::State&), bool manual) {
    auto* b = benchmark::RegisterBenchmark(name.c_str(), fn)->Unit(benchmark::kMillisecond);
    if (manual) b->UseManualTime();
  };
  add(
      "algan_train/spectral",
      [](benchmark::State& s) { algan_train<gad::algan<spectral>>(s, algan_loop::reference); },
      true);
  add(
      "algan_train/spectral_fused",
      [](benchmark::State& s) { algan_train<gad::algan<spectral>>(s, algan_loop::fused); }, true);
  add(
      "algan_train/spectral_lean",
      [](benchmark::State& s) { algan_train<gad::algan<spectral>>(s, algan_loop::lean); }, true);
  add(
      "algan_train/spectral_bf16",
      [](benchmark::State& s) {
        algan_train<gad::algan<spectral>>(s, algan_loop::reference, gad::precision::bfloat16);
      },
      true);
  add(
      "algan_train/spectral_lean_bf16",
      [](benchmark::State& s) {
        algan_train<gad::algan<spectral>>(s, algan_loop::lean, gad::precision::bfloat16);
      },
      true);
  add(
      "algan_train/none",
      [](benchmark::State& s) { algan_train<gad::algan<none>>(s, algan_loop::reference); }, true);
  add(
      "algan_train/spectral_plain_gan",
      [](benchmark::State& s) {
        algan_train<gad::algan<spectral, gad::shift::none>>(s, algan_loop::reference);
      },
      true);
  using gad::precision;
  using alad_dzz = gad::alad<none, gad::score::fm, gad::with_dzz>;
  add(
      "alad_train/none",
      [](benchmark::State& s) { alad_train<gad::alad<none>>(s, precision::float32); }, true);
  add(
      "alad_train/spectral",
      [](benchmark::State& s) { alad_train<gad::alad<spectral>>(s, precision::float32); }, true);
  add(
      "alad_train/none_dzz",
      [](benchmark::State& s) { alad_train<alad_dzz>(s, precision::float32); }, true);
  add(
      "alad_train/none_dzz_bf16",
      [](benchmark::State& s) { alad_train<alad_dzz>(s, precision::bfloat16); }, true);
  add(
      "alad_train/spectral_dzz",
      [](benchmark::State& s) {
        alad_train<gad::alad<spectral, gad::score::fm, gad::with_dzz>>(s, precision::float32);
      },
      true);
  add("egbad_train/none", egbad_train, true);
  add(
      "mm_peak/algan_shapes", [](benchmark::State& s) { mm_peak(s, torch::kFloat); }, true);
  add(
      "mm_peak/algan_shapes_bf16", [](benchmark::State& s) { mm_peak(s, torch::kBFloat16); }, true);
  add(
      "algan_score/spectral", [](benchmark::State& s) { algan_score<gad::algan<spectral>>(s); },
      false);
  add(
      "algan_score/spectral_bf16",
      [](benchmark::State& s) { algan_score<gad::algan<spectral>>(s, gad::precision::bfloat16); },
      false);
  add(
      "algan_score/none", [](benchmark::State& s) { algan_score<gad::algan<none>>(s); }, false);
  add(
      "alad_score/none_fm",
      [](benchmark::State& s) { alad_score<gad::alad<none>>(s, precision::float32); }, false);
  add(
      "alad_score/none_fm_bf16",
      [](benchmark::State& s) { alad_score<gad::alad<none>>(s, precision::bfloat16); }, false);
  add(
      "alad_score/spectral_l1",
      [](benchmark::State& s) {
        alad_score<gad::alad<spectral, gad::score::l1>>(s, precision::float32);
      },
      false);
  add("egbad_score/none_fm", egbad_score, false);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  // Threads and device go into the report's context, so a saved JSON says where it ran.
  gad::algan<> probe([] {
    gad::algan_options o;
    o.runtime = runtime();
    return o;
  }());
  benchmark::AddCustomContext("gad_threads", std::to_string(probe.threads()));
  benchmark::AddCustomContext("gad_device", probe.device().str());
  benchmark::AddCustomContext("torch_version", std::to_string(TORCH_VERSION_MAJOR) + "." +
                                                   std::to_string(TORCH_VERSION_MINOR) + "." +
                                                   std::to_string(TORCH_VERSION_PATCH));
  // Denormal floats are slow on x86; this shows how much a configuration suffers from them.
  if (std::getenv("GAD_BENCH_FLUSH_DENORMAL")) at::globalContext().setFlushDenormal(true);
  register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
