#pragma once
// One seed drives every random stream in gad. Each consumer (weight init,
// shuffling, latent draws, replay buffers, splits) asks for a named stream and
// gets its own generator, so adding draws to one stream never shifts another.
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/core/Generator.h>

#include <cstdint>
#include <string_view>

namespace gad {

namespace detail {
// splitmix64: a cheap bijective mixer, enough to decorrelate derived seeds.
constexpr std::uint64_t splitmix64(std::uint64_t x) noexcept {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30U)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27U)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31U);
}

constexpr std::uint64_t fnv1a(std::string_view s) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}
}  // namespace detail

/// Seed of the stream called `name` derived from the master `seed`.
constexpr std::uint64_t derive_seed(std::uint64_t seed, std::string_view name) noexcept {
  return detail::splitmix64(seed ^ detail::splitmix64(detail::fnv1a(name)));
}

/// A CPU generator for the stream `name` of master seed `seed`.
/// CPU generators are used even for CUDA work (draw on CPU, then move) so that
/// a seed gives the same numbers on every device.
inline at::Generator make_generator(std::uint64_t seed, std::string_view name) {
  return at::make_generator<at::CPUGeneratorImpl>(derive_seed(seed, name));
}

/// A CPU generator seeded directly with `seed`.
inline at::Generator make_generator(std::uint64_t seed) {
  return at::make_generator<at::CPUGeneratorImpl>(seed);
}

}  // namespace gad
