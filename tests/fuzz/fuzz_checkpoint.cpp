// libFuzzer target for the model and checkpoint reader: arbitrary bytes as a model file, read
// by inspect_checkpoint and loaded into a tiny ALGAN detector. The reader must load the file or
// throw gad::checkpoint_error; a crash (in gad or in LibTorch, which gad must never hand bytes
// it cannot parse safely), a sanitizer report or another exception is a bug.
//
// With GAD_FUZZ_WRITE_SEEDS=<folder> the target writes its seeds instead (a fitted model and a
// resumable checkpoint of that detector) and exits; scripts/fuzz.sh makes its corpus this way.
#include <gad/algan.hpp>
#include <gad/core/error.hpp>
#include <gad/io/checkpoint.hpp>
#include <gad/train/checkpoints.hpp>

#include <torch/torch.h>

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

gad::algan_options tiny() {
  gad::algan_options o;
  o.height = 4;
  o.width = 4;
  o.z_dim = 4;
  o.generator_hidden = {8, 8};
  o.discriminator_hidden = {8, 8};
  o.batch_size = 8;
  o.epochs = 2;
  o.runtime = gad::runtime_options{1, 1, "cpu"};
  return o;
}

void write_seeds(const std::filesystem::path& folder) {
  std::filesystem::create_directories(folder);
  gad::data::dataset train;
  train.images = torch::rand({32, 1, 4, 4}) * 2 - 1;
  train.labels = torch::zeros({32}, torch::kLong);
  gad::algan<> d(tiny());
  d.fit(train, nullptr, gad::train::checkpoint_every{folder / "checkpoint.gad", 1});
  d.save(folder / "model.gad");
}

const std::string& scratch_file() {
  static const std::string path = [] {
    const char* shm = "/dev/shm";
    const std::string dir = std::filesystem::is_directory(shm) ? shm : "/tmp";
    return dir + "/gad-fuzz-checkpoint-" + std::to_string(::getpid()) + ".gad";
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* seeds = std::getenv("GAD_FUZZ_WRITE_SEEDS")) {
    write_seeds(seeds);
    std::exit(0);
  }
  torch::set_num_threads(1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = scratch_file();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    (void)gad::inspect_checkpoint(path);
  } catch (const gad::checkpoint_error&) {
  }
  try {
    gad::algan<> d(tiny());
    d.load(path);
    // A file that loads must score: touch every weight.
    if (d.is_fitted()) (void)d.decision_function(torch::zeros({1, 1, 4, 4}));
  } catch (const gad::checkpoint_error&) {
  }
  return 0;
}
