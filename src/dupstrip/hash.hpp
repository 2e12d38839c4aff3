// Internal hashing kernels. Only hash.cpp and hash_inline.hpp (for the token hash) include
// <xxhash.h>, so that the choice of hash stays a private detail of the library.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace dupstrip::detail {

/// XXH3-64 of `len` bytes at `data` with `seed`.
[[nodiscard]] std::uint64_t xxh3_64(const void* data, std::size_t len, std::uint64_t seed = 0) noexcept;

inline std::uint64_t xxh3_64(std::string_view s, std::uint64_t seed = 0) noexcept {
  return xxh3_64(s.data(), s.size(), seed);
}

/// 64-bit finaliser with full avalanche (the "moremur" constants of Pelle Evensen's
/// mixer study): every input bit flips every output bit with probability ~1/2.
constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
  x ^= x >> 27;
  x *= 0x3C79AC492BA7B653ULL;
  x ^= x >> 33;
  x *= 0x1C69B3F74AC4AE35ULL;
  x ^= x >> 27;
  return x;
}

/// splitmix64 step: the seed-derivation generator of doc/algorithm.md.
constexpr std::uint64_t splitmix64(std::uint64_t& state) noexcept {
  state += 0x9E3779B97F4A7C15ULL;
  std::uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace dupstrip::detail
