// libFuzzer target for the IDX reader: arbitrary bytes, raw or gzip (the reader detects
// compression from the content), read as images and as labels, from a seekable stream and from
// one that cannot seek (like a pipe), which the reader bounds differently. The reader must return
// a well-formed tensor or throw gad::data_error; anything else — a crash, a sanitizer report,
// another exception, an allocation past -malloc_limit_mb — is a bug.
#include <gad/core/error.hpp>
#include <gad/data/idx.hpp>

#include <torch/types.h>

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <streambuf>
#include <string>

namespace {

// A stream buffer without seeking.
class forward_only : public std::streambuf {
 public:
  explicit forward_only(const std::string& bytes) : data_(bytes) {
    setg(data_.data(), data_.data(), data_.data() + data_.size());
  }

 private:
  std::string data_;
};

template <class Read>
torch::Tensor from_stream(const std::string& bytes, bool seekable, Read read) {
  if (seekable) {
    std::istringstream in(bytes);
    return read(in);
  }
  forward_only buffer(bytes);
  std::istream in(&buffer);
  return read(in);
}

template <class Read, class Check>
void tensor_or_data_error(Read read, Check well_formed) {
  torch::Tensor t;
  try {
    t = read();
  } catch (const gad::data_error&) {
    return;  // rejected with a message: the expected outcome for malformed input
  }
  // Summing touches every element, so a tensor over a wrong-sized buffer is caught by ASan.
  if (!well_formed(t) || t.sum().item<std::int64_t>() < 0) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const auto images = [](std::istream& in) { return gad::data::read_idx_images(in, "fuzz"); };
  const auto labels = [](std::istream& in) { return gad::data::read_idx_labels(in, "fuzz"); };
  const auto images_ok = [](const torch::Tensor& t) {
    return t.scalar_type() == torch::kUInt8 && t.dim() == 4 && t.size(0) > 0 && t.size(1) == 1;
  };
  const auto labels_ok = [](const torch::Tensor& t) {
    return t.scalar_type() == torch::kInt64 && t.dim() == 1 && t.size(0) > 0;
  };
  for (const bool seekable : {true, false}) {
    tensor_or_data_error([&] { return from_stream(bytes, seekable, images); }, images_ok);
    tensor_or_data_error([&] { return from_stream(bytes, seekable, labels); }, labels_ok);
  }
  return 0;
}
