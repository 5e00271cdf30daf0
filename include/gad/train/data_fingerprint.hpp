#pragma once
// A short fingerprint of the tensors a fit trains and validates on, stored in checkpoints so
// that resume() can tell when it is handed other data of the same size (another class, another
// split seed, another file), which would otherwise continue silently on the wrong images.
#include <torch/types.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

namespace gad::train {

/// Accumulates tensors (dtype, shape and bytes, as given) into a 64-bit hash (FNV-1a over
/// words, with a shift so that high bits reach the low ones). Not a
/// cryptographic hash: it guards against mistakes, not against someone forging data.
class data_fingerprint {
 public:
  data_fingerprint& add(const torch::Tensor& t) {
    if (!t.defined()) {
      mix_word(0x75'6e'64'65'66ULL);  // "undef": an absent tensor differs from an empty one
      return *this;
    }
    mix_word(static_cast<std::uint64_t>(t.scalar_type()));
    mix_word(static_cast<std::uint64_t>(t.dim()));
    for (const std::int64_t s : t.sizes()) mix_word(static_cast<std::uint64_t>(s));
    const torch::Tensor c = t.to(torch::kCPU).contiguous();
    mix_bytes(static_cast<const unsigned char*>(c.data_ptr()), c.nbytes());
    return *this;
  }

  /// 16 hexadecimal digits.
  std::string hex() const {
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash_));
    return text;
  }

 private:
  static constexpr std::uint64_t prime = 0x100000001b3ULL;

  void mix_word(std::uint64_t w) {
    hash_ ^= w;
    hash_ *= prime;
    hash_ ^= hash_ >> 32;  // the product alone never carries high bits down
  }
  // Eight bytes per step: a data set of some tens of megabytes costs milliseconds.
  void mix_bytes(const unsigned char* p, std::size_t n) {
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      mix_word(w);
    }
    std::uint64_t tail = 0;
    if (n > i) std::memcpy(&tail, p + i, n - i);
    mix_word(tail ^ (static_cast<std::uint64_t>(n - i) << 56));
  }

  std::uint64_t hash_ = 0xcbf29ce484222325ULL;
};

}  // namespace gad::train
