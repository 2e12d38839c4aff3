// Internal: the markup evidence of one web page (doc/algorithm.md, "Web pages"): which blocks
// are link lists, where the page's main text lies, which heading is its own. Repetition across
// pages stays the engine's business; this is what one page's markup shows on its own.
#pragma once

#include "dupstrip/html.hpp"
#include "dupstrip/pipeline.hpp"

#include <cstdint>
#include <vector>

namespace dupstrip::detail {

/// Tunables of the markup rules, with the reasons for their values in doc/algorithm.md.
struct markup_rules {
  std::uint8_t link_list_share = 230;  ///< a block with at least this share of link letters (90%) is link text
  std::uint8_t prose_link_share = 64;  ///< prose has less than this share (25%) of link letters
  std::uint32_t prose_words = 8;       ///< ... and at least this many words
  std::uint32_t paragraph_chars = 25;  ///< a paragraph scores for its container from this length
  std::uint32_t max_commas = 10;       ///< commas a paragraph scores at most (a legal notice is one block)
  std::uint32_t collection_items = 5;  ///< sibling items (same path, each with a link) that make a collection
  double min_main_score = 5;           ///< below this, the page has no main text we trust: no outside_main
};

/// How far the engine grows the main text from its container (grow_main_text()).
inline constexpr std::uint32_t main_gap_before = 3;  ///< other blocks in a row it crosses going up
inline constexpr std::uint32_t main_gap_after = 2;   ///< ... and going down (comments, author notes follow; a slideshow's title and date split articles)

/// One entry per block of `page` (per line of its text).
std::vector<line_markup> markup_evidence(const html_document& page, const markup_rules& rules = {});

/// Words of a block: runs of letters, digits and '_' (any non-ASCII byte counts as a letter).
std::uint32_t word_count(std::string_view text) noexcept;

}  // namespace dupstrip::detail
