// Internal: mix64 (hash.hpp) over whole arrays, the finaliser of every shingle hash and the one
// hash of one-permutation MinHash. On x86-64 processors with AVX-512 (F and DQ: 64-bit vector
// multiplies) eight values are mixed at once; elsewhere one at a time. Both give the same bits.
#pragma once

#include <cstddef>
#include <cstdint>

namespace dupstrip::detail {

/// p[i] = mix64(p[i] ^ salt) for i in [0, n).
void mix64_xor_all(std::uint64_t* p, std::size_t n, std::uint64_t salt) noexcept;

/// out[i] = mix64(in[i] ^ salt) for i in [0, n); `out` may be `in`.
void mix64_xor_into(const std::uint64_t* in, std::uint64_t* out, std::size_t n, std::uint64_t salt) noexcept;

}  // namespace dupstrip::detail
