// Internal: template lines with a variable part ("Read more: <title>", "Posted by <name> on
// <date>", "Source: <agency>"), found by counting each line's fixed prefix and suffix over the
// pages of its site (doc/algorithm.md, "Template lines").
#pragma once

#include "dupstrip/engine.hpp"
#include "dupstrip/flat_set.hpp"

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace dupstrip::detail {

/// Lines of 4 .. template_max_tokens masked tokens have patterns: their first a and last b
/// tokens (a, b <= template_max_fixed, template_min_fixed <= a + b < n) when those carry at
/// least a third of the line (3 (a + b) >= n). A longer line is a sentence of its own,
/// whatever its opening; two fixed words around a headline's middle are a coincidence.
inline constexpr std::uint32_t template_max_tokens = 18;
inline constexpr std::uint32_t template_max_fixed = 3;
inline constexpr std::uint32_t template_min_fixed = 3;

/// Tokens of a label that opens `line` ("Read more:", "Posted by staff:"): the tokens before
/// a colon within its first 48 bytes when there are 2 or 3 of them, else 0.
std::uint8_t label_tokens(std::string_view line);

/// Sets l.head, l.tail and l.pattern_tokens from the line's masked token hashes and l.label.
void set_template_parts(const std::uint64_t* masked, std::uint32_t n, line_fp& l);

/// Appends to `out` the keys found exactly once in `keys` (sorted in place): a prefix, suffix
/// or pattern that recurs inside one page is that page's own structure (the rows of a table
/// of figures, a list of quoted posts), never counted as template evidence from that page.
void keep_once_per_document(std::vector<std::uint64_t>& keys, std::vector<std::uint64_t>& out);

/// Calls fn(a, b, key) for every pattern of the line, most fixed tokens first.
template <class Fn>
void for_each_pattern(const line_fp& l, Fn&& fn);

/// Counts patterns over the clusters of one group in two passes over its documents: first the
/// prefixes and suffixes alone, then the patterns whose parts are both frequent, with the
/// number of distinct lines (fillers) each pattern has.
class template_tally {
 public:
  explicit template_tally(std::uint32_t need) : need_(need) {}
  void next_cluster();
  /// Pass 1 (parts), then finish_parts(), then pass 2 (patterns), then finish().
  void add_parts(std::span<const line_fp> lines);
  void finish_parts();
  void add_patterns(std::span<const line_fp> lines);
  /// Pattern key -> clusters carrying it, for the patterns on at least `need` clusters with
  /// at least max(need, half their clusters) distinct lines; sorted by key. The tally is spent.
  [[nodiscard]] std::vector<std::pair<std::uint64_t, std::uint32_t>> finish();
  [[nodiscard]] bool any_frequent_part() const noexcept { return frequent_parts_ != 0; }

 private:
  void count_cluster();
  std::uint32_t need_;
  bool pass2_ = false;
  std::vector<std::uint64_t> cluster_keys_;
  std::vector<std::uint64_t> doc_keys_;
  flat_count64 counts_;                                           // key -> clusters carrying it
  flat_set64 parts_;                                              // frequent parts
  std::size_t frequent_parts_ = 0;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> fillers_;  // (pattern, line key), pass 2
  std::vector<std::pair<std::uint64_t, std::uint64_t>> doc_fillers_;  // add_patterns(), reused
};

/// Marks the template lines of one document against a finished tally's table: a line not yet
/// removed or decided (pages == 0, not repeat, not removed) gets pages and pattern from its
/// most specific pattern in the table, unless one of its patterns recurs inside this document
/// (the rows of a table share a label or a unit).
void mark_template_lines(std::vector<line_fp>& lines, const std::vector<std::pair<std::uint64_t, std::uint32_t>>& table);

/// The lines of a document that are not removed (what a second run would read).
std::vector<line_fp> present_lines(const std::vector<line_fp>& lines);

// ---- inline

std::uint64_t template_part_key(bool head, std::uint32_t len, std::uint32_t h) noexcept;
std::uint64_t template_pattern_key(std::uint32_t a, std::uint32_t b, std::uint32_t head, std::uint32_t tail) noexcept;

/// Calls fn(a, b) for every pattern shape of the line (a fixed tokens before, b after), in
/// for_each_pattern()'s order, without making the keys.
template <class Fn>
void for_each_pattern_shape(const line_fp& l, Fn&& fn) {
  const std::uint32_t n = l.pattern_tokens;
  if (n == 0) return;
  // A label before a colon is a pattern by itself, whatever the length of what follows it.
  const bool label_seen = l.label >= 2 && l.label < n && (l.label >= template_min_fixed && 3U * l.label >= n);
  for (std::uint32_t fixed = 2 * template_max_fixed; fixed >= template_min_fixed; --fixed) {
    if (fixed >= n || 3 * fixed < n) continue;
    for (std::uint32_t a = template_max_fixed + 1; a-- > 0;) {
      if (a > fixed) continue;
      const std::uint32_t b = fixed - a;
      if (b > template_max_fixed) continue;
      fn(a, b);
    }
  }
  if (l.label >= 2 && l.label < n && !label_seen) fn(std::uint32_t{l.label}, 0U);
}

/// The key of the line's pattern of shape (a, b).
inline std::uint64_t pattern_key_of(const line_fp& l, std::uint32_t a, std::uint32_t b) noexcept {
  return template_pattern_key(a, b, a == 0 ? 0 : l.head[a - 1], b == 0 ? 0 : l.tail[b - 1]);
}

template <class Fn>
void for_each_pattern(const line_fp& l, Fn&& fn) {
  for_each_pattern_shape(l, [&](std::uint32_t a, std::uint32_t b) { fn(a, b, pattern_key_of(l, a, b)); });
}

}  // namespace dupstrip::detail
