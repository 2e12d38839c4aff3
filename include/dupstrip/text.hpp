/// @file text.hpp
/// @brief UTF-8 validation and repair, normalisation for hashing, and tokenisation.
///
/// Normalisation is only ever applied to what is hashed, never to what is written: the output
/// of dupstrip is always the input's own bytes. The exact rules are normative and written down
/// in doc/algorithm.md ("Normalisation" and "Tokens"); changing them changes every signature, so
/// bump `signature_format_version` when they change.
#pragma once

#include <dupstrip/export.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dupstrip {

/// What to do with bytes that are not valid UTF-8 (STYLE.md §4).
enum class utf8_policy : std::uint8_t {
  replace,  ///< default: treat each maximal invalid subpart as U+FFFD and count it
  strict,   ///< the caller skips the document with errc::invalid_utf8 (tokenize acts as replace)
  bytes     ///< every invalid byte becomes a one-byte token of its own
};

/// Result of a UTF-8 check.
struct utf8_status {
  bool valid = true;            ///< no invalid sequence at all
  std::size_t first_error = 0;  ///< byte offset of the first invalid sequence (when !valid)
  std::size_t error_count = 0;  ///< number of maximal invalid subparts (U+FFFD under replace)
};

/// Validates UTF-8: rejects overlong forms, surrogates (U+D800..U+DFFF), values above U+10FFFF,
/// truncated and stray continuation bytes. Counts maximal invalid subparts the way the Unicode
/// standard ("U+FFFD substitution of maximal subparts") does.
/// @complexity O(n), no allocation; an ASCII fast path handles 8 bytes at a time.
/// @threadsafety pure function.
[[nodiscard]] DUPSTRIP_EXPORT utf8_status check_utf8(std::string_view bytes) noexcept;

/// True when `bytes` is entirely valid UTF-8 (same rules as check_utf8).
[[nodiscard]] DUPSTRIP_EXPORT bool is_valid_utf8(std::string_view bytes) noexcept;

/// Returns `bytes` with each maximal invalid subpart replaced by U+FFFD (EF BF BD).
[[nodiscard]] DUPSTRIP_EXPORT std::string repair_utf8(std::string_view bytes);

/// Normalisation applied before hashing (doc/algorithm.md).
struct normalize_options {
  bool case_fold = true;         ///< simple case folding: ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic
  bool fold_punctuation = true;  ///< curly quotes -> straight, dashes -> '-', inside tokens
  bool mask_digits = false;      ///< a token with a digit becomes "#"; a run of such tokens becomes one "#"
};

/// Kind of a token.
enum class token_kind : std::uint8_t {
  word,       ///< a run of letters, digits and marks of a space-delimited script
  character,  ///< one character of a script written without spaces (Han, Kana, Hangul, Thai...)
  number,     ///< a masked number (only with mask_digits)
  raw_byte    ///< an invalid byte under utf8_policy::bytes
};

/// One token: the hash of its normalised form and its byte range in the tokenised text.
struct token {
  std::uint64_t hash;   ///< token_hash() of the normalised token text
  std::uint32_t begin;  ///< first byte, relative to the start of the tokenised text
  std::uint32_t end;    ///< one past the last byte
  token_kind kind;
  bool ascii_digit = false;  ///< the token's text holds an ASCII digit 0-9 (words and numbers)
};

/// Hash of one normalised token: XXH3-64 of its UTF-8 bytes with seed 0. Stable across
/// platforms and versions (pinned by tests/golden).
[[nodiscard]] DUPSTRIP_EXPORT std::uint64_t token_hash(std::string_view normalized_token) noexcept;

/// Splits `text` into tokens and appends them to `out` (which is not cleared).
/// Words are maximal runs of letters, digits, combining marks and in-word apostrophes/hyphens of
/// space-delimited scripts; each character of Han, Hiragana, Katakana, Hangul, Thai, Lao,
/// Khmer and Myanmar is a token of its own; everything else (white space, punctuation, symbols)
/// separates tokens. Mixed text is handled character by character.
/// @pre text.size() < 2^32.
/// @complexity O(n); no allocation per token beyond `out`'s growth.
DUPSTRIP_EXPORT void tokenize(std::string_view text, const normalize_options& options,
                              std::vector<token>& out, utf8_policy policy = utf8_policy::replace);

/// The normalised text: the normalised form of every token, joined by single spaces. What the
/// token hashes are computed from; meant for tests, debugging and `doc/algorithm.md` examples.
/// Under utf8_policy::bytes the invalid bytes appear as themselves, so the result is then not
/// necessarily valid UTF-8; under the other policies it always is.
[[nodiscard]] DUPSTRIP_EXPORT std::string normalize(std::string_view text,
                                                    const normalize_options& options,
                                                    utf8_policy policy = utf8_policy::replace);

}  // namespace dupstrip
