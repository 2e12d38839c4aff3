// The one file that includes <xxhash.h>: every other part of dupstrip hashes through
// detail::xxh3_64, so swapping or vendoring the hash is a change to this file only.
#include "dupstrip/hash.hpp"

#include <xxhash.h>

namespace dupstrip::detail {

std::uint64_t xxh3_64(const void* data, std::size_t len, std::uint64_t seed) noexcept {
  return seed == 0 ? XXH3_64bits(data, len) : XXH3_64bits_withSeed(data, len, seed);
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
