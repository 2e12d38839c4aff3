// With hash_inline.hpp, the only files that include <xxhash.h>: every other part of dupstrip
// hashes through detail::xxh3_64, so swapping or vendoring the hash is a change to these two.
#include "dupstrip/hash.hpp"

// Compiled in (the header's documented inline mode): tokens are a few bytes long, and a call
// through the shared library's PLT into XXH3's size dispatcher cost about as much as the
// hashing (fingerprint chain 259 -> 292 MB/s). Same functions, same values.
#include "dupstrip/hash_inline.hpp"

namespace dupstrip::detail {

std::uint64_t xxh3_64(const void* data, std::size_t len, std::uint64_t seed) noexcept {
  return xxh3_64_inline(data, len, seed);
}

}  // namespace dupstrip::detail

#include "dupstrip/info.hpp"
#include "dupstrip/version.hpp"

#include <fmt/format.h>

namespace dupstrip {

std::string library_version() { return DUPSTRIP_VERSION_STRING; }

std::string dependency_versions() {
  return fmt::format("xxhash {}.{}.{}, fmt {}.{}.{}", XXH_VERSION_MAJOR, XXH_VERSION_MINOR, XXH_VERSION_RELEASE,
                     FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100);
}

}  // namespace dupstrip
