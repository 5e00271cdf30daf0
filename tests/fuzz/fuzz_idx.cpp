// libFuzzer target for the IDX reader: arbitrary bytes, raw or gzip (the reader detects
// compression from the content), read as an image file and as a label file. The reader may
// accept the bytes or throw gad::data_error; anything else — a crash, a sanitizer report,
// another exception, an allocation beyond the fuzzer's limit — is a bug.
#include <gad/core/error.hpp>
#include <gad/data/idx.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

namespace {

// The reader takes a path, so each input goes through one scratch file per process.
const std::string& scratch_path() {
  static const std::string path = [] {
    const char* dir = std::getenv("TMPDIR");
    return std::string(dir ? dir : "/tmp") + "/gad_fuzz_idx_" + std::to_string(::getpid());
  }();
  return path;
}

template <class Read>
void read_or_reject(Read read) {
  try {
    const torch::Tensor t = read(scratch_path());
    // Touch the payload so that a tensor over a wrong-sized buffer would be caught.
    if (t.numel() > 0) (void)t.sum().item<std::int64_t>();
  } catch (const gad::data_error&) {
    // Rejected with a message: the expected outcome for malformed input.
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::FILE* f = std::fopen(scratch_path().c_str(), "wb");
  if (!f) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  read_or_reject([](const std::string& p) { return gad::data::read_idx_images(p); });
  read_or_reject([](const std::string& p) { return gad::data::read_idx_labels(p); });
  return 0;
}
