// XXH3 compiled into the caller, for the hottest call sites: hashing a token of a few bytes
// costs about as much as a call into XXH3's size dispatcher. Include it only from .cpp files
// of the library (it pulls <xxhash.h> in); everything else uses detail::xxh3_64 (hash.hpp),
// which computes the same values.
#pragma once

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <cstddef>
#include <cstdint>

namespace dupstrip::detail {

[[gnu::always_inline]] inline std::uint64_t xxh3_64_inline(const void* data, std::size_t len,
                                                            std::uint64_t seed) noexcept {
  return seed == 0 ? XXH3_64bits(data, len) : XXH3_64bits_withSeed(data, len, seed);
}

}  // namespace dupstrip::detail
