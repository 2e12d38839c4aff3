// Internal: what the merge's line decisions share (engine.cpp, line_decisions.cpp): the tables
// of keys with their pages and the constants of the accuracy rules (doc/algorithm.md).
#pragma once

#include "dupstrip/engine.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <utility>
#include <vector>

namespace dupstrip::detail {

inline constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();

// Article flow (doc/algorithm.md): shared lines shorter than this are never protected (a menu
// entry, "Share"), and an anchor of the page's own text must be within this many tokens of
// present lines.
inline constexpr std::uint32_t flow_min_tokens = 4;
inline constexpr std::uint32_t flow_reach = 20;

// A line on fewer pages than the group's need is furniture when it sits in a run of at least
// this many consecutive shared lines (a block of the template, a list of teasers).
inline constexpr std::uint32_t furniture_run = 3;

// The corpus tier's key of a line: digits masked when the line holds at most one number (a
// date, a counter, a year: furniture differs there from site to site), kept when it holds
// more (a row of figures, "Sales 242.9 mln vs 225.8 mln", is the article's data).
inline std::uint64_t corpus_key(const line_fp& l) { return l.numbers <= 1 ? l.key : l.exact; }

// The corpus tier counts lines of at most this many tokens: platform furniture (share rows,
// sign-in prompts, cookie and legal notices) is shorter; a longer line is a paragraph, and
// paragraphs are most of a run's distinct lines, which the tier's table would otherwise hold.
inline constexpr std::uint32_t corpus_max_tokens = 40;

// Keys of a group with their pages, sorted by key.
using page_table = std::vector<std::pair<std::uint64_t, std::uint32_t>>;

inline std::uint32_t pages_in(const page_table& t, std::uint64_t k) {
  const auto it = std::lower_bound(t.begin(), t.end(), std::pair<std::uint64_t, std::uint32_t>(k, 0));
  return it != t.end() && it->first == k ? it->second : 0;
}

// How a line is shared, in the `shared` marks that article_flow.hpp's functions read (any
// non-zero value is shared; the values tell the tiers apart).
enum share : std::uint8_t { unshared = 0, site_shared = 1, corpus_shared = 2, pair_shared = 3 };

// The article flow guard and the thin-evidence rule (doc/algorithm.md, "Line decisions"): a
// line shared at the site tier stays when it sits in this page's article flow and the site
// shows it so on fewer than min_boilerplate_pages pages (`flow`: the group's flow tally), or,
// on a site whose need is below min_boilerplate_pages, when it is isolated in the page's own
// text. ck and mk: its canonical and embedded-line keys; in_flow, own_list: its marks.
inline bool flow_keeps(const clean_options& opt, const page_table& flow, std::uint64_t ck, std::uint64_t mk,
                       std::uint8_t in_flow, std::uint8_t own_list, std::uint32_t need) {
  if (opt.flow_tokens == 0) return false;
  if (in_flow == 1) {
    const std::uint32_t fp = std::max(pages_in(flow, ck), mk != 0 ? pages_in(flow, mk) : 0);
    if (fp < opt.min_boilerplate_pages) return true;  // this page's own line
  }
  return own_list != 0 && need < opt.min_boilerplate_pages;
}

inline std::uint32_t removed_bytes_of(std::span<const removal> rem) {
  std::uint64_t bytes = 0;
  for (const removal& r : rem) bytes += r.end - r.begin;
  return static_cast<std::uint32_t>(bytes);
}

inline std::uint32_t need_for(const clean_options& opt, std::uint32_t pages) {
  return std::max({2U, std::min(opt.min_boilerplate_pages, pages),
                   static_cast<std::uint32_t>(std::ceil(opt.boilerplate_fraction * static_cast<double>(pages)))});
}

}  // namespace dupstrip::detail
