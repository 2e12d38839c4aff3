// Internal: where a document's own text runs (its article flow), so that a line shared with
// other pages is kept where it belongs to this page (doc/algorithm.md, "Article flow").
#pragma once

#include "dupstrip/engine.hpp"

#include <cstdint>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

namespace dupstrip::detail {

struct flow_options {
  std::uint32_t own_tokens = 10;  ///< a line of this document's own (not shared) this long anchors the flow; 0: off
  std::uint32_t min_tokens = 4;   ///< shared lines shorter than this are never protected (menus, "Share")
  std::uint32_t reach = 20;       ///< tokens of the lines between a shared line and its anchor, at most
};

/// in_flow[i] = 1 when line i is shared (shared[i] != 0), has at least min_tokens tokens and
/// an anchor (a present, non-blank, unshared line of at least own_tokens tokens) before or
/// after it with at most `reach` tokens in the present lines between them; 2 when it is
/// shared, shorter than min_tokens and right next to an anchor (a dateline, a label, the first
/// entry of a share row under the body). Removed lines (lines[i].removed) are invisible.
void mark_article_flow(std::span<const line_fp> lines, std::span<const std::uint8_t> shared,
                       const flow_options& o, std::vector<std::uint8_t>& in_flow);

/// Shared lines inside the page's own text: own_list[i] = 1 when line i is shared and both its
/// nearest present neighbours are unshared (isolated in the page's own text), 2 when moreover
/// it is shorter than own_tokens and a neighbour is too (an item of the article's list, "Salt"
/// between "2 cups flour" and "1 egg"; a menu entry sits next to other menu entries, which are
/// shared, and "Advertisement" between two paragraphs has no short neighbour).
void mark_own_lists(std::span<const line_fp> lines, std::span<const std::uint8_t> shared,
                    const flow_options& o, std::vector<std::uint8_t>& own_list);

/// in_run[i] = 1 for the lines of every maximal run of at least `min_run` consecutive present
/// shared lines (blank and removed lines do not break a run) of which at least two are shared
/// at `weak_tier` (shared[i] == weak_tier: a block that another page shows too, not one odd
/// line among the site's template).
void mark_shared_runs(std::span<const line_fp> lines, std::span<const std::uint8_t> shared, std::uint32_t min_run,
                      std::uint8_t weak_tier, std::vector<std::uint8_t>& in_run);

/// Menus printed twice: first_copy[i] = the index of the earlier line with line i's exact
/// tokens, for every line of a maximal run of at least `min_run` consecutive present lines
/// (lines with skip[i] != 0 are transparent) that are each shorter than `max_tokens` and each
/// an exact copy of an earlier line of the page, those earlier copies in the same order; else
/// first_copy[i] = lines.size(). The first copy of each line stays.
void mark_line_repeats(std::span<const line_fp> lines, std::span<const std::uint8_t> skip, std::uint32_t max_tokens,
                       std::uint32_t min_run, std::vector<std::uint32_t>& first_copy);

/// Counts, per key, the pages (near-duplicate clusters) on which a copy sits in the article
/// flow, and whether every such copy sits at the same place of its page (the same line number
/// counted from the top, or from the bottom, over present lines): a line that keeps its place
/// on every page is the template's (a copyright line under the body), not one page's own.
class flow_tally {
 public:
  static constexpr std::uint32_t same_place = 0xFFFFFFFFu;
  /// Starts a new cluster: a key counts once per cluster.
  void next_cluster();
  /// Adds the in-flow lines of one document: key_of(i) gives the keys of line i (0: none).
  template <class KeyOf>
  void add(std::span<const line_fp> lines, std::span<const std::uint8_t> in_flow, KeyOf&& key_of) {
    positions(lines);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (in_flow[i] != 1) continue;
      for (const std::uint64_t k : key_of(i))
        if (k != 0) note(k, from_top_[i], from_bottom_[i]);
    }
  }
  /// key -> clusters with the key in flow, or same_place when at least two clusters have it
  /// and every copy is at the same place; sorted by key. The tally is spent.
  [[nodiscard]] std::vector<std::pair<std::uint64_t, std::uint32_t>> finish();

 private:
  struct entry {
    std::uint32_t clusters = 0;
    std::uint32_t top = 0;
    std::uint32_t bottom = 0;
    bool same_top = true;
    bool same_bottom = true;
  };
  void positions(std::span<const line_fp> lines);
  void note(std::uint64_t key, std::uint32_t top, std::uint32_t bottom);
  std::unordered_map<std::uint64_t, entry> map_;
  std::vector<std::uint64_t> cluster_keys_;
  std::vector<std::uint32_t> from_top_;
  std::vector<std::uint32_t> from_bottom_;
};

/// The pages of `key` in a finished flow tally (0 when absent).
std::uint32_t flow_pages(const std::vector<std::pair<std::uint64_t, std::uint32_t>>& table, std::uint64_t key);

}  // namespace dupstrip::detail
