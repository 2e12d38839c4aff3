/// @file info.hpp
/// @brief Versions of the compiled library and of the libraries it was built with.
#pragma once

#include <dupstrip/export.hpp>

#include <string>

namespace dupstrip {

/// Version of the compiled library ("0.1.0"); compare with header_version (version.hpp) when
/// linking a shared libdupstrip.
[[nodiscard]] DUPSTRIP_EXPORT std::string library_version();

/// Versions of the libraries used inside, e.g. "xxhash 0.8.1, fmt 9.1.0".
[[nodiscard]] DUPSTRIP_EXPORT std::string dependency_versions();

}  // namespace dupstrip
