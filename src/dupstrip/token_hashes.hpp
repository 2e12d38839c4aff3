// Internal: the tokenizer's hashes without its token records, for the per-line fingerprints of
// the scan and content steps (boilerplate.cpp), which read nothing else of a token.
#pragma once
#include "dupstrip/text.hpp"

#include <cstdint>
#include <string_view>
#include <vector>

namespace dupstrip::detail {

/// The token hashes of `text` (tokenize()'s, in order) appended to `hashes`; with `masked`,
/// also the digit-masked sequence: a word holding an ASCII digit reads as `number_token`, a
/// run of such words as one.
void tokenize_hashes(std::string_view text, const normalize_options& options, utf8_policy policy,
                     std::vector<std::uint64_t>& hashes, std::vector<std::uint64_t>* masked,
                     std::uint64_t number_token);

}  // namespace dupstrip::detail
