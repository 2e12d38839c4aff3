// Constants and inline kernels of the shingle rolling hash (doc/algorithm.md, "Shingles").
// Private: shared by shingle.cpp and the tests, never installed.
#pragma once

#include "dupstrip/hash.hpp"

#include <cstddef>
#include <cstdint>

namespace dupstrip::detail {

/// Largest accepted shingle size (shingle_options::validate). The rolling hash itself works for
/// any k; the limit only rejects configurations that make no sense for near-duplicate detection.
inline constexpr std::uint32_t max_shingle_size = 64;

/// Base B of the polynomial H = sum t_i * B^(k-1-i) mod 2^64. It is xxHash's PRIME64_2: odd, so
/// multiplying by it (and by every power of it) is a bijection mod 2^64 and no token hash loses
/// bits; B = 3 (mod 4), so B - 1 has a single factor of two and swapping two tokens a, b only
/// collides when a = b (mod 2^63); its bits are dense, so every product depends on many bits.
inline constexpr std::uint64_t shingle_base = 0xC2B2AE3D27D4EB4FULL;

/// Length salt: the window value is mix64(H ^ (L * shingle_length_salt)) for a window of L
/// tokens. 0x9E37..7C15 = floor(2^64 / golden ratio), odd, so L -> L * salt is injective and
/// windows of different lengths (the n < k case) never share a pre-image.
inline constexpr std::uint64_t shingle_length_salt = 0x9E3779B97F4A7C15ULL;

/// B^e mod 2^64 by square-and-multiply.
constexpr std::uint64_t shingle_base_pow(std::uint64_t e) noexcept {
  std::uint64_t result = 1;
  std::uint64_t b = shingle_base;
  while (e != 0) {
    if ((e & 1U) != 0) result *= b;
    b *= b;
    e >>= 1U;
  }
  return result;
}

/// Final value of a window of `len` tokens whose polynomial value is `h`.
constexpr std::uint64_t shingle_finalise(std::uint64_t h, std::uint64_t len) noexcept {
  return mix64(h ^ (len * shingle_length_salt));
}

}  // namespace dupstrip::detail
