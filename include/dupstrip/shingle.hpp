/// @file shingle.hpp
/// @brief k-token shingles hashed with a rolling hash over 64-bit XXH3 token hashes.
#pragma once

#include <dupstrip/export.hpp>

#include <cstdint>
#include <span>
#include <vector>

namespace dupstrip {

/// Shingle options.
struct shingle_options {
  std::uint32_t size = 5;  ///< tokens per shingle (words, or characters for CJK); >= 1
  /// Throws config_error when size is 0 or larger than 64.
  void validate() const;
};

/// Appends to `out` the hash of every window of `k` consecutive token hashes (n-k+1 values for
/// n >= k tokens; for 0 < n < k, one value: the hash of the whole, shorter sequence; nothing
/// for n == 0). One pass, O(1) per shingle: a polynomial rolling hash mod 2^64 over the token
/// hashes, finalised by a 64-bit avalanche mix (doc/algorithm.md gives the constants).
/// @pre k >= 1.
DUPSTRIP_EXPORT void shingle_hashes(std::span<const std::uint64_t> token_hashes, std::uint32_t k,
                                    std::vector<std::uint64_t>& out);

/// From-scratch hash of one window (the oracle for the rolling hash; equal to the value that
/// shingle_hashes() produces for that window).
[[nodiscard]] DUPSTRIP_EXPORT std::uint64_t shingle_hash(
    std::span<const std::uint64_t> window) noexcept;

}  // namespace dupstrip
