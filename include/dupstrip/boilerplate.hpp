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
  /// only a line with at least this share of its shingles seen in earlier lines (pooled) is
  /// compared with single earlier lines; a cheap gate, since a near-exact copy of one line has
  /// >= 0.8 of them
  double coverage = 0.5;
  std::uint32_t shingle_size = 4;  ///< word shingles (characters for CJK) used to compare lines
  std::uint32_t max_gap = 2;       ///< unmatched lines allowed inside a run (a changed title, an edit)
};

/// A run of lines [first, last] that repeats earlier text of the same document.
struct repeated_run {
  std::uint32_t first;
  std::uint32_t last;
  std::uint32_t repeated_tokens;
};

/// Finds second printings of a passage (doc/algorithm.md, "Repeated runs inside a document"):
/// a line "repeats" when it is a near-exact copy of ONE earlier line (mutual shingle
/// containment >= 0.8, at most one differing token per 25 tokens); consecutive repeating lines
/// that follow their sources in order (blank lines and up to `max_gap` short unmatched lines in
/// between) form a run; runs of fewer than 2 repeating lines or `min_tokens` repeated tokens are
/// legitimate repeats (a "Q:" line, a separator, a chorus, a pull quote) and are not returned.
/// Lines that share words but differ in key words (spec lists, table rows, a poll listed twice)
/// do not repeat. The first copy is never part of a run, except a flattened copy: a line of
/// `min_tokens`+ tokens made of >= 2 other lines of the page is returned as a run of its own,
/// and the lines with the article's structure stay.
[[nodiscard]] DUPSTRIP_EXPORT std::vector<repeated_run> find_repeated_runs(
    std::string_view bytes, const std::vector<line_span>& lines, const repeat_options& options = {},
    utf8_policy policy = utf8_policy::replace);

}  // namespace dupstrip
