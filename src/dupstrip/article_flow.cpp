// Article flow: a shared line next to this page's own text is part of the page's article when
// no other pages show it there too (doc/algorithm.md, "Article flow").
#include "dupstrip/article_flow.hpp"

#include <algorithm>

namespace dupstrip::detail {

namespace {

// Removed lines and lines of repeated runs are invisible to the flow.
bool present(const line_fp& l) { return !l.blank && !l.removed && !l.repeat && l.tokens > 0; }

}  // namespace

void mark_article_flow(std::span<const line_fp> lines, std::span<const std::uint8_t> shared,
                       const flow_options& o, std::vector<std::uint8_t>& in_flow) {
  const std::size_t n = lines.size();
  in_flow.assign(n, 0);
  if (o.own_tokens == 0) return;
  auto anchor = [&](std::size_t j) { return shared[j] == 0 && lines[j].tokens >= o.own_tokens; };
  // Tokens of the present lines between each line and the nearest anchor before it and after
  // it, one sweep each way: O(n) whatever the reach.
  constexpr std::uint64_t far = ~std::uint64_t{0};
  std::vector<std::uint64_t> before(n, far);
  std::uint64_t d = far;
  for (std::size_t i = 0; i < n; ++i) {
    before[i] = d;
    if (!present(lines[i])) continue;
    d = anchor(i) ? 0 : (d == far ? far : d + lines[i].tokens);
  }
  d = far;
  for (std::size_t i = n; i-- > 0;) {
    const std::uint64_t after = d;
    if (present(lines[i])) d = anchor(i) ? 0 : (d == far ? far : d + lines[i].tokens);
    if (!present(lines[i]) || shared[i] == 0) continue;
    const std::uint64_t nearest = std::min(before[i], after);
    if (lines[i].tokens >= o.min_tokens) {
      if (nearest <= o.reach) in_flow[i] = 1;
    } else if (nearest == 0) {
      in_flow[i] = 2;  // a short line right next to the page's own text (a dateline, a label)
    }
  }
}

void mark_own_lists(std::span<const line_fp> lines, std::span<const std::uint8_t> shared,
                    const flow_options& o, std::vector<std::uint8_t>& own_list) {
  const std::size_t n = lines.size();
  own_list.assign(n, 0);
  if (o.own_tokens == 0) return;
  // The nearest present line before each line (n: none).
  std::vector<std::size_t> prev(n, n);
  for (std::size_t i = 0, last = n; i < n; ++i) {
    prev[i] = last;
    if (present(lines[i])) last = i;
  }
  for (std::size_t i = n, next = n; i-- > 0;) {
    if (!present(lines[i])) continue;
    if (shared[i] != 0 && prev[i] != n && next != n && shared[prev[i]] == 0 && shared[next] == 0) {
      const bool list = lines[i].tokens < o.own_tokens &&
                        (lines[prev[i]].tokens < o.own_tokens || lines[next].tokens < o.own_tokens);
      own_list[i] = list ? 2 : 1;
    }
    next = i;
  }
}

void mark_shared_runs(std::span<const line_fp> lines, std::span<const std::uint8_t> shared, std::uint32_t min_run,
                      std::uint8_t weak_tier, std::vector<std::uint8_t>& in_run) {
  const std::size_t n = lines.size();
  in_run.assign(n, 0);
  std::size_t i = 0;
  while (i < n) {
    if (!present(lines[i]) || shared[i] == 0) {
      ++i;
      continue;
    }
    std::size_t e = i;
    std::uint32_t len = 0;
    std::uint32_t weak = 0;
    while (e < n && (!present(lines[e]) || shared[e] != 0)) {
      if (present(lines[e])) ++len;
      if (present(lines[e]) && shared[e] == weak_tier) ++weak;
      ++e;
    }
    if (len >= min_run && weak >= 2)
      for (std::size_t j = i; j < e; ++j) in_run[j] = present(lines[j]) ? 1 : 0;
    i = e;
  }
}

void mark_line_repeats(std::span<const line_fp> lines, std::span<const std::uint8_t> skip, std::uint32_t max_tokens,
                       std::uint32_t min_run, std::vector<std::uint32_t>& first_copy) {
  const std::size_t n = lines.size();
  const auto none = static_cast<std::uint32_t>(n);
  first_copy.assign(n, none);
  if (min_run == 0) return;
  // Earlier exact copy of each short line.
  // A line holding a number ("Pay April 15" under each fund of a table, "1 / 3") is data of
  // the page, not an entry of a menu.
  std::vector<std::uint32_t> earlier(n, none);
  std::vector<std::pair<std::uint64_t, std::uint32_t>> short_lines;  // (exact key, line)
  for (std::size_t i = 0; i < n; ++i) {
    const line_fp& l = lines[i];
    if (!present(l) || l.exact == 0 || l.tokens >= max_tokens || l.numbers != 0) continue;
    short_lines.emplace_back(l.exact, static_cast<std::uint32_t>(i));
  }
  if (short_lines.size() < 2) return;
  std::sort(short_lines.begin(), short_lines.end());
  bool any = false;
  for (std::size_t k = 1; k < short_lines.size(); ++k) {
    if (short_lines[k].first != short_lines[k - 1].first) continue;
    earlier[short_lines[k].second] = earlier[short_lines[k - 1].second] != none ? earlier[short_lines[k - 1].second]
                                                                               : short_lines[k - 1].second;
    any = true;
  }
  if (!any) return;
  auto transparent = [&](std::size_t j) { return !present(lines[j]) || skip[j] != 0; };
  std::size_t i = 0;
  while (i < n) {
    if (transparent(i) || earlier[i] == none) {
      ++i;
      continue;
    }
    // The run goes on while the earlier copies go forwards too: a block printed again.
    std::size_t e = i;
    std::size_t last = i;
    std::uint32_t len = 0;
    while (e < n && (transparent(e) || (earlier[e] != none && (len == 0 || earlier[e] > earlier[last])))) {
      if (!transparent(e)) {
        ++len;
        last = e;
      }
      ++e;
    }
    if (len >= min_run)
      for (std::size_t j = i; j <= last; ++j)
        if (!transparent(j)) first_copy[j] = earlier[j];
    i = last + 1;
  }
}

void flow_tally::positions(std::span<const line_fp> lines) {
  const std::size_t n = lines.size();
  from_top_.assign(n, 0);
  from_bottom_.assign(n, 0);
  std::uint32_t k = 0;
  for (std::size_t i = 0; i < n; ++i) {
    from_top_[i] = k;
    if (present(lines[i])) ++k;
  }
  k = 0;
  for (std::size_t i = n; i-- > 0;) {
    from_bottom_[i] = k;
    if (present(lines[i])) ++k;
  }
}

void flow_tally::note(std::uint64_t key, std::uint32_t top, std::uint32_t bottom) {
  auto [it, fresh] = map_.try_emplace(key);
  entry& e = it->second;
  if (fresh) {
    e.top = top;
    e.bottom = bottom;
  } else {
    e.same_top = e.same_top && e.top == top;
    e.same_bottom = e.same_bottom && e.bottom == bottom;
  }
  cluster_keys_.push_back(key);
}

void flow_tally::next_cluster() {
  std::sort(cluster_keys_.begin(), cluster_keys_.end());
  cluster_keys_.erase(std::unique(cluster_keys_.begin(), cluster_keys_.end()), cluster_keys_.end());
  for (const std::uint64_t k : cluster_keys_) ++map_[k].clusters;
  cluster_keys_.clear();
}

std::vector<std::pair<std::uint64_t, std::uint32_t>> flow_tally::finish() {
  next_cluster();
  std::vector<std::pair<std::uint64_t, std::uint32_t>> out;
  out.reserve(map_.size());
  for (const auto& [k, e] : map_)
    out.emplace_back(k, e.clusters >= 2 && (e.same_top || e.same_bottom) ? same_place : e.clusters);
  map_.clear();
  std::sort(out.begin(), out.end());
  return out;
}

std::uint32_t flow_pages(const std::vector<std::pair<std::uint64_t, std::uint32_t>>& table, std::uint64_t key) {
  if (key == 0) return 0;
  const auto it = std::lower_bound(table.begin(), table.end(), std::pair<std::uint64_t, std::uint32_t>(key, 0));
  return it != table.end() && it->first == key ? it->second : 0;
}

}  // namespace dupstrip::detail
