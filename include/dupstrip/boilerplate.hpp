/// @file boilerplate.hpp
/// @brief Per-document building blocks of boilerplate detection: line keys that survive
/// changing digits and embedded titles, and repeated runs inside one document.
///
/// The cross-corpus part (how often a key recurs over the near-duplicate clusters of a group)
/// needs the whole corpus and lives in the pipeline; these functions are what it is built on,
/// and are useful alone (e.g. to strip a body printed twice from one page).
#pragma once

#include <dupstrip/document.hpp>
#include <dupstrip/export.hpp>
#include <dupstrip/text.hpp>

#include <cstdint>
#include <string_view>
#include <vector>

namespace dupstrip {

/// Keys of one line for boilerplate counting.
struct line_key {
  std::uint32_t tokens = 0;       ///< tokens in the line (0: blank or punctuation only)
  std::uint64_t key = 0;          ///< hash of the digit-masked, case-folded token sequence
  /// When the line embeds another, shorter line of the same document (a title inside an
  /// attribution line), the key of the line with that part replaced by a placeholder; else 0.
  std::uint64_t masked_key = 0;
};

/// Computes line_key for every line of a document (doc/algorithm.md, "Line keys").
/// Lines that differ only in numbers ("© 2024", "© 2025", "12,345 readers") get equal keys;
/// "This story, "<title>", first appeared on X" gets a masked_key equal on every page.
[[nodiscard]] DUPSTRIP_EXPORT std::vector<line_key> compute_line_keys(
    std::string_view bytes, const std::vector<line_span>& lines,
    utf8_policy policy = utf8_policy::replace);

/// Options of find_repeated_runs().
struct repeat_options {
  std::uint32_t min_tokens = 40;   ///< a run must hold at least this many repeated tokens
  double coverage = 0.5;           ///< a line repeats when this share of its shingles occurred earlier
  std::uint32_t shingle_size = 4;  ///< word shingles (characters for CJK) used to compare lines
  std::uint32_t max_gap = 2;       ///< unmatched lines allowed inside a run (a changed title, an edit)
};

/// A run of lines [first, last] that repeats earlier text of the same document.
struct repeated_run {
  std::uint32_t first;
  std::uint32_t last;
  std::uint32_t repeated_tokens;
};

/// Finds the later copies of repeated text: a line "repeats" when at least `coverage` of its
/// shingles occurred in earlier lines; consecutive repeating lines (blank lines and up to
/// `max_gap` short unmatched lines in between) form a run; runs with fewer than `min_tokens`
/// repeated tokens are legitimate repeats (a "Q:" line, a separator, a short chorus) and are
/// not returned. The first copy is never part of a run.
[[nodiscard]] DUPSTRIP_EXPORT std::vector<repeated_run> find_repeated_runs(
    std::string_view bytes, const std::vector<line_span>& lines, const repeat_options& options = {},
    utf8_policy policy = utf8_policy::replace);

}  // namespace dupstrip
